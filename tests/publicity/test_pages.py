"""The pages after the decision: the coordinator's 审定 → 公示 → objection → 递补 → 正式发文 by
the web, the public 公示 page without login (no score, no rank; objections recorded whatever
they say, never a 500), who sees an objection, and what prefectures see before release."""

import io
from datetime import date, datetime

import docx
import pytest
from flask import g
from sqlalchemy import func, select

from review_app import create_app
from review_app.auth.models import User
from review_app.extensions import db, limiter
from review_app.publicity.models import Approval, FinalIssue, Objection, PublicityPeriod

from .. import factories as f
from ..conftest import csrf_from
from ..form_checks import changed, contents, control, tied
from ..security.world import client_as
from .helpers import PDF, after, four_proposed

FRACTIONS = (0.9, 0.85, 0.8, 0.75)


@pytest.fixture()
def proposed(app):
    actors, apps, program = four_proposed("页面公示企业", FRACTIONS)
    f.user("coordinator", "pub-coord")
    f.user("inspector", "pub-checker", prefecture="开封市")
    f.user("inspector", "pub-other", prefecture="开封市")
    f.user("prefecture", "pub-zz", prefecture="郑州市")
    db.session.commit()
    return actors, apps, program


def _post(client, url, data, page=None, **kw):
    # One app context across clients: drop Flask-WTF's cached token (another client's).
    g.pop("csrf_token", None)
    html = client.get(page or url).get_data(as_text=True)
    token = csrf_from(html) if 'name="csrf_token" value=' in html else client.csrf
    return client.post(url, data={"csrf_token": token, **data}, **kw)


def _flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [m for _, m in session.get("_flashes", [])]


