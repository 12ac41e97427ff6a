"""Ids beyond PostgreSQL's integer never reach a query: a route's ``<int:…>`` does not match
them (404), a query filter or a form field ignores or refuses them. On PostgreSQL each of these
requests answered 500 (``NumericValueOutOfRange``) before; SQLite stores any integer, so there
the converter's own test below is the one that fails on the old code."""

import pytest
from flask import url_for
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from review_app.ids import MAX_ID, IdConverter, db_id, db_ids
from tests import factories as f
from tests.conftest import login, post_form

from .api.helpers import call, token_for

TOO_BIG = ("2147483648", "3000000000", "99999999999999999999", "0")
ROLES = ("coordinator", "prefecture", "expert", "inspector", "applicant", "admin")


def _id_rules(app):
    return [r for r in app.url_map.iter_rules()
            if "GET" in r.methods and any(isinstance(c, IntegerConverter)
                                          for c in r._converters.values())]  # fmt: skip


def _path(rule, value: str) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", value).replace(f"<{name}>", "excellent")
    return path


def test_the_int_converter_of_every_route_takes_only_database_ids(app):
    urls = app.url_map.bind("localhost")
    assert urls.match("/applications/2147483647")[1] == {"application_id": MAX_ID}
    for value in TOO_BIG:
        with pytest.raises(NotFound):
            urls.match(f"/applications/{value}")
    rules = _id_rules(app)
    assert all(isinstance(c, IdConverter) for r in rules for c in r._converters.values()
               if isinstance(c, IntegerConverter))  # fmt: skip
    assert len(rules) > 20  # every blueprint's id routes use it, the API's too
    assert {r.endpoint.split(".")[0] for r in rules} >= {"applications", "api", "scoring"}


def test_no_page_or_api_route_answers_500_for_an_id_beyond_int4(app):
    from review_app.extensions import db

    application = f.application()
    users = {role: f.user(role) for role in ROLES if role not in ("expert", "applicant")}
    users["expert"] = f.expert().user  # with a profile, so expert pages go as far as the lookup
    users["applicant"] = f.user("applicant", enterprise_id=application.enterprise_id)

    db.session.commit()
    wrong = []
    for role, user in users.items():
        client = app.test_client()
        login(client, user.username)
        token = token_for(user)
        for rule in _id_rules(app):
            for value in ("2147483648", "3000000000"):
                path = _path(rule, value)
                if rule.endpoint.startswith("api."):
                    response = call(app, "GET", path, token)
                else:
                    response = client.get(path)
                if response.status_code != 404:
                    wrong.append(f"{role} GET {path}: {response.status_code}")
    assert wrong == []


def test_api_id_filters_beyond_int4_are_422_and_cursors_an_empty_page(app):
    coordinator = f.user("coordinator")
    f.application()
    token = token_for(coordinator)
    for value in ("3000000000", "2147483648", "0", "-1"):
        response = call(app, "GET", f"/api/v1/applications?prefecture={value}", token)
        assert response.status_code == 422, value
        assert response.mimetype == "application/problem+json"
        assert set(response.get_json()["errors"]) == {"prefecture"}
    response = call(app, "GET", "/api/v1/applications?cursor=3000000000", token)
    assert response.status_code == 200 and response.get_json()["items"] == []  # after every id
    response = call(app, "GET", f"/api/v1/applications?prefecture={MAX_ID}", token)
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_page_filters_and_forms_ignore_or_refuse_ids_beyond_int4(app):
    coordinator = f.user("coordinator", "coord1")
    application = f.application()
    from review_app.extensions import db

    db.session.commit()
    client = app.test_client()
    login(client, coordinator.username)
    listing = client.get("/applications/?prefecture=3000000000")
    assert listing.status_code == 200 and application.enterprise.name in listing.get_data(True)
    assert client.get(url_for("scoring.sheet_download", expert="3000000000")).status_code == 404
    summary = client.get(url_for("intake.summary_export", prefecture="3000000000"))
    assert summary.status_code == 200  # the province's consolidated table
    for url, field in (("/assignment/panels", "panel_id"), ("/assignment/conflicts", "conflict_id"),
                       ("/scoring/flags", "flag_id")):  # fmt: skip
        # the form refuses it (400 with a Chinese message) before any lookup: never a 500
        assert post_form(client, url, {field: "3000000000"}).status_code == 400, url
    assert client.get("/admin/audit?job=3000000000").status_code == 200


def test_db_id_reads_an_id_or_refuses():
    assert db_id("42") == 42 and db_id(" 7 ") == 7 and db_id(MAX_ID) == MAX_ID
    for bad in ("0", "-3", str(MAX_ID + 1), "abc", "", "1e3", "9" * 5000):
        with pytest.raises(ValueError):
            db_id(bad)
    assert db_ids(["3", "x", "3000000000", "5"]) == [3, 5]
