"""The OpenAPI description documents each operation's errors as the Problem… responses
(application/problem+json), nothing as flask-smorest's JSON error; every error the API answers
is one it documents; datetimes are RFC 3339 with their offset."""

from datetime import UTC, datetime

from openapi_spec_validator import validate

from review_app.extensions import db
from tests import factories as f

from .helpers import call, token_for

PROBLEM = "application/problem+json"


def _spec(app, token):
    spec = call(app, "GET", "/api/v1/openapi.json", token).get_json()
    validate(spec)
    return spec


def _operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, op


def test_every_error_is_documented_as_problem_json(app):
    spec = _spec(app, token_for(f.user("coordinator")))
    components = spec["components"]["responses"]
    used = set()
    for method, path, op in _operations(spec):
        responses = op["responses"]
        assert "default" not in responses, (method, path)
        assert {"401", "429", "500"} <= set(responses), (method, path)
        for status, response in responses.items():
            if status.startswith("2"):
                assert list(response["content"]) == ["application/json"]
                continue
            ref = response["$ref"]
            name = ref.rsplit("/", 1)[1]
            assert name == f"Problem{status}", (method, path, status, ref)
            used.add(name)
            content = components[name]["content"]
            assert list(content) == [PROBLEM]
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert used == set(components)  # every Problem response is referenced
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "code", "detail", "errors", "request_id"} <= set(problem)
    assert "Error" not in spec["components"]["schemas"]  # flask-smorest's error schema is gone
    ops = {(m, p): op for m, p, op in _operations(spec)}
    transition = ops[("POST", "/api/v1/applications/{application_id}/transitions")]["responses"]
    assert {"400", "403", "404", "409", "422"} <= set(transition)
    assert "404" not in ops[("GET", "/api/v1/programs")]["responses"]
    assert components["Problem429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_errors_answered_are_errors_documented(app):
    """The statuses the other API tests see, against the description."""
    coordinator = f.user("coordinator")
    expert = f.expert().user
    application = f.application()
    db.session.commit()
    token, read, ex = token_for(coordinator), token_for(coordinator, "read"), token_for(expert)
    spec = _spec(app, token)
    one = "/api/v1/applications/{application_id}"
    transitions = one + "/transitions"
    cases = [  # (method, path in the description, query, token, request, status)
        ("GET", "/api/v1/programs", "", None, {}, 401),
        ("GET", "/api/v1/applications", "", ex, {}, 403),
        ("GET", "/api/v1/applications", "?limit=0", token, {}, 422),
        ("GET", "/api/v1/tracks/{track}/decision", "", token, {}, 404),
        ("POST", transitions, "", read, {"json": {"trigger": "endorse"}}, 403),
        ("POST", transitions, "", token, {"json": {"trigger": "propose"}}, 409),
        ("POST", transitions, "", token, {"json": {"trigger": "fly"}}, 422),
        ("POST", transitions, "", token, {"data": "{x", "content_type": "application/json"}, 400),
    ]  # fmt: skip
    operations = {(method, path): op for method, path, op in _operations(spec)}
    for method, path, query, who, kwargs, status in cases:
        url = path.format(application_id=application.id, track="excellent") + query
        response = call(app, method, url, who, **kwargs)
        assert response.status_code == status, (method, url, response.get_data(as_text=True))
        assert response.mimetype == PROBLEM
        assert str(status) in operations[(method, path)]["responses"], (method, url)
    undeclared = call(app, "DELETE", "/api/v1/programs", token)
    assert undeclared.status_code == 405 and undeclared.mimetype == PROBLEM
    assert "GET" in undeclared.headers["Allow"].split(", ")  # RFC 9110: a 405 names them
    beyond = call(app, "GET", one.format(application_id=2147483648), token)
    assert beyond.status_code == 404 and "404" in operations[("GET", one)]["responses"]


def test_datetimes_are_rfc3339_with_the_beijing_offset(app):
    coordinator = f.user("coordinator")
    application = f.application()
    application.updated_at = datetime(2026, 4, 30, 2, 0)  # naive UTC, as stored
    db.session.commit()
    body = call(app, "GET", f"/api/v1/applications/{application.id}", token_for(coordinator))
    stamp = body.get_json()["updated_at"]
    assert stamp == "2026-04-30T10:00:00+08:00"
    assert datetime.fromisoformat(stamp).astimezone(UTC) == datetime(2026, 4, 30, 2, 0, tzinfo=UTC)
    spec = _spec(app, token_for(coordinator))
    moment = spec["components"]["schemas"]["Application"]["properties"]["updated_at"]
    assert moment["format"] == "date-time" and "+08:00" in moment["description"]
