"""Decision runs against the database: stage, what-if, confirm once, veto, deduction, ties,
the refusals that keep the database as it was, pages, exports and result letters."""

import io
from dataclasses import replace

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from review_app.applications.models import Application
from review_app.audit import service as audit
from review_app.decision import notices, service
from review_app.decision.models import DecisionRun, ResultNotice
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.inspection import service as inspection
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import login, post_form
from ..publicity.helpers import finalise

FRACTIONS = (0.9, 0.85, 0.8, 0.75, 0.7, 0.65)


@pytest.fixture()
def world(app):
    actors = f.Actors()
    experts, apps = None, []
    for i, fraction in enumerate(FRACTIONS):
        a = f.application(pref=("郑州市", "洛阳市")[i % 2], name=f"决定测试企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    db.session.commit()
    return actors, apps


def _params(capacity=3, **kw):
    return replace(service.default_params(current_program(), "excellent"), capacity=capacity, **kw)


def _inspect(app, actors, verdict, deduction=0):
    ins = inspection.add_manual(app, "抽查", actors.coordinator)
    inspector = f.user("inspector", prefecture="开封市")
    inspection.set_inspectors(ins, [inspector.id], actors.coordinator)
    for item in ins.items:
        finding = verdict if item.code == "finance" else "true"
        inspection.record_item(
            ins, item.code, finding, "" if finding == "true" else "不符", inspector
        )
    inspection.record_verdict(
        ins, verdict, deduction, "" if verdict == "true" else "不符", inspector
    )
    return ins


def test_scores_come_from_the_reviews_and_stage_ranks_them(world):
    actors, apps = world
    run = service.stage(current_program(), "excellent", _params(), actors.coordinator)
    ranked = sorted(run.entries, key=lambda e: e.rank)
    assert [e.application_id for e in ranked] == [a.id for a in apps]
    assert [float(e.score) for e in ranked] == [90.0, 85.0, 80.0, 75.0, 70.0, 65.0]
    assert [e.outcome for e in ranked] == ["admitted"] * 3 + ["rejected"] * 3
    assert run.summary["cut_rank"] == 3 and run.summary["cut_score"] == 80.0
    assert "入库线为第 3 位" in ranked[0].explanation
    # staging writes no state change
    assert {a.state for a in apps} == {"scored"}


def test_confirm_proposes_and_not_selects_in_one_go_and_twice_does_nothing(world):
    actors, apps = world
    program = current_program()
    run = service.stage(program, "excellent", _params(), actors.coordinator)
    assert service.confirm(run, actors.coordinator) is True
    db.session.commit()
    # 拟入库: final only at 正式发文 (tests/publicity)
    assert [a.state for a in apps] == ["proposed"] * 3 + ["not_selected"] * 3
    assert "综合得分 70.00" in apps[4].state_reason and "排第 5 位" in apps[4].state_reason
    events = audit.verify()
    assert events.ok
    count = db.session.scalar(select(func.count()).select_from(audit.AuditEvent))
    assert service.confirm(run, actors.coordinator) is False
    assert db.session.scalar(select(func.count()).select_from(audit.AuditEvent)) == count
    with pytest.raises(DomainError, match="已确认"):
        service.stage(program, "excellent", _params(), actors.coordinator)
    entry = service.entry_for(apps[0])
    assert entry.run_id == run.id and entry.outcome == "admitted"


def test_veto_excludes_the_best_and_the_next_moves_up(world):
    actors, apps = world
    _inspect(apps[0], actors, "untrue")
    run = service.stage(current_program(), "excellent", _params(), actors.coordinator)
    outcomes = {e.application_id: (e.outcome, e.numbers["reason"]) for e in run.entries}
    assert outcomes[apps[0].id] == ("rejected", "vetoed")
    assert outcomes[apps[3].id] == ("admitted", "admitted")
    service.confirm(run, actors.coordinator)
    assert apps[0].state == "not_selected" and "一票否决" in apps[0].state_reason


def test_deduction_moves_an_application_below_the_cut(world):
    actors, apps = world
    _inspect(apps[2], actors, "mostly_true", 5)  # 80 - 5 = 75, level with the fourth
    run = service.stage(current_program(), "excellent", _params(), actors.coordinator)
    by_app = {e.application_id: e for e in run.entries}
    assert float(by_app[apps[2].id].score) == 75.0
    assert by_app[apps[2].id].numbers["deduction"] == 5.0
    # a tie at 75 with the fourth: neither has honours, maturity or a lower priority rank …
    assert {by_app[apps[2].id].outcome, by_app[apps[3].id].outcome} == {"admitted", "rejected"}
    assert "同分" in by_app[apps[2].id].explanation + by_app[apps[3].id].explanation


def test_ties_are_broken_by_honours(app):
    actors = f.Actors()
    plain = f.application(name="同分甲有限公司")
    honoured = f.application(
        name="同分乙有限公司", honours="国家级专精特新“小巨人”企业、制造业单项冠军"
    )
    experts = f.scored(plain, actors, 0.8)
    f.scored(honoured, actors, 0.8, experts)
    run = service.stage(current_program(), "excellent", _params(capacity=1), actors.coordinator)
    by_app = {e.application_id: e for e in run.entries}
    assert by_app[honoured.id].outcome == "admitted" and by_app[plain.id].outcome == "rejected"
    assert "荣誉称号 2 项" in by_app[honoured.id].numbers["tiebreak"]


def test_pending_inspection_blocks_confirmation_and_changes_nothing(world):
    actors, apps = world
    inspection.add_manual(apps[1], "抽查", actors.coordinator)
    run = service.stage(current_program(), "excellent", _params(), actors.coordinator)
    assert run.summary["blocking"]
    db.session.commit()
    with pytest.raises(DomainError, match=apps[1].anon_code):
        service.confirm(run, actors.coordinator)
    db.session.rollback()
    assert {a.state for a in db.session.execute(select(Application)).scalars()} == {"scored"}
    assert db.session.get(DecisionRun, run.id).status == "staged"


def test_confirm_refuses_a_stale_staging(world):
    actors, apps = world
    run = service.stage(current_program(), "excellent", _params(), actors.coordinator)
    _inspect(apps[0], actors, "untrue")  # after staging: the ranking would differ now
    with pytest.raises(DomainError, match="重新暂存"):
        service.confirm(run, actors.coordinator)


def test_what_if_names_who_crosses_the_cut(world):
    actors, apps = world
    program = current_program()
    service.stage(program, "excellent", _params(), actors.coordinator)
    result, moves, base = service.what_if(program, "excellent", _params(capacity=4))
    assert base.capacity == 3 and result.admitted == 4
    assert [(m.anon_code, m.before_outcome, m.after_outcome) for m in moves] == [
        (apps[3].anon_code, "rejected", "admitted")
    ]
    _, moves, _ = service.what_if(program, "excellent", _params(min_score=82))
    assert [m.anon_code for m in moves] == [apps[2].anon_code]


def test_decision_pages_stage_try_and_confirm(world, client):
    actors, apps = world
    coord = f.user("coordinator", "coord-d")
    db.session.commit()
    login(client, "coord-d")
    page = client.get("/decision/excellent?try=1&capacity=4&min_score=0&use_calibration=0")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and apps[3].anon_code in html and "跨越入库线" in html
    response = post_form(client, "/decision/excellent/stage", {"capacity": "2", "min_score": "0"},
                         "/decision/excellent")  # fmt: skip
    assert response.status_code == 302
    run = db.session.execute(select(DecisionRun)).scalar_one()
    assert run.parameters["capacity"] == 2
    response = post_form(client, f"/decision/runs/{run.id}/confirm", {}, "/decision/excellent")
    assert response.status_code == 302
    db.session.refresh(apps[1])
    assert (
        apps[1].state == "proposed"
        and db.session.get(Application, apps[2].id).state == "not_selected"
    )
    assert coord.id == run.confirmed_by_id
    page = client.get(f"/applications/{apps[2].id}").get_data(as_text=True)
    assert "未予入库" in page


def test_bad_what_if_numbers_get_a_chinese_message(world, client):
    f.user("coordinator", "coord-e")
    db.session.commit()
    login(client, "coord-e")
    html = client.get("/decision/excellent?try=1&capacity=abc").get_data(as_text=True)
    assert "入库名额须为整数" in html


@pytest.mark.parametrize("role", ["expert", "prefecture", "inspector", "applicant", "admin"])
def test_only_coordinators_reach_the_decision_pages(world, client, role):
    actors, apps = world
    kwargs = {"enterprise_id": apps[0].enterprise_id} if role == "applicant" else {}
    f.user(role, f"who-{role}", **kwargs)
    db.session.commit()
    login(client, f"who-{role}")
    assert client.get("/decision/excellent").status_code == 403
    assert client.get("/decision/excellent/export/ranking.xlsx").status_code == 403


def test_exports_hold_the_right_rows(world, client):
    actors, apps = world
    service.stage(current_program(), "excellent", _params(), actors.coordinator)
    f.user("coordinator", "coord-x")
    db.session.commit()
    login(client, "coord-x")
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/decision/excellent/export/admission.xlsx").data)
    )
    text = "\n".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value)
    assert all(a.enterprise.name in text for a in apps[:3])
    assert not any(a.enterprise.name in text for a in apps[3:])
    ranking = openpyxl.load_workbook(
        io.BytesIO(client.get("/decision/excellent/export/ranking.xlsx").data)
    )
    names = [c.value for row in ranking.active.iter_rows() for c in row]
    assert all(a.enterprise.name in names for a in apps)
    report = docx.Document(io.BytesIO(client.get("/decision/excellent/export/report.docx").data))
    assert "草稿" in "\n".join(p.text for p in report.paragraphs)


