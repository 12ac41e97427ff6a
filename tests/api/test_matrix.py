"""Every API route × method × caller: anonymous, each role with a read-and-write token and with
a read-only token, an expired and a revoked token; for the role's own object and someone
else's. The table is written by hand: a route that opens up, or one missing here, fails."""

from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db
from tests.security import world as wmod
from tests.security.world import ROLES

from .helpers import call, expired_token, revoked_token, token_for

CO, PR, EX, IN, AP, AD = ROLES
ALL = set(ROLES)
VIEW = {CO, PR, AP, IN}


def ok(*roles, status=200):
    return {r: status for r in roles}


# (method, rule) -> {"mine": {role: status}, "other": {role: status}}; unlisted roles: 403.
# Transitions post a trigger that is illegal in the application's state: allowed callers get
# 409 (refused by the state machine, nothing changes), the others 403 or 404.
TABLE = {
    ("GET", "/api/v1/programs"): {"mine": ok(*ALL)},
    ("GET", "/api/v1/prefectures"): {"mine": ok(CO, PR)},
    ("GET", "/api/v1/applications"): {"mine": ok(*VIEW)},
    ("GET", "/api/v1/applications/<int:application_id>"): {
        "mine": ok(*VIEW), "other": {CO: 200, PR: 404, AP: 404, IN: 404},
    },
    ("POST", "/api/v1/applications/<int:application_id>/transitions"): {
        "mine": ok(*VIEW, status=409), "other": {CO: 409, PR: 404, AP: 404, IN: 404},
    },
    ("GET", "/api/v1/applications/<int:application_id>/reviews"): {
        "mine": ok(CO), "other": {CO: 200},
    },
    ("GET", "/api/v1/assignments"): {"mine": ok(EX)},
    ("GET", "/api/v1/assignments/<int:assignment_id>"): {"mine": ok(EX), "other": {EX: 404}},
    ("GET", "/api/v1/reviews"): {"mine": ok(EX)},
    ("GET", "/api/v1/tracks/<track>/ranking"): {"mine": ok(CO)},
    ("GET", "/api/v1/tracks/<track>/decision"): {"mine": {CO: 404}},  # staged, not confirmed
    ("GET", "/api/v1/audit/verify"): {"mine": ok(CO, AD)},
    # the description and its documentation page: any valid token (or a signed-in session;
    # anonymous readers of the page are sent to sign in)
    ("GET", "/api/v1/openapi.json"): {"mine": ok(*ALL)},
    ("GET", "/api/v1/docs"): {"mine": ok(*ALL), "anonymous": 302},
}  # fmt: skip


def _api_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")), key=lambda r: r.rule
    )


def _url(rule: str, ids: dict) -> str:
    for name in ("application_id", "assignment_id"):
        rule = rule.replace(f"<int:{name}>", str(ids[name]))
    return rule.replace("<track>", "excellent")


def _body(method):
    return {"json": {"trigger": "endorse", "reason": "矩阵测试"}} if method == "POST" else {}


def _audit_count():
    db.session.rollback()
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_every_api_route_answers_every_caller_as_the_table_says(app):
    world = wmod.build()
    rules = _api_rules(app)
    listed = {(m, r.rule) for r in rules for m in r.methods - {"HEAD", "OPTIONS"}}
    assert listed == set(TABLE), "an API route is missing from the table, or gone"
    from review_app.auth.models import User

    users = {role: db.session.scalar(select(User).where(User.username == name))
             for role, name in world.users.items()}  # fmt: skip
    write = {role: token_for(u, "write") for role, u in users.items()}
    read = {role: token_for(u, "read") for role, u in users.items()}
    dead = {"expired": expired_token(users[CO]), "revoked": revoked_token(users[CO])}
    mine = {"application_id": world.mine["application_id"],
            "assignment_id": world.mine["assignment_id"]}  # fmt: skip
    other = {"application_id": world.other["application_id"],
             "assignment_id": world.other["assignment_id"]}  # fmt: skip
    wrong = []

    def check(method, url, token, want, label):
        before = _audit_count() if method == "POST" else None
        response = call(app, method, url, token, **_body(method))
        if response.status_code != want:
            wrong.append(f"{label} {method} {url}: {response.status_code}, table says {want} "
                         f"({response.get_data(as_text=True)[:120]})")  # fmt: skip
        if response.status_code >= 400 and response.mimetype != "application/problem+json":
            wrong.append(f"{label} {method} {url}: error as {response.mimetype}")
        if "Set-Cookie" in response.headers:
            wrong.append(f"{label} {method} {url} set a cookie")
        if before is not None and response.status_code != 200 and _audit_count() != before:
            wrong.append(f"{label} {method} {url} was refused but changed data")

    for (method, rule), spec in TABLE.items():
        url = _url(rule, mine)
        check(method, url, None, spec.get("anonymous", 401), "anonymous")
        check(method, url, dead["expired"], 401, "expired token")
        check(method, url, dead["revoked"], 401, "revoked token")
        for role in ROLES:
            check(method, url, write[role], spec["mine"].get(role, 403), f"{role} (write)")
            want_read = 403 if method == "POST" else spec["mine"].get(role, 403)
            check(method, url, read[role], want_read, f"{role} (read-only)")
            if "other" in spec and _url(rule, other) != url:
                check(method, _url(rule, other), write[role], spec["other"].get(role, 403),
                      f"{role} (write, other's object)")  # fmt: skip
    assert wrong == [], "\n".join(wrong)
