"""Issue 17.9: a signed session ends on the server after an idle time and a maximum lifetime
(before: the cookie stayed valid until logout), pages and API answers are not cached, and the
expert's typed scores survive an expired session."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from flask import g
from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.auth.sessions import EXPIRED, UNSAVED
from review_app.extensions import db
from review_app.scoring.models import Review

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, csrf_from, login


def _at(app, minutes: float) -> None:
    app.config["FROZEN_NOW"] = BEFORE_DEADLINE + timedelta(minutes=minutes)


def _signed_in(app, client, username="coord"):
    f.user("coordinator", username)
    db.session.commit()
    assert login(client, username).status_code == 302


def test_an_idle_session_ends_with_a_chinese_notice(app, client):
    _signed_in(app, client)
    _at(app, app.config["SESSION_IDLE_MINUTES"] + 1)
    response = client.get("/applications/?page=1")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/applications/?page=1"]
    assert EXPIRED in client.get("/login").get_data(as_text=True)
    # the cookie is signed out for good, even back inside the idle time
    _at(app, 0)
    assert client.get("/applications/").status_code == 302


def test_activity_keeps_a_session_alive_until_its_lifetime_ends(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    _signed_in(app, client)
    for minutes in (20, 40, 60):  # each request well inside the idle time of the one before
        _at(app, minutes)
        assert client.get("/applications/").status_code == 200, minutes
    _at(app, 65)  # active, but more than an hour after sign-in
    assert client.get("/applications/").status_code == 302


def test_last_seen_is_rewritten_at_most_once_a_minute(app, client):
    _signed_in(app, client)
    cookie = app.config["SESSION_COOKIE_NAME"]

    def sets_cookie(response) -> bool:
        return any(h.startswith(cookie + "=") for h in response.headers.getlist("Set-Cookie"))

    client.get("/applications/")  # shows (and so removes) the welcome message
    _at(app, 0.5)
    assert not sets_cookie(client.get("/applications/"))
    _at(app, 2)
    assert sets_cookie(client.get("/applications/"))
    _at(app, 2.5)
    assert not sets_cookie(client.get("/applications/"))


def test_signed_in_pages_the_api_and_the_login_page_are_not_stored(app, client):
    assert client.get("/login").headers.get("Cache-Control") == "no-store"
    assert "no-store" in client.get("/api/v1/programs").headers.get("Cache-Control", "")
    _signed_in(app, client)
    for url in ("/dashboard/", "/applications/", "/jobs/", "/account/password"):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url
    assert "no-store" not in client.get("/static/js/score.js").headers.get("Cache-Control", "")


def _expert_task(app):
    application = f.application(name="超时评分测试有限公司")
    expert = f.staff(application)[-1]
    assignment = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id)
    ).scalar_one()
    db.session.commit()
    return expert, assignment


def test_an_expired_scoring_post_saves_nothing_and_says_what_to_do(app, client):
    expert, assignment = _expert_task(app)
    login(client, expert.user.username)
    url = f"/expert/assignments/{assignment.id}/score"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="/static/js/score.js"' in html
    assert f'data-draft-key="score-draft:{expert.user_id}:{assignment.id}"' in html
    assert 'id="draft-restored"' in html
    _at(app, app.config["SESSION_IDLE_MINUTES"] + 5)  # the expert wrote a long comment
    response = client.post(
        url, data={"csrf_token": csrf_from(html), "comment": "很长的评审意见", "action": "save"}
    )
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login" and parse_qs(target.query)["next"] == [url]
    notice = client.get("/login").get_data(as_text=True)
    assert EXPIRED in notice and UNSAVED in notice
    assert db.session.scalar(select(Review).where(Review.assignment_id == assignment.id)) is None
    g.pop("csrf_token", None)
    # signing in again leads back to the form, where score.js restores what was typed
    token = csrf_from(client.get("/login").get_data(as_text=True))
    back = client.post(
        f"/login?next={url}",
        data={"username": expert.user.username, "password": f.PASSWORD, "csrf_token": token},
    )
    assert back.status_code == 302 and urlsplit(back.headers["Location"]).path == url
