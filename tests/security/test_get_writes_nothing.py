"""GETs write nothing: every GET route of the app (the token API included), with the ids of
the seeded world's objects (the role's own and someone else's), for every role and for an
anonymous visitor; the token API's routes are called with a token of the role. Around each
request the row count of every table and the audit chain's
head are read and must not move; and no INSERT, UPDATE or DELETE statement may run while a GET
is being answered (which also catches an update that leaves the counts alone). The writes
allowed are the token API's request log (``api_request``, and the token's ``last_used_at``):
an access log, like a web server's, not a change of anything the API serves; and the stored
aggregates (``score_aggregate``), figures derived from the reviews that a ranking page computes
when a review change made them invalid and keeps for the next page (``scoring.stored``): a
cache of what it shows, not a change of it."""

from flask import has_request_context, request
from sqlalchemy import event, func, literal_column, select

from review_app.api.models import ApiRequest
from review_app.audit.models import AuditEvent
from review_app.auth.models import User
from review_app.extensions import db
from review_app.scoring.models import ScoreAggregate

from ..api.helpers import token_for
from . import world as wmod
from .test_route_matrix import QUERY
from .world import ROLES

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")
API_LOG = ("INSERT INTO api_request", "UPDATE api_token SET last_used_at")
CACHE = ("INSERT INTO score_aggregate", "UPDATE score_aggregate SET rubric_key")


def _snapshot():
    """Every table's row count and the audit head, in one statement; the test's session is
    rolled back first so it sees what the request committed."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    counts = [select(func.count()).select_from(t).scalar_subquery() for t in tables]
    head = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery()
    row = db.session.execute(select(*counts, head, literal_column("1"))).one()
    return dict(zip([t.name for t in tables] + ["audit head"], row[:-1], strict=True))


def _user_id(world, role):
    return db.session.scalar(select(User.id).where(User.username == world.users[role]))


def _get_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"),
        key=lambda r: r.rule,
    )


def _url(rule, ids, world):
    missing = rule.arguments - set(ids)
    assert not missing, f"the world has no id for {rule.rule}: {missing}"
    path = rule.build({a: ids[a] for a in rule.arguments}, append_unknown=False)[1]
    query = QUERY.get(rule.endpoint)
    if query:
        path += "?" + "&".join(f"{k}={world.mine[v]}" for k, v in query.items())
    return path


def test_no_get_route_writes_for_any_role(app):
    world = wmod.build()
    rules = _get_rules(app)
    urls = []
    for rule in rules:
        variants = [world.mine]
        if any(world.mine[a] != world.other[a] for a in rule.arguments):
            variants.append(world.other)
        urls += [_url(rule, ids, world) for ids in variants]
    assert len(urls) > 60  # the whole app, not a handful

    statements = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        text = " ".join(statement.split())
        word = text.split(" ", 1)[0].upper() if text else ""
        if word not in WRITES or not has_request_context() or request.method != "GET":
            return
        if request.path.startswith("/api/") and text.startswith(API_LOG):
            return
        if text.startswith(CACHE):  # what a ranking page recomputed, kept (see above)
            return
        statements.append(f"{request.path}: {statement.split(chr(10))[0][:120]}")

    tokens = {role: token_for(db.session.get(User, _user_id(world, role))) for role in ROLES}
    problems = []
    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for role in (None, *ROLES):
            client = wmod.client_as(app, world.users[role] if role else None)
            who = role or "anonymous"
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
            for url in urls:
                before = _snapshot()
                statements.clear()
                response = client.get(url, headers=headers if url.startswith("/api/") else {})
                after = _snapshot()
                if url.startswith("/api/"):  # the request log may grow (see above)
                    before.pop(ApiRequest.__tablename__)
                    after.pop(ApiRequest.__tablename__)
                before.pop(ScoreAggregate.__tablename__)  # the stored aggregates (see above)
                after.pop(ScoreAggregate.__tablename__)
                if response.status_code >= 500:
                    problems.append(f"{who} GET {url}: {response.status_code}")
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                if changed:
                    problems.append(f"{who} GET {url} changed {changed}")
                if statements:
                    problems.append(f"{who} GET {url} wrote {statements[:3]}")
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    assert problems == [], "\n".join(problems)
