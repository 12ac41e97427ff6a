"""The coordinator's list (by state, filters, search, paging) and the application page."""

import re
from datetime import datetime

import pytest

from review_app.audit.service import events_for
from review_app.extensions import db
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, csrf_from, login, post_form
from ..form_checks import changed, contents, control, error_block, tied


def _coordinator(client):
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")


def test_list_counts_and_filters_by_state(app, client):
    actors = f.Actors()
    endorsed = f.application(name="已推荐企业有限公司")
    fire(endorsed, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    f.application(name="刚提交企业有限公司")
    _coordinator(client)
    page = client.get("/applications/").get_data(as_text=True)
    assert "已推荐企业有限公司" in page and "刚提交企业有限公司" in page
    only = client.get("/applications/?state=prefecture_endorsed").get_data(as_text=True)
    assert "已推荐企业有限公司" in only and "刚提交企业有限公司" not in only


def test_list_filters_by_track_prefecture_and_search(app, client):
    f.application(name="郑州甲企业有限公司", pref="郑州市")
    f.application(name="洛阳乙企业有限公司", pref="洛阳市")
    f.application(name="郑州丙领航有限公司", pref="郑州市", track="leading")
    _coordinator(client)
    leading = client.get("/applications/?track=leading").get_data(as_text=True)
    assert "郑州丙领航有限公司" in leading and "郑州甲企业" not in leading
    from review_app.programs.models import Prefecture

    luoyang = db.session.query(Prefecture).filter_by(name="洛阳市").one()
    by_pref = client.get(f"/applications/?prefecture={luoyang.id}").get_data(as_text=True)
    assert "洛阳乙企业有限公司" in by_pref and "郑州甲企业" not in by_pref
    search = client.get("/applications/?q=乙企业").get_data(as_text=True)
    assert "洛阳乙企业有限公司" in search and "郑州甲企业" not in search
    # LIKE wildcards in a search are taken literally
    assert "洛阳乙企业" not in client.get("/applications/?q=%25").get_data(as_text=True)


def test_list_paginates(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)  # restored after the test
    for i in range(5):
        f.application(name=f"分页企业{i}有限公司")
    _coordinator(client)
    first = client.get("/applications/").get_data(as_text=True)
    assert "第 1 / 3 页" in first
    third = client.get("/applications/?page=3").get_data(as_text=True)
    assert third.count("分页企业") == 1


def test_application_page_shows_timeline_and_actions(app, client):
    actors = f.Actors()
    application = f.application(name="时间线企业有限公司")
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    _coordinator(client)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "提交申报" in html and "地市推荐" in html
    assert "形式审查通过" in html  # an action the coordinator may take
    assert csrf_from(html)


def _return_endorsed_application(client, reason: str):
    """Endorse an application, then ask for 退回修改 through the page as the coordinator."""
    actors = f.Actors()
    application = f.application()
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    _coordinator(client)
    response = post_form(
        client,
        f"/applications/{application.id}/transition/return",
        {"reason": reason},
        token_page=f"/applications/{application.id}",
    )
    db.session.expire_all()
    return application, response


def test_transition_through_the_page_commits_state_and_audit(app, client):
    application, response = _return_endorsed_application(client, "请补充成熟度证明材料。")
    assert response.status_code == 302
    assert application.state == "returned"
    assert application.state_reason == "请补充成熟度证明材料。"
    last = events_for("application", application.id)[-1]
    assert (last.action, last.actor, last.reason) == (
        "application.return",
        "coord",
        "请补充成熟度证明材料。",
    )
    assert (last.before, last.after) == ({"state": "prefecture_endorsed"}, {"state": "returned"})
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "请补充成熟度证明材料。" in html


def _endorsed_page(client):
    """An endorsed application and the coordinator on its page: (application, URL, token)."""
    actors = f.Actors()
    application = f.application()
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    _coordinator(client)
    url = f"/applications/{application.id}"
    return application, url, csrf_from(client.get(url).get_data(as_text=True))


def test_refused_transition_shows_reason_and_changes_nothing(app, client):
    application, response = _return_endorsed_application(client, "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert tied(html, "reason-return", "请填写理由。")
    assert application.state == "prefecture_endorsed"
    assert events_for("application", application.id)[-1].action == "application.endorse"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "请填写理由。"), ("补" * 2001, "理由不能超过2000字。")],
    ids=["blank", "too-long"],
)
def test_a_refused_reason_is_kept_beside_its_error(app, client, typed, message):
    """The page again (400): the reason as typed in its box, the error beside it (the box
    names it), the other actions' boxes untouched, and nothing in the database changed."""
    application, url, token = _endorsed_page(client)
    before = contents()
    response = client.post(f"{url}/transition/return", data={"csrf_token": token, "reason": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, "reason-return", message)
    assert f">\r\n{typed}</textarea>" in html or f">{typed}</textarea>" in html
    # the other boxes: empty, no error, their own ids
    for other in re.findall(r'<textarea[^>]*id="(reason-[a-z_]+)"', html):
        if other != "reason-return":
            assert "aria-invalid" not in control(html, other) and error_block(html, other) is None
    assert changed(before, contents()) == []
    # the same reason, corrected, goes through
    response = client.post(
        f"{url}/transition/return", data={"csrf_token": token, "reason": "请补充证明材料。"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "returned" and application.state_reason == "请补充证明材料。"


def test_a_guard_refusal_keeps_the_reason_and_says_why(app, client):
    """A refusal that is not about the reason (the page opened before the deadline, posted
    after it) is said above the actions; the reason typed stays in its box, unmarked; nothing
    changed."""
    app.config["FROZEN_NOW"] = datetime(2026, 3, 27, 15, 50)  # 23:50 on the deadline's day
    application, url, token = _endorsed_page(client)
    app.config["FROZEN_NOW"] = datetime(2026, 3, 27, 16, 5)  # 00:05 the day after
    before = contents()
    response = client.post(
        f"{url}/transition/return", data={"csrf_token": token, "reason": "材料不全，退回补正。"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "已过申报截止日期" in html and "材料不全，退回补正。</textarea>" in html
    assert "aria-invalid" not in html
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_the_reason(app, client):
    """A post whose CSRF token is refused (a new session, a stale page): the page again with
    the reason typed and the refusal said in Chinese; nothing changed."""
    application, url, _ = _endorsed_page(client)
    before = contents()
    response = client.post(
        f"{url}/transition/return", data={"csrf_token": "stale", "reason": "请补充成熟度证明。"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "表单已过期或缺少安全令牌" in html and "请补充成熟度证明。</textarea>" in html
    assert "aria-invalid" not in control(html, "reason-return")
    assert changed(before, contents()) == []


def test_transition_without_csrf_is_refused(app, client):
    application = f.application()
    _coordinator(client)
    response = client.post(
        f"/applications/{application.id}/transition/withdraw", data={"reason": "x"}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert application.state == "submitted"


def test_unknown_trigger_is_404(app, client):
    application = f.application()
    _coordinator(client)
    response = post_form(client, f"/applications/{application.id}/transition/to_admitted")
    assert response.status_code == 404


def test_prefecture_endorses_from_its_page(app, client):
    application = f.application(pref="洛阳市")
    f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    login(client, "lyofficer")
    response = post_form(
        client,
        f"/applications/{application.id}/transition/endorse",
        token_page=f"/applications/{application.id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert application.state == "prefecture_endorsed" and application.priority_rank == 1


def test_security_headers_and_no_inline_script(app, client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_narrative_html_is_rendered_inert(app, client):
    application = f.application(sections={"profile": "<script>alert(1)</script>企业简介"})
    _coordinator(client)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_static_assets_are_served_locally(app, client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"--brand" in response.data