def test_letters_wait_for_confirmation_then_one_per_prefecture_released_to_it(world, client):
    actors, apps = world
    program = current_program()
    with pytest.raises(DomainError, match="尚未确认"):
        notices.generate(program, actors.coordinator)
    run = service.stage(program, "excellent", _params(), actors.coordinator)
    service.confirm(run, actors.coordinator)
    with pytest.raises(DomainError, match="尚未正式发文"):
        notices.generate(program, actors.coordinator)
    finalise(program, actors.coordinator)  # 审定, 公示, 正式发文: the letters are drafted
    made = notices.notices(program)
    assert sorted(n.prefecture.name for n in made) == ["洛阳市", "郑州市"]
    zz = next(n for n in made if n.prefecture.name == "郑州市")
    letter = docx.Document(io.BytesIO(zz.data))
    text = "\n".join(p.text for p in letter.paragraphs) + "\n".join(
        c.text for t in letter.tables for row in t.rows for c in row.cells
    )
    assert "郑州市" in text and apps[0].enterprise.name in text
    assert apps[1].enterprise.name not in text  # 洛阳市's
    db.session.commit()
    officer = actors.officer("郑州市")
    officer_name = officer.username
    login(client, officer_name)
    assert zz.filename not in client.get("/decision/notices").get_data(as_text=True)
    assert client.get(f"/decision/notices/{zz.id}.docx").status_code == 403
    assert notices.release(zz, actors.coordinator) is True
    assert notices.release(zz, actors.coordinator) is False
    db.session.commit()
    assert client.get(f"/decision/notices/{zz.id}.docx").status_code == 200
    assert zz.filename in client.get("/decision/notices").get_data(as_text=True)
    ly = next(n for n in made if n.prefecture.name == "洛阳市")
    notices.release(ly, actors.coordinator)
    db.session.commit()
    assert client.get(f"/decision/notices/{ly.id}.docx").status_code == 403
    # a released letter is not rebuilt
    sha = zz.sha256
    notices.generate(program, actors.coordinator)
    assert db.session.get(ResultNotice, zz.id).sha256 == sha


