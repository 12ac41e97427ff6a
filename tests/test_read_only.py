"""Pages marked ``reads_only`` (``review_app.web``): on PostgreSQL their GETs run without a
transaction, their POSTs in one; on every database a flush in such a GET is refused before
anything is written."""

import pytest
from sqlalchemy import event, func, select

from review_app import create_app
from review_app.audit import service as audit
from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.web import reads_only

from .conftest import csrf_from, login
from .scoring.test_scoring import COMMENT, _assigned, _mine, _values


@pytest.fixture()
def statements(app):
    """(statement, whether the DB-API connection was in autocommit) of every statement run."""
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0].upper(), conn.connection.dbapi_connection.autocommit))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_the_expert_pages_read_without_a_transaction_and_save_in_one(app, client, statements):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are a PostgreSQL setting (TEST_DATABASE_URL)")
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    url = f"/expert/assignments/{a.id}/score"
    for page in ("/dashboard/", url, "/expert/assignments", f"/expert/assignments/{a.id}"):
        db.session.commit()  # as each request's own session would be: no transaction open
        statements.clear()
        assert client.get(page).status_code == 200, page
        assert statements and all(auto for _, auto in statements), (page, statements)
    form = client.get(url).get_data(as_text=True)
    db.session.commit()
    data = {"csrf_token": csrf_from(form), "comment": COMMENT, "action": "save"}
    data.update({f"c_{code}": str(p) for code, (p, _) in _values(a.section).items()})
    statements.clear()
    assert client.post(url, data=data).status_code == 302
    writes = [s for s, _ in statements if s in ("INSERT", "UPDATE")]
    assert writes and not any(auto for _, auto in statements), statements
    # the next read is back in autocommit, and sees the draft
    db.session.commit()
    statements.clear()
    assert COMMENT in client.get(url).get_data(as_text=True)
    assert all(auto for _, auto in statements)


def test_a_page_marked_read_only_that_writes_is_refused_and_writes_nothing(app, database_url):
    fresh = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
         "SECRET_KEY": "test-secret"},
        env={"REVIEW_APP_ENV": "testing", "SECRET_KEY": "test-secret"},
    )  # fmt: skip

    def write():
        audit.record("test.write", "test", 1, actor_label="test")
        db.session.commit()
        return "written"

    fresh.add_url_rule("/marked", "marked", reads_only(lambda: write()))
    fresh.add_url_rule("/unmarked", "unmarked", lambda: write())
    fresh.add_url_rule("/marked-post", "marked_post", reads_only(lambda: write()),
                       methods=["POST"])  # fmt: skip
    count = select(func.count(AuditEvent.id))
    client = fresh.test_client()
    with fresh.app_context():
        before = db.session.scalar(count)
        with pytest.raises(RuntimeError, match="标为只读"):
            client.get("/marked")
        db.session.rollback()
        assert db.session.scalar(count) == before
        # the same view unmarked writes, and a POST to a marked view is not read-only
        assert client.get("/unmarked").get_data(as_text=True) == "written"
        fresh.config["WTF_CSRF_ENABLED"] = False
        assert client.post("/marked-post").get_data(as_text=True) == "written"
        assert db.session.scalar(count) == before + 2
        db.session.remove()
        db.engine.dispose()
