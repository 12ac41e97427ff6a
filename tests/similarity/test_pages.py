"""雷同检测 pages: the coordinator's list, side by side and verdict; everyone else refused with
nothing written; the decision page lists marked pairs; experts see nothing of it; an upload
batch queues the detection."""

import io
import random
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from review_app.applications.catalogue import required_sections
from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.jobs.models import Job
from review_app.programs.service import current_program
from review_app.similarity import service
from review_app.similarity.models import SimilarityFinding
from review_app.similarity.textgen import plant, section_text

from .. import factories as f
from ..conftest import csrf_from, login, post_form
from ..form_checks import changed, contents, control, error_block, tied

KEY = "link.production"


@pytest.fixture()
def pair(app):
    """Two applications, the second copying the first's 生产作业 section; detected."""
    rng = random.Random(11)
    base = [{s.key: section_text(rng, 500) for s in required_sections("excellent")}
            for _ in range(2)]  # fmt: skip
    base[0][KEY] = "<b>热处理</b> & " + base[0][KEY]  # markup in a text is shown as text
    copied = dict(base[1])
    copied[KEY] = plant(base[0][KEY], base[1][KEY], rng, share=0.6)
    a = f.application(pref="郑州市", sections=base[0], name="甲方智能装备有限公司")
    b = f.application(pref="洛阳市", sections=copied, name="乙方精密机械有限公司")
    coord = f.user("coordinator", "simpagecoord")
    service.detect(current_program(), coord)
    db.session.commit()
    (finding,) = db.session.execute(select(SimilarityFinding)).scalars().all()
    return a, b, coord, finding


def test_the_coordinator_lists_filters_and_opens_a_finding(app, client, pair):
    a, b, coord, finding = pair
    login(client, coord.username)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "雷同检测" in home
    page = client.get("/similarity/").get_data(as_text=True)
    assert a.enterprise.name in page and b.enterprise.name in page and "跨地市" in page
    assert b.enterprise.name not in client.get("/similarity/?status=similar").get_data(True)
    assert b.enterprise.name not in client.get("/similarity/?kind=same_prefecture").get_data(True)
    bogus = client.get("/similarity/?status=bogus&kind=x&sort=y").get_data(as_text=True)
    assert b.enterprise.name in bogus and "共 1 对" in bogus  # unknown values are ignored
    show = client.get(f"/similarity/{finding.id}").get_data(as_text=True)
    assert "&lt;" in show and "&gt;热处理&lt;/b&gt; &amp;" in show  # the mark may start at "b"
    assert "<b>" not in show and "</b>" not in show
    assert show.count('<mark class="shared"') >= 2 * len(finding.passages) - 1
    assert client.get("/similarity/999999").status_code == 404


def test_marking_needs_a_reason_and_csrf_then_is_saved(app, client, pair):
    a, b, coord, finding = pair
    login(client, coord.username)
    url = f"/similarity/{finding.id}/mark"
    missing = post_form(
        client, url, {"status": "similar", "reason": " "}, f"/similarity/{finding.id}"
    )
    assert missing.status_code == 400 and "请填写判断理由" in missing.get_data(as_text=True)
    bad = post_form(client, url, {"status": "maybe", "reason": "理由"}, f"/similarity/{finding.id}")
    assert bad.status_code == 400 and "选项无效" in bad.get_data(as_text=True)
    no_token = client.post(url, data={"status": "similar", "reason": "理由"})
    assert no_token.status_code == 400
    db.session.expire_all()
    assert db.session.get(SimilarityFinding, finding.id).status == "pending"
    done = post_form(client, url, {"status": "similar", "reason": "大段照搬同一咨询公司的文本"},
                     f"/similarity/{finding.id}")  # fmt: skip
    assert done.status_code == 302
    db.session.expire_all()
    marked = db.session.get(SimilarityFinding, finding.id)
    assert (marked.status, marked.reason, marked.marked_by_id) == (
        "similar", "大段照搬同一咨询公司的文本", coord.id)  # fmt: skip
    assert "已标记为“雷同”" in client.get(done.location).get_data(as_text=True)
    # the decision page lists the marked pair
    decision = client.get("/decision/excellent").get_data(as_text=True)
    assert "雷同检测：已标记的申报对" in decision and "大段照搬同一咨询公司的文本" in decision
    # and both applications' format reports warn
    assert "与另一份申报书的内容雷同" in client.get(f"/applications/{a.id}").get_data(True)


@pytest.mark.parametrize("role", ["prefecture", "expert", "inspector", "admin"])
def test_other_roles_are_refused_and_nothing_is_written(app, client, pair, role):
    _, _, _, finding = pair
    user = f.user(role)
    db.session.commit()
    login(client, user.username)
    assert "雷同检测" not in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert client.get("/similarity/").status_code == 403
    assert client.get(f"/similarity/{finding.id}").status_code == 403
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    token = csrf_from(client.get("/", follow_redirects=True).get_data(as_text=True))
    mark = client.post(f"/similarity/{finding.id}/mark",
                       data={"status": "similar", "reason": "理由", "csrf_token": token})  # fmt: skip
    run = client.post("/similarity/run", data={"csrf_token": token})
    assert mark.status_code == run.status_code == 403
    db.session.expire_all()
    assert db.session.get(SimilarityFinding, finding.id).status == "pending"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == "similarity")) == 0


