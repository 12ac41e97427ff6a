"""Fixtures: one schema per test session (built by the Alembic migrations), emptied and
reloaded with reference data before each test. ``TEST_DATABASE_URL`` selects the database
(PostgreSQL in CI); otherwise a temporary SQLite file."""

import os
import re
import threading
from contextlib import contextmanager
from datetime import datetime

os.environ["REVIEW_APP_ENV"] = "testing"

import psycopg
import pytest
from sqlalchemy import delete, event
from sqlalchemy.engine import make_url

from review_app import create_app
from review_app.extensions import db, limiter

BEFORE_DEADLINE = datetime(2026, 3, 20, 2, 0)  # 2026-03-20 10:00 Beijing time
AFTER_DEADLINE = datetime(2026, 4, 2, 2, 0)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """``TEST_DATABASE_URL`` as given; under pytest-xdist each worker gets its own PostgreSQL
    database beside it (``<name>_gw0``, created here and dropped at the end), since every test
    empties the tables it runs on."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    if not (worker and url.startswith("postgresql")):
        yield url
        return
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = dict(host=parsed.host, port=parsed.port or 5432, user=parsed.username,
                 password=parsed.password, dbname="postgres")  # fmt: skip
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield parsed.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": "localhost",
            # Cheap hashing keeps tests fast; production uses scrypt (werkzeug's default).
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        env={"REVIEW_APP_ENV": "testing", "SECRET_KEY": "test-secret"},
    )

    @app.teardown_request
    def _forget_user(exc):
        # Tests hold one app context across requests, so ``g`` outlives a request here: drop
        # Flask-Login's cached user so each request (and each test client) loads its own.
        from flask import g

        g.pop("_login_user", None)

    with app.app_context():
        from review_app.cli import upgrade_schema

        _drop_everything()
        upgrade_schema()
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


def _drop_everything():
    from sqlalchemy import text

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture()
def app(_app):
    """The app with an empty database holding only reference data; time frozen before the
    deadline unless a test changes ``app.config['FROZEN_NOW']``."""
    _app.config["FROZEN_NOW"] = BEFORE_DEADLINE
    # The limiter is one object for every app in the process: an app another test built with
    # the production default (limits on) must not leave them on for the session app.
    limiter.enabled = _app.config["RATELIMIT_ENABLED"]
    with _app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        from review_app.programs.service import load_reference_data

        load_reference_data()
        db.session.commit()
        yield _app
        db.session.rollback()
        db.session.remove()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page carries no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = "Passw0rd!"):
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def post_form(client, url: str, data: dict | None = None, token_page: str = "/"):
    """POST with a valid CSRF token taken from a page the signed-in user can open."""
    page = client.get(token_page, follow_redirects=True)
    token = csrf_from(page.get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


@pytest.fixture(scope="module")
def live_server(_app):
    """The session app on 127.0.0.1 at a free port, in a daemon thread; yields the base URL.

    The test config sets ``SERVER_NAME = "localhost"``; since Flask 3.1 it no longer restricts
    which Host a request may carry, and the app builds relative URLs, so the browser is pointed
    at ``http://localhost:<port>`` (Chromium resolves localhost to loopback itself)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@contextmanager
def statements():
    """The SQL statements the engine runs inside the ``with`` block, as a list."""
    seen: list[str] = []

    def record(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
