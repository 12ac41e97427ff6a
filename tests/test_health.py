"""Liveness (``/healthz``, ``/livez``) and readiness (``/readyz``, issue 17 point 18): readiness
answers 503 with a Chinese reason per check when the database is unreachable or dropped, read-
only, not initialised or behind the code, or the queue's storage fails; 200 otherwise; it needs
no login, shows no URL or password and writes nothing. Each case runs on its own database: a
temporary SQLite file, or a PostgreSQL database created for it when ``TEST_DATABASE_URL`` points
at PostgreSQL."""

import os
from datetime import datetime

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from review_app import create_app
from review_app.audit.models import AuditEvent
from review_app.cli import upgrade_schema
from review_app.extensions import db
from review_app.jobs.queue import huey

PASSWORD = "hunter2-do-not-show"
BASE = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRESQL = BASE.startswith("postgresql")


def _admin():
    url = make_url(BASE)
    return dict(host=url.host, port=url.port or 5432, user=url.username, dbname="postgres")


@pytest.fixture()
def fresh_url(tmp_path):
    """An empty database of the backend under test."""
    if not ON_POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'ready.sqlite3'}"
        return
    name = f"readyz_{os.getpid()}_{int(datetime.now().timestamp() * 1000)}"
    with psycopg.connect(**_admin(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(BASE).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(**_admin(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _app(url):
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"},
        env={"REVIEW_APP_ENV": "testing", "SECRET_KEY": "x"},
    )


def _initialised(url):
    app = _app(url)
    with app.app_context():
        upgrade_schema()
        db.session.remove()
    return app


def _ready(app):
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.headers["Content-Type"] == "application/json"
    assert PASSWORD not in response.get_data(as_text=True)
    assert "127.0.0.1" not in response.get_data(as_text=True)
    return response.status_code, body


def _dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_ready_when_everything_holds_and_nothing_is_written(app):
    tables = db.metadata.sorted_tables
    counts = [db.session.scalar(select(func.count()).select_from(t)) for t in tables]
    head = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    db.session.commit()
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "schema": "ok", "writable": "ok", "queue": "ok"},
    }
    assert "Set-Cookie" not in response.headers  # no login, no session
    assert [db.session.scalar(select(func.count()).select_from(t)) for t in tables] == counts
    assert db.session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ) == head  # fmt: skip
    assert "readyz_probe" not in db.inspect(db.engine).get_table_names()
    for path in ("/healthz", "/livez"):
        assert client.get(path).get_json() == {"status": "ok"}


def test_unreachable_database_is_not_ready_but_alive(tmp_path):
    if ON_POSTGRESQL:
        url = make_url(BASE).set(password=PASSWORD, port=1).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'review.sqlite3'}"
    app = _app(url)
    status, body = _ready(app)
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"] == "数据库无法连接"
    assert body["checks"]["schema"].startswith("未检查")
    assert body["checks"]["queue"] == "ok"
    assert app.test_client().get("/healthz").status_code == 200  # liveness needs no database
    _dispose(app)


def test_dropped_database_is_not_ready(fresh_url):
    app = _initialised(fresh_url)
    assert _ready(app)[0] == 200
    if ON_POSTGRESQL:
        name = make_url(fresh_url).database
        with psycopg.connect(**_admin(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        expected = ("database", "数据库无法连接")
    else:
        _dispose(app)
        os.remove(make_url(fresh_url).database)  # SQLite opens a new, empty file
        expected = ("schema", "数据库尚未初始化：请运行 review-app init")
    status, body = _ready(app)
    assert status == 503 and body["checks"][expected[0]] == expected[1]
    _dispose(app)


def test_schema_missing_or_behind_is_not_ready(fresh_url):
    app = _app(fresh_url)
    status, body = _ready(app)
    assert status == 503
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["schema"] == "数据库尚未初始化：请运行 review-app init"
    with app.app_context():
        upgrade_schema()
        db.session.execute(
            text("UPDATE alembic_version SET version_num = '0006_outbox_draws_pledge'")
        )
        db.session.commit()
        db.session.remove()
    status, body = _ready(app)
    assert status == 503 and "不一致" in body["checks"]["schema"]
    _dispose(app)


def test_read_only_database_is_not_ready(fresh_url):
    app = _initialised(fresh_url)
    _dispose(app)
    if ON_POSTGRESQL:
        name = make_url(fresh_url).database
        with psycopg.connect(**_admin(), autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        expected = "数据库处于只读模式，不能写入"
    else:  # the file opened read-only (a read-only mount or file does the same)
        path = make_url(fresh_url).database
        app = _app(f"sqlite:///file:{path}?mode=ro&uri=true")
        expected = "数据库文件不可写"
    status, body = _ready(app)
    assert status == 503
    assert body["checks"] == {"database": "ok", "schema": "ok", "writable": expected,
                              "queue": "ok"}  # fmt: skip
    _dispose(app)


def test_queue_storage_failing_is_not_ready(app, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError(f"redis://:{PASSWORD}@127.0.0.1:6379/0 refused")

    monkeypatch.setattr(huey.storage, "put_data", broken)
    status, body = _ready(app)
    assert status == 503 and body["checks"]["queue"] == "任务队列存储不可用"
    assert body["checks"]["database"] == "ok"