def test_experts_see_no_note_on_either_section(app, client, pair):
    a, b, coord, finding = pair
    service.mark(finding, "similar", "照搬", coord)
    experts = f.staff(a)
    f.staff(b, experts=experts)  # the same expert reads the copied section of both
    db.session.commit()
    mine = [next(x for x in application_assignments(application) if x.section.key == KEY)
            for application in (a, b)]  # fmt: skip
    assert mine[0].expert_id == mine[1].expert_id
    login(client, mine[0].expert.user.username)
    for assignment in mine:
        page = client.get(f"/expert/assignments/{assignment.id}").get_data(as_text=True)
        assert assignment.section.anonymised_text[-20:] in page  # the expert sees the section
        assert "雷同" not in page and "similar" not in page


def application_assignments(application):
    from review_app.assignment.models import Assignment

    return db.session.execute(
        select(Assignment).where(Assignment.application_id == application.id)
    ).scalars().all()  # fmt: skip


def test_the_run_button_queues_the_detection(app, client, pair):
    _, _, coord, finding = pair
    login(client, coord.username)
    response = post_form(client, "/similarity/run", {}, "/similarity/")
    assert response.status_code == 302
    job = db.session.execute(select(Job).where(Job.kind == "similarity")).scalar_one()
    assert job.state == "done" and job.owner_id == coord.id and "1对" in job.message
    assert response.location.endswith(f"/jobs/{job.id}")


def test_an_upload_batch_queues_the_detection(app, client):
    from ..intake.conftest import docx_for, valid_sample

    officer = f.user("prefecture", "simofficer", prefecture="洛阳市")
    db.session.commit()
    rng = random.Random(3)
    first, second = valid_sample(n=1), valid_sample(n=2)
    first.sections[KEY] = section_text(rng, 600)
    second.sections[KEY] = plant(first.sections[KEY], section_text(rng, 600), rng, share=0.6)
    login(client, officer.username)
    token = csrf_from(client.get("/intake/upload").get_data(as_text=True))
    files = [(io.BytesIO(docx_for(p)), f"{k}.docx") for k, p in enumerate((first, second))]
    client.post("/intake/upload", data={"csrf_token": token, "files": files},
                content_type="multipart/form-data")  # fmt: skip
    job = db.session.execute(select(Job).where(Job.kind == "similarity")).scalar_one()
    assert job.state == "done" and job.owner_id is None
    (finding,) = db.session.execute(select(SimilarityFinding)).scalars().all()
    assert finding.section_a.key == KEY and finding.kind == "same_prefecture"


def test_a_detection_that_fails_fails_its_job_with_nothing_kept(app, client, pair, monkeypatch):
    _, _, coord, finding = pair
    before = db.session.scalar(select(func.count(SimilarityFinding.id)))

    def broken(program, actor=None):  # writes a finding, then fails
        swapped = {"id": None, "section_a_id": finding.section_b_id,
                   "section_b_id": finding.section_a_id}  # fmt: skip
        db.session.add(SimilarityFinding(**{**_columns(finding), **swapped}))
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "detect", broken)
    login(client, coord.username)
    response = post_form(client, "/similarity/run", {}, "/similarity/")
    assert response.status_code == 302
    db.session.expire_all()
    job = db.session.execute(select(Job).where(Job.kind == "similarity")).scalar_one()
    assert job.state == "failed" and "雷同检测未能完成" in job.message
    assert db.session.scalar(select(func.count(SimilarityFinding.id))) == before


def _columns(finding):
    return {c.name: getattr(finding, c.name) for c in SimilarityFinding.__table__.columns}


def _reason(html: str) -> str:
    """The text of the reason box (WTForms starts it with a line break the browser drops)."""
    match = re.search(r'<textarea[^>]*id="reason"[^>]*>\r?\n(.*?)</textarea>', html, re.S)
    return unescape(match.group(1))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"status": "similar", "reason": "  "}, "reason", "请填写判断理由。"),
        ({"status": "similar", "reason": "照" * 501}, "reason", "不能超过500字。"),
        ({"status": "maybe", "reason": "同一集团共用的系统描述"}, "status", "“判断”的选项无效。"),
    ],
    ids=["blank-reason", "long-reason", "bad-choice"],
)
def test_a_refused_mark_keeps_what_was_typed_beside_its_error(app, client, pair, data, field,
                                                               message):  # fmt: skip
    *_, coord, finding = pair
    login(client, coord.username)
    page = f"/similarity/{finding.id}"
    before = contents()
    response = post_form(client, f"{page}/mark", data, page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, field, message)
    other = "status" if field == "reason" else "reason"
    assert "aria-invalid" not in control(html, other) and error_block(html, other) is None
    assert _reason(html) == data["reason"]
    if data["status"] == "similar":
        assert '<option selected value="similar">' in html
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_the_mark(app, client, pair):
    *_, coord, finding = pair
    login(client, coord.username)
    before = contents()
    response = client.post(
        f"/similarity/{finding.id}/mark",
        data={"csrf_token": "stale", "status": "normal", "reason": "同一集团两家子公司"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "表单已过期或缺少安全令牌" in html
    assert _reason(html) == "同一集团两家子公司" and '<option selected value="normal">' in html
    assert changed(before, contents()) == []
