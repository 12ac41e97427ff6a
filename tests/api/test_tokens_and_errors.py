"""Tokens (shown once, stored hashed, scoped, expiring, revocable, every use logged), cookie
sessions kept out of the API, problem+json errors, and the per-token rate limit."""

import re

import pytest
from sqlalchemy import select

from review_app import create_app
from review_app.api import tokens
from review_app.api.models import ApiRequest, ApiToken
from review_app.errors import InvalidInput
from review_app.extensions import db, limiter
from tests import factories as f
from tests.conftest import login, post_form

from .helpers import call, token_for


def test_a_token_is_shown_once_and_stored_only_as_a_hash(app, client):
    officer = f.user("prefecture", "officer1")
    db.session.commit()
    login(client, "officer1")
    response = post_form(client, "/settings/tokens",
                         {"action": "create", "name": "统计系统", "scope": "read", "days": "30"},
                         "/settings/tokens")  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "请立即复制保存" in page
    row = db.session.scalars(select(ApiToken)).one()
    secret = re.search(r"rvw_[A-Za-z0-9_-]+", page).group(0)
    assert row.token_hash == tokens.token_hash(secret) and secret not in (row.prefix, row.name)
    assert len(secret) > 40 and row.user_id == officer.id and row.scope == "read"
    again = client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in again and row.prefix in again  # never shown again
    assert call(app, "GET", "/api/v1/prefectures", secret).status_code == 200
    post_form(client, "/settings/tokens", {"action": "revoke", "token_id": str(row.id)},
              "/settings/tokens")  # fmt: skip
    response = call(app, "GET", "/api/v1/prefectures", secret)
    assert response.status_code == 401 and response.get_json()["code"] == "token_revoked"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "create", "name": "x", "scope": "read", "days": "sNaN"},
        {"action": "create", "name": "x", "scope": "admin", "days": "30"},
        {"action": "create", "name": "x" * 101, "scope": "read", "days": "30"},
        {"action": "revoke", "token_id": "3000000000"},
        {"action": "revoke", "token_id": "abc"},
        {"action": "drop", "name": "x", "scope": "read", "days": "30"},
    ],
)
def test_the_token_page_refuses_malformed_posts_with_a_message(app, client, data):
    f.user("prefecture", "officer2")
    db.session.commit()
    login(client, "officer2")
    response = post_form(client, "/settings/tokens", data, "/settings/tokens")
    assert response.status_code == 200 and 'class="flash flash-error"' in response.get_data(
        as_text=True
    )
    assert db.session.scalars(select(ApiToken)).all() == []


def test_token_input_is_checked(app):
    user = f.user("coordinator")
    for name, scope, days, field in (("", "read", 30, "name"), ("x", "admin", 30, "scope"),
                                     ("x", "read", 0, "days"), ("x", "read", 366, "days")):  # fmt: skip
        with pytest.raises(InvalidInput) as err:
            tokens.create(user, name, scope, days)
        assert err.value.code == field
    other = f.user("coordinator")
    row, _ = tokens.create(user, "mine", "read", 5)
    with pytest.raises(Exception, match="没有这个令牌"):
        tokens.revoke(row.id, other)


def test_a_cookie_session_never_opens_the_api(app, client):
    f.user("coordinator", "coord1")
    db.session.commit()
    login(client, "coord1")
    assert client.get("/dashboard/").status_code == 200  # the session works for pages
    response = client.get("/api/v1/programs")
    assert response.status_code == 401 and response.get_json()["code"] == "token_missing"
    assert response.mimetype == "application/problem+json"


def test_every_use_is_logged_and_no_cookie_is_set(app):
    user = f.user("coordinator")
    secret = token_for(user)
    ok = call(app, "GET", "/api/v1/programs", secret)
    refused = call(app, "GET", "/api/v1/assignments", secret)
    assert ok.status_code == 200 and refused.status_code == 403
    assert "Set-Cookie" not in ok.headers and "Set-Cookie" not in refused.headers
    logged = db.session.scalars(select(ApiRequest).order_by(ApiRequest.id)).all()
    assert [(r.method, r.path, r.status) for r in logged] == [
        ("GET", "/api/v1/programs", 200), ("GET", "/api/v1/assignments", 403)]  # fmt: skip
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_errors_are_problem_json_with_a_code_and_the_fields(app):
    coordinator = f.user("coordinator")
    secret = token_for(coordinator)
    application = f.application()
    db.session.commit()
    bad = call(app, "POST", f"/api/v1/applications/{application.id}/transitions", secret,
               json={"trigger": "fly", "reason": "x" * 3000})  # fmt: skip
    body = bad.get_json()
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert body["code"] == "validation_failed" and set(body["errors"]) == {"trigger", "reason"}
    assert "trigger" in body["detail"] and body["title"] == "参数有误"
    refused = call(app, "POST", f"/api/v1/applications/{application.id}/transitions", secret,
                   json={"trigger": "propose"})  # fmt: skip
    assert refused.status_code == 409 and "不能执行" in refused.get_json()["detail"]
    assert call(app, "GET", "/api/v1/nothing-here", secret).get_json()["code"] == "not_found"
    assert call(app, "DELETE", "/api/v1/programs", secret).status_code == 405
    garbage = call(app, "GET", "/api/v1/applications?cursor=%%%", secret)
    assert garbage.status_code == 422 and garbage.get_json()["errors"] == {"cursor": ["游标无效"]}
    wrong = call(app, "GET", "/api/v1/applications?state=flying&limit=0", secret)
    assert set(wrong.get_json()["errors"]) == {"state", "limit"}


def test_a_token_over_its_rate_gets_429_with_retry_after(app, database_url):
    limited = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "RATELIMIT_ENABLED": True,
         "API_RATE_LIMIT": "3/minute", "SECRET_KEY": "x", "SERVER_NAME": "localhost",
         "FROZEN_NOW": app.config["FROZEN_NOW"]},
        env={"REVIEW_APP_ENV": "testing", "SECRET_KEY": "x"},
    )  # fmt: skip
    user = f.user("coordinator")
    first, second = token_for(user), token_for(user)
    try:
        limiter.reset()
        answers = [call(limited, "GET", "/api/v1/programs", first).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        response = call(limited, "GET", "/api/v1/programs", first)
        assert response.get_json()["code"] == "rate_limited"
        assert 0 < int(response.headers["Retry-After"]) <= 60
        assert call(limited, "GET", "/api/v1/programs", second).status_code == 200  # per token
    finally:
        limiter.reset()
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
        with limited.app_context():
            db.session.remove()


def test_quotas_as_the_dashboards_show_them(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    coordinator = f.user("coordinator")
    f.application(pref="洛阳市")  # submitted: waiting, not yet counted against the quota
    mine = call(app, "GET", "/api/v1/prefectures", token_for(officer)).get_json()
    assert [p["name"] for p in mine] == ["洛阳市"]  # like its dashboard: its own quota only
    excellent = next(q for q in mine[0]["quotas"] if q["track"] == "excellent")
    assert excellent["used"] == 0 and excellent["waiting"] == 1 and excellent["quota"] > 0
    everyone = call(app, "GET", "/api/v1/prefectures", token_for(coordinator)).get_json()
    assert len(everyone) == 19 and all(len(p["quotas"]) == 2 for p in everyone)
