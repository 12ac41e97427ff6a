"""Every response carries a request id; an unhandled exception is logged with it and its
traceback, rolls back, and is answered in Chinese with the id: an error page for pages,
problem+json under /api/. (Flask re-raises in TESTING mode: these tests switch that off.)"""

import logging
import re

import pytest
from sqlalchemy import func, select

from review_app.audit import service as audit
from review_app.audit.models import AuditEvent
from review_app.extensions import db
from tests import factories as f

from .api.helpers import call, token_for

HEX_ID = re.compile(r"[0-9a-f]{32}")


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture()
def failing(app, monkeypatch):
    """Pages and API answer unhandled errors as in production; ``break_view(endpoint)`` makes
    that view write an audit event, then fail."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def break_view(endpoint: str) -> None:
        def boom(*args, **kwargs):
            audit.record("test.half_done", "application", 1)
            raise RuntimeError("boom: a bug in a view")

        monkeypatch.setitem(app.view_functions, endpoint, boom)

    return break_view


def test_a_page_that_fails_answers_in_chinese_with_the_logged_request_id(app, failing, caplog):
    failing("main.index")
    before = _audit_count()
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/")
    page = response.get_data(as_text=True)
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert HEX_ID.fullmatch(rid)
    assert f"系统内部错误，请稍后重试。编号：{rid}" in page
    assert "Internal Server Error" not in page  # not Werkzeug's English page
    logged = [r for r in caplog.records if rid in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info[0] is RuntimeError
    assert "boom: a bug in a view" in caplog.text  # the traceback is in the log
    db.session.rollback()
    assert _audit_count() == before  # the half-done write was rolled back


def test_an_api_call_that_fails_answers_problem_json_with_the_request_id(app, failing, caplog):
    token = token_for(f.user("coordinator"))
    failing("api.programs")
    with caplog.at_level(logging.ERROR):
        response = call(app, "GET", "/api/v1/programs", token)
    body = response.get_json()
    rid = response.headers["X-Request-ID"]
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert body["code"] == "internal_error" and body["status"] == 500
    assert body["request_id"] == rid and rid in body["detail"]
    assert body["title"] == "服务器内部错误"
    assert any(rid in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_sane_client_request_id_is_kept_and_any_other_replaced(app):
    client = app.test_client()
    kept = client.get("/login", headers={"X-Request-ID": "edge-7f3a-0001"})
    assert kept.headers["X-Request-ID"] == "edge-7f3a-0001"
    for bad in ("<script>", "a" * 65, "a b", "id;x=1", "../etc", ""):
        response = client.get("/login", headers={"X-Request-ID": bad})
        assert HEX_ID.fullmatch(response.headers["X-Request-ID"]), bad
    first, second = client.get("/login"), client.get("/login")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_every_error_carries_the_request_id(app):
    missing = app.test_client().get("/no-such-page")
    assert missing.status_code == 404 and HEX_ID.fullmatch(missing.headers["X-Request-ID"])
    api = call(app, "GET", "/api/v1/programs", headers={"X-Request-ID": "client-1"})
    assert api.status_code == 401 and api.get_json()["request_id"] == "client-1"
    assert api.headers["X-Request-ID"] == "client-1"