def _publish_by_web(app, client):
    response = _post(client, "/publicity/excellent/approve", {
        "meeting_kind": "director_office", "meeting_date": "2026-03-19", "attendees": "厅领导",
        "minutes": (io.BytesIO(PDF), "纪要.pdf"),
    }, "/publicity/excellent", content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    response = _post(client, "/publicity/excellent/publish",
                     {"start_on": "2026-03-20", "contact": "装备工业处 0371-65509873"},
                     "/publicity/excellent")  # fmt: skip
    assert response.status_code == 302
    return db.session.execute(select(PublicityPeriod)).scalar_one()


def test_the_coordinator_runs_every_stage_by_the_web(app, proposed):
    actors, apps, program = proposed
    coord = client_as(app, "pub-coord")
    page = coord.get("/publicity/excellent").get_data(as_text=True)
    assert "approval-form" in page and "publish-form" not in page  # 审定 first
    period = _publish_by_web(app, coord)
    assert (period.start_on, period.end_on) == (date(2026, 3, 20), date(2026, 3, 26))
    assert {a.state for a in apps[:2]} == {"in_publicity"}
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(
        coord.get(f"/publicity/periods/{period.id}.docx").data)).paragraphs)  # fmt: skip
    assert "2026年3月20日至2026年3月26日" in text and "联系方式" in text

    # The public files an objection (no login)
    public = client_as(app, None)
    show = public.get(f"/gongshi/{period.id}").get_data(as_text=True)
    assert apps[0].enterprise.name in show and "郑州市" in show
    assert "综合得分" not in show and "排名" not in show and apps[2].enterprise.name not in show
    response = _post(public, f"/gongshi/{period.id}", {
        "application_id": str(apps[0].id), "name": "李四", "unit": "某协会", "phone": "13900000000",
        "content": "该企业数控化率数据虚报。", "files": (io.BytesIO(PDF), "证据.pdf"),
    }, content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 302
    objection = db.session.execute(select(Objection)).scalar_one()
    assert objection.status == "received" and objection.channel == "web"

    # 受理 → 核查 by an inspector → 成立: the proposal is revoked
    url = f"/publicity/objections/{objection.id}"
    assert _post(coord, url, {"action": "accept"}).status_code == 302
    checker = db.session.execute(select(User).filter_by(username="pub-checker")).scalar_one()
    _post(coord, url, {"action": "assign", "checker_id": str(checker.id)})
    other = client_as(app, "pub-other")
    assert other.get(url).status_code == 403  # not assigned: not even seen
    assert objection.files and other.get(
        f"/publicity/objection-files/{objection.files[0].id}").status_code == 403  # fmt: skip
    inspector = client_as(app, "pub-checker")
    assert inspector.get(url).status_code == 200
    _post(inspector, url, {"action": "findings", "findings": "核实数据虚报。"})
    # the checker may not conclude: refused, nothing changes
    _post(inspector, url, {"action": "uphold", "reason": "成立"})
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).status == "checking"
    _post(coord, url, {"action": "uphold", "reason": "核查属实。"})
    db.session.expire_all()
    assert db.session.get(type(apps[0]), apps[0].id).state == "revoked"

    # 递补 the next one, its own 审定 and 公示
    page = coord.get("/publicity/excellent").get_data(as_text=True)
    assert apps[2].enterprise.name in page and "第3位" in page
    _post(coord, "/publicity/excellent/backfill", {"reason": "异议成立后递补"})
    db.session.expire_all()
    assert db.session.get(type(apps[2]), apps[2].id).state == "proposed"
    _post(coord, "/publicity/excellent/approve", {
        "meeting_kind": "special", "meeting_date": "2026-03-20", "attendees": "厅领导",
        "minutes": (io.BytesIO(PDF), "纪要2.pdf"),
    }, "/publicity/excellent", content_type="multipart/form-data")  # fmt: skip
    _post(coord, "/publicity/excellent/publish", {"start_on": "2026-03-23", "contact": "电话"},
          "/publicity/excellent")  # fmt: skip
    second = db.session.execute(
        select(PublicityPeriod).where(PublicityPeriod.kind == "backfill")).scalar_one()  # fmt: skip
    assert db.session.scalar(select(func.count(Approval.id))) == 2

    # 正式发文: refused while the period runs, then done once
    refused = _post(coord, "/publicity/issue", {"doc_number": "豫工信装〔2026〕12号"})
    assert refused.status_code == 400 and "尚未结束" in refused.get_data(as_text=True)
    assert 'value="豫工信装〔2026〕12号"' in control(refused.get_data(as_text=True), "doc_number")
    assert db.session.scalar(select(func.count(FinalIssue.id))) == 0
    app.config["FROZEN_NOW"] = after(second)
    coord = client_as(app, "pub-coord")  # a new sign-in: the old session timed out meanwhile
    _post(coord, "/publicity/issue", {"doc_number": "豫工信装〔2026〕12号"})
    assert db.session.scalar(select(func.count(FinalIssue.id))) == 1, _flashes(coord)
    record = db.session.execute(select(FinalIssue)).scalar_one()
    notice = docx.Document(io.BytesIO(coord.get("/publicity/issue.docx").data))
    text = "\n".join(p.text for p in notice.paragraphs)
    assert "河南省工业和信息化厅文件" in text and "豫工信装〔2026〕12号" in text
    assert "各省辖市、济源示范区、航空港区工业和信息化主管部门：" in text
    assert "印发" in text and "附件：1. 卓越级智能工厂培育入库企业名单" in text
    red = [r for p in notice.paragraphs for r in p.runs if r.text == "河南省工业和信息化厅文件"]
    assert red and str(red[0].font.color.rgb) == "FF0000"
    names = {c.text for t in notice.tables for row in t.rows for c in row.cells}
    assert {apps[1].enterprise.name, apps[2].enterprise.name} <= names
    assert apps[0].enterprise.name not in names
    _post(coord, "/publicity/issue", {"doc_number": "豫工信装〔2026〕13号"})
    assert db.session.scalar(select(func.count(FinalIssue.id))) == 1 and record.doc_number.endswith(
        "12号"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [({"name": ""}, "匿名"), ({"application_id": ""}, "未指向"),
     ({"files": (io.BytesIO(b"MZ\x90\x00evil"), "证据.pdf")}, None)],
    ids=["anonymous", "not-listed", "hostile-file"],
)  # fmt: skip
def test_public_filings_are_recorded_with_the_reason_never_a_500(app, proposed, data, reason):
    actors, apps, program = proposed
    coord = client_as(app, "pub-coord")
    period = _publish_by_web(app, coord)
    public = client_as(app, None)
    form = {"application_id": str(apps[0].id), "name": "王五", "unit": "某厂",
            "phone": "13700000000", "content": "异议内容", **data}  # fmt: skip
    response = _post(public, f"/gongshi/{period.id}", form, content_type="multipart/form-data")
    assert response.status_code == 302
    objection = db.session.execute(select(Objection)).scalar_one()
    if reason:
        assert objection.status == "not_accepted" and reason in objection.decision_reason
    else:
        assert objection.status == "received" and objection.files == []
        assert any("未保存" in m for m in _flashes(public))


