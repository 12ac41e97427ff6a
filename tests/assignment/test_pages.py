"""The coordinator's expert, panel, conflict and assignment pages; the expert's 回避 form."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from review_app.assignment.models import Assignment
from review_app.audit.models import AuditEvent
from review_app.experts.models import Expert
from review_app.experts.xlsx import COLUMNS
from review_app.extensions import db
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import csrf_from, login, post_form
from .test_service import _panels, _ready

HEADERS = [header for _, header, _, _ in COLUMNS]


def _sheet(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for cells in rows:
        values = dict.fromkeys(HEADERS, None) | cells
        ws.append([values[h] for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _coordinator(client):
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")


def _import(client, data: bytes):
    token = csrf_from(client.get("/experts/").get_data(as_text=True))
    return client.post(
        "/experts/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "专家.xlsx")},
        content_type="multipart/form-data",
    )


def test_import_creates_experts_with_accounts_shown_once(app, client):
    _coordinator(client)
    response = _import(
        client,
        _sheet(
            {
                "姓名*": "周明",
                "工作单位*": "郑州大学",
                "擅长重点环节": "生产作业",
                "账号": "zhouming",
            },
            {"姓名*": "吴刚", "工作单位*": "河南科技大学", "评审容量": 5},
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "已导入 2 位专家" in html
    experts = {e.name: e for e in db.session.execute(select(Expert)).scalars()}
    assert set(experts) == {"周明", "吴刚"}
    assert experts["周明"].user.username == "zhouming"
    assert experts["周明"].specialties == ["link.production"]
    assert experts["吴刚"].capacity == 5 and experts["吴刚"].user.role == "expert"
    # the initial passwords were chosen by the system: changed at first sign-in
    assert all(e.user.must_change_password for e in experts.values())


def test_import_with_errors_stores_nothing_and_names_rows(app, client):
    _coordinator(client)
    response = _import(
        client,
        _sheet(
            {"姓名*": "周明", "工作单位*": "郑州大学"},
            {"姓名*": "", "工作单位*": "无名单位"},
            {"姓名*": "郑强", "工作单位*": "中原工学院", "评审容量": "很多"},
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第3行" in html and "第4行" in html and "未导入任何专家" in html
    assert db.session.scalar(select(func.count(Expert.id))) == 0


def test_assignment_page_previews_then_commits(app, client):
    apps = _ready(1)
    _panels()
    _coordinator(client)
    page = client.get("/assignment/excellent?preview=1&seed=5").get_data(as_text=True)
    assert "预览" in page and apps[0].anon_code in page
    assert db.session.scalar(select(func.count(Assignment.id))) == 0
    response = post_form(
        client, "/assignment/excellent", {"seed": "5", "due": "2026-12-15"},
        token_page="/assignment/excellent",
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert apps[0].state == "expert_assigned"
    due = set(db.session.execute(select(Assignment.due_date)).scalars())
    assert {str(d) for d in due} == {"2026-12-15"}


def test_infeasible_preview_lists_shortages(app, client):
    _ready(1)
    _panels(per_link=1)
    _coordinator(client)
    page = client.get("/assignment/excellent?preview=1").get_data(as_text=True)
    assert "还差2名" in page or "还差" in page


def test_panels_and_conflicts_pages(app, client):
    (application,) = _ready(1, name="郑州页面冲突精工有限公司")
    _, _, experts = _panels()
    experts["general"][0].employer = "郑州页面冲突精工有限公司"
    _coordinator(client)
    assert "综合组" in client.get("/assignment/panels").get_data(as_text=True)
    response = post_form(
        client, "/assignment/conflicts", {"action": "detect"}, "/assignment/conflicts"
    )
    assert response.status_code == 302
    html = client.get("/assignment/conflicts").get_data(as_text=True)
    assert "郑州页面冲突精工有限公司" in html and application.anon_code in html
    from review_app.assignment.models import Conflict

    conflict = db.session.execute(select(Conflict)).scalars().first()
    refused = post_form(
        client, "/assignment/conflicts", {"action": "waive", "conflict_id": conflict.id},
        "/assignment/conflicts",
    )  # fmt: skip
    assert refused.status_code == 400 and "理由" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert conflict.status == "active"


def test_expert_declares_a_conflict_from_the_assignment_page(app, client):
    from review_app.assignment import service

    (application,) = _ready(1)
    program, coordinator, _ = _panels(general=25)
    service.commit(current_program(), "excellent", 2, None, coordinator)
    db.session.commit()
    assignment = db.session.execute(select(Assignment)).scalars().first()
    login(client, assignment.expert.user.username)
    page = f"/expert/assignments/{assignment.id}"
    assert "申报回避" in client.get(page).get_data(as_text=True)
    response = post_form(
        client, f"/assignment/mine/{assignment.id}/declare", {"reason": "曾参与编写"}, page
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert assignment.status == "declined_conflict"
    assert (
        db.session.scalar(
            select(func.count(Assignment.id)).where(
                Assignment.section_id == assignment.section_id, Assignment.status == "assigned"
            )
        )
        == 3
    )


def test_expert_pages_are_coordinator_only(app, client):
    f.user("prefecture", "zzofficer")
    db.session.commit()
    login(client, "zzofficer")
    for url in (
        "/experts/",
        "/assignment/panels",
        "/assignment/conflicts",
        "/assignment/excellent",
    ):
        assert client.get(url).status_code == 403, url


def test_manual_page_adds_and_removes_with_checks(app, client):
    (application,) = _ready(1, name="郑州手工页面精工有限公司")
    _, _, experts = _panels()
    conflicted = experts["general"][1]
    conflicted.employer = "郑州手工页面精工有限公司"
    from review_app.assignment import conflict_service

    conflict_service.detect_conflicts(current_program(), f.user("coordinator"))
    _coordinator(client)
    page = f"/assignment/applications/{application.id}"
    html = client.get(page).get_data(as_text=True)
    assert "有利益冲突" in html
    section = application.section("plan.goals")
    ok = post_form(
        client, page, {"action": "add", "section_id": section.id,
                       "expert_id": experts["general"][0].id}, page,
    )  # fmt: skip
    assert ok.status_code == 302
    refused = post_form(
        client, page, {"action": "add", "section_id": section.id, "expert_id": conflicted.id}, page
    )
    assert refused.status_code == 400 and "利益冲突" in refused.get_data(as_text=True)
    added = db.session.execute(select(Assignment)).scalar_one()
    removed = post_form(client, page, {"action": "remove", "assignment_id": added.id}, page)
    assert removed.status_code == 302
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_the_randomised_mode_shows_its_cap_and_cost_then_commits(app, client):
    apps = _ready(1)
    _panels(general=24, per_link=8)
    _coordinator(client)
    page = client.get("/assignment/excellent?preview=1&seed=5&mode=randomised&q=0.5").get_data(
        as_text=True
    )
    assert "随机分配" in page and "q = 0.5" in page and "损失" in page
    response = post_form(
        client, "/assignment/excellent", {"seed": "5", "mode": "randomised", "q": "0.5"},
        token_page="/assignment/excellent",
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert apps[0].state == "expert_assigned"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.commit")
    ).one()
    assert event.after["mode"] == "randomised"


def test_panels_page_reads_only_and_the_button_builds_them(app, client):
    """Viewing the panels page builds nothing and writes no audit event (it did: one
    ``panel.ensure`` per GET); the 建立评审组 button does, once."""
    from review_app.experts.models import Panel

    _coordinator(client)
    audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
    html = client.get("/assignment/panels").get_data(as_text=True)
    db.session.rollback()
    assert "个评审组未建立" in html
    assert db.session.scalar(select(func.count(Panel.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audit_before

    response = post_form(client, "/assignment/panels?track=leading", {"action": "ensure"},
                         "/assignment/panels")  # fmt: skip
    assert response.status_code == 302 and "track=leading" in response.headers["Location"]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Panel.id))) == 12
    events = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "panel.ensure")
    )
    assert events == 1
    html = client.get("/assignment/panels").get_data(as_text=True)
    assert "综合组" in html and "个评审组未建立" not in html
    # built already: pressing again writes nothing
    post_form(client, "/assignment/panels", {"action": "ensure"}, "/assignment/panels")
    db.session.rollback()
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "panel.ensure")
        )
        == 1
    )
