"""/api/v1/openapi.json and /api/v1/docs: for signed-in users and token holders; anyone only
when ``API_DOCS_PUBLIC`` is set."""

from sqlalchemy import select

from review_app.api.models import ApiRequest
from review_app.extensions import db
from tests import factories as f
from tests.conftest import login

from .helpers import call, expired_token, token_for

DOCS = ("/api/v1/openapi.json", "/api/v1/docs")


def test_anonymous_readers_get_nothing_of_the_description(app):
    spec = call(app, "GET", "/api/v1/openapi.json")
    assert spec.status_code == 401 and spec.mimetype == "application/problem+json"
    assert spec.get_json()["code"] == "token_missing" and "paths" not in spec.get_json()
    page = call(app, "GET", "/api/v1/docs")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    for path in DOCS:
        bad = call(app, "GET", path, "rvw_not-a-token")
        assert bad.status_code == 401 and bad.get_json()["code"] == "invalid_token"
        expired = call(app, "GET", path, expired_token(f.user("coordinator")))
        assert expired.status_code == 401 and expired.get_json()["code"] == "token_expired"


def test_a_signed_in_user_or_a_token_reads_them(app, client):
    user = f.user("prefecture", "officer1")
    token = token_for(user, "read")
    for path in DOCS:
        assert call(app, "GET", path, token).status_code == 200, path
    used = db.session.scalars(select(ApiRequest.path).order_by(ApiRequest.id)).all()
    assert used == list(DOCS)  # a token's use is logged, as on every API route
    login(client, "officer1")
    assert client.get("/api/v1/openapi.json").get_json()["openapi"] == "3.1.0"
    assert "/api/v1/applications/{application_id}" in client.get("/api/v1/docs").get_data(True)


def test_api_docs_public_opens_them_to_anyone(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_DOCS_PUBLIC", True)
    assert call(app, "GET", "/api/v1/openapi.json").get_json()["openapi"] == "3.1.0"
    assert call(app, "GET", "/api/v1/docs").status_code == 200
    assert call(app, "GET", "/api/v1/programs").status_code == 401  # the API itself stays shut


def test_the_setting_is_read_from_the_environment(tmp_path):
    from review_app.config import load_config

    base = {"REVIEW_APP_ENV": "testing", "SECRET_KEY": "x"}
    assert load_config(tmp_path, base)["API_DOCS_PUBLIC"] is False
    assert load_config(tmp_path, {**base, "API_DOCS_PUBLIC": "1"})["API_DOCS_PUBLIC"] is True