def test_a_refused_objection_comes_back_with_what_was_typed(app, proposed):
    """Issue 22: a refused filing answers 400 with the page again: every value typed kept (the
    chosen enterprise still selected), each error beside its field, nothing recorded."""
    actors, apps, program = proposed
    period = _publish_by_web(app, client_as(app, "pub-coord"))
    public = client_as(app, None)
    url = f"/gongshi/{period.id}"
    typed = {"application_id": str(apps[1].id), "name": "孙八", "unit": "某研究院",
             "phone": "13600000000", "email": "s@example.cn", "content": ""}  # fmt: skip
    before = contents()
    response = _post(public, url, typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, "content", "请填写异议内容和理由。")
    for name in ("name", "unit", "phone", "email"):
        tag = control(html, name)
        assert f'value="{typed[name]}"' in tag and "aria-invalid" not in tag
    assert f'<option value="{apps[1].id}" selected>' in html
    assert changed(before, contents()) == []
    # too long, and an enterprise that is not a number: each beside its own field
    response = _post(public, url, {**typed, "unit": "单" * 201, "application_id": "0",
                                   "content": "数据不实。"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, "unit", "不能超过200字。") and tied(html, "application_id", "编号无效。")
    assert "数据不实。</textarea>" in html and 'value="孙八"' in control(html, "name")
    assert changed(before, contents()) == []
    # blank content passes the form but not the rules: beside the box too
    response = _post(public, url, {**typed, "content": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and tied(html, "content", "请填写异议内容和理由。")
    assert 'value="某研究院"' in control(html, "unit")
    assert changed(before, contents()) == []
    # a file chosen with a refused filing must be chosen again: said so
    response = _post(public, url, {**typed, "files": (io.BytesIO(PDF), "证据.pdf")},
                     content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400 and "须重新选择" in response.get_data(as_text=True)
    assert changed(before, contents()) == []
    # corrected, it is filed
    response = _post(public, url, {**typed, "content": "数据不实。"})
    assert response.status_code == 302
    assert db.session.execute(select(Objection)).scalar_one().content == "数据不实。"


def test_a_stale_token_keeps_the_objection(app, proposed):
    """The token of a page left open past the session (or a new session): the filing is
    refused in Chinese and the page comes back with the text typed; nothing recorded."""
    actors, apps, program = proposed
    period = _publish_by_web(app, client_as(app, "pub-coord"))
    public = client_as(app, None)
    before = contents()
    response = public.post(f"/gongshi/{period.id}", data={
        "csrf_token": "stale", "name": "周九", "unit": "某厂", "phone": "1",
        "content": "长篇异议内容。"})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "表单已过期或缺少安全令牌" in html and "长篇异议内容。</textarea>" in html
    assert 'value="周九"' in control(html, "name") and "aria-invalid" not in html
    assert changed(before, contents()) == []


def test_public_filing_out_of_period_and_without_csrf(app, proposed):
    actors, apps, program = proposed
    period = _publish_by_web(app, client_as(app, "pub-coord"))
    public = client_as(app, None)
    bare = public.post(f"/gongshi/{period.id}", data={"content": "x"})
    assert (
        bare.status_code in (200, 400) and db.session.scalar(select(func.count(Objection.id))) == 0
    )
    app.config["FROZEN_NOW"] = datetime(2026, 3, 27, 2, 0)
    page = public.get(f"/gongshi/{period.id}").get_data(as_text=True)
    assert "公示期已结束" in page and "objection-form" not in page
    _post(public, f"/gongshi/{period.id}", {"application_id": str(apps[0].id), "name": "赵六",
                                            "unit": "某厂", "phone": "1", "content": "迟到的异议"})  # fmt: skip
    objection = db.session.execute(select(Objection)).scalar_one()
    assert objection.status == "not_accepted" and "公示期" in objection.decision_reason
    assert public.get("/gongshi/999999").status_code == 404


def test_prefectures_see_nothing_before_their_letter(app, proposed):
    actors, apps, program = proposed
    officer = client_as(app, "pub-zz")
    body = officer.get(f"/applications/{apps[0].id}").get_data(as_text=True)
    assert "评审中" in body and "拟入库" not in body
    assert officer.get("/publicity/excellent").status_code == 403
    assert officer.get("/publicity/objections").status_code == 403


def test_public_filing_is_rate_limited(app, proposed, database_url):
    actors, apps, program = proposed
    period = _publish_by_web(app, client_as(app, "pub-coord"))
    db.session.commit()
    limited = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "RATELIMIT_ENABLED": True,
         "SECRET_KEY": "x", "SERVER_NAME": "localhost", "WTF_CSRF_ENABLED": False,
         "FROZEN_NOW": app.config["FROZEN_NOW"]},
        env={"REVIEW_APP_ENV": "testing", "SECRET_KEY": "x"},
    )  # fmt: skip
    form = {"application_id": str(apps[0].id), "name": "钱七", "unit": "某厂", "phone": "1"}
    try:
        limiter.reset()
        with limited.app_context():
            public = limited.test_client()
            codes = [public.post(f"/gongshi/{period.id}", data={**form, "content": f"第{n}次"}
                                 ).status_code for n in range(7)]  # fmt: skip
            db.session.remove()
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
    assert codes[:5] == [302] * 5 and codes[5:] == [429, 429]
    assert db.session.scalar(select(func.count(Objection.id))) == 5


def test_a_stale_token_counts_once_against_the_limit(app, proposed, database_url):
    """A filing refused for its token re-renders the page (``keeps_input_on_csrf`` runs the view
    again): it still counts once, not twice, against the per-address limit."""
    actors, apps, program = proposed
    period = _publish_by_web(app, client_as(app, "pub-coord"))
    db.session.commit()
    limited = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "RATELIMIT_ENABLED": True,
         "SECRET_KEY": "x", "SERVER_NAME": "localhost", "FROZEN_NOW": app.config["FROZEN_NOW"]},
        env={"REVIEW_APP_ENV": "testing", "SECRET_KEY": "x"},
    )  # fmt: skip
    form = {"csrf_token": "stale", "name": "钱七", "unit": "某厂", "phone": "1", "content": "异议"}
    try:
        limiter.reset()
        with limited.app_context():
            public = limited.test_client()
            codes = [public.post(f"/gongshi/{period.id}", data=form).status_code for _ in range(7)]
            db.session.remove()
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
    assert codes == [400] * 5 + [429] * 2
    assert db.session.scalar(select(func.count(Objection.id))) == 0