def test_a_released_letter_goes_to_the_outbox_for_its_officers(world):
    from review_app.outbox.models import OutboxMessage

    actors, _ = world
    program = current_program()
    run = service.stage(program, "excellent", _params(), actors.coordinator)
    service.confirm(run, actors.coordinator)
    finalise(program, actors.coordinator)
    made = notices.notices(program)
    zz = next(n for n in made if n.prefecture.name == "郑州市")
    officer = actors.officer("郑州市")
    officer.email = "zz-officer@example.com"
    silent = f.user("prefecture", prefecture="郑州市")  # no e-mail address
    f.user("prefecture", prefecture="洛阳市").email = "ly@example.com"
    assert not db.session.scalars(select(OutboxMessage)).all()  # drafts send nothing
    notices.release(zz, actors.coordinator)
    messages = {m.recipient_user_id: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(messages) == {officer.id, silent.id}  # 郑州市's officers only
    mail = messages[officer.id]
    assert mail.kind == "result_letter" and mail.status == "draft"
    assert mail.to_address == "zz-officer@example.com" and "郑州市" in mail.subject
    assert mail.attachment == zz.data and mail.attachment_name == zz.filename
    assert f"共推荐{zz.total}家企业，其中{zz.admitted}家入库" in mail.body
    assert messages[silent.id].to_address == ""  # kept, and held back at release
