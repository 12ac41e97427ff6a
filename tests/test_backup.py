"""``review-app backup`` / ``restore`` round-trip a database with everything in it: accounts,
an uploaded 申报书 stored as bytes, its application and the audit chain. Runs on its own
database: a temporary SQLite file, or a PostgreSQL database created for the test when
``TEST_DATABASE_URL`` points at PostgreSQL."""

import hashlib
import os
import re
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from review_app import backup as backup_module
from review_app import create_app
from review_app.applications.models import SourceFile
from review_app.audit import service as audit
from review_app.auth.models import User
from review_app.cli import main
from review_app.extensions import db

from .intake.conftest import docx_for, valid_sample


@pytest.fixture()
def database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'round-trip.sqlite3'}"
        return
    url = make_url(base)
    name = f"backup_{os.getpid()}_{int(datetime.now().timestamp())}"
    admin = dict(host=url.host, port=url.port or 5432, user=url.username, dbname="postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(database_url):
    runner = CliRunner(env={"DATABASE_URL": database_url, "REVIEW_APP_ENV": "development",
                            "SECRET_KEY": "x", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})  # fmt: skip

    def run(*args):
        result = runner.invoke(main, list(args))
        return result.exit_code, result.output

    return run


def _state(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"},
                     env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"})  # fmt: skip
    with app.app_context():
        users = set(db.session.execute(select(User.username)).scalars())
        files = {f.filename: hashlib.sha256(f.data).hexdigest()
                 for f in db.session.execute(select(SourceFile)).scalars()}  # fmt: skip
        events = db.session.scalar(
            select(func.count()).select_from(db.metadata.tables["audit_event"])
        )
        db.session.remove()
        db.engine.dispose()
    return users, files, events


def _upload(database_url) -> str:
    from review_app.intake.service import import_docx
    from review_app.programs.models import Prefecture
    from review_app.programs.service import current_program

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                      "FROZEN_NOW": datetime(2026, 3, 20, 2, 0)},
                     env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"})  # fmt: skip
    with app.app_context():
        officer = db.session.execute(select(User).where(User.username == "ly-officer")).scalar_one()
        prefecture = db.session.execute(
            select(Prefecture).where(Prefecture.name == "洛阳市")
        ).scalar_one()  # fmt: skip
        data = docx_for(valid_sample())
        import_docx(current_program(), prefecture, data, "申报书.docx", officer)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return hashlib.sha256(data).hexdigest()


def test_backup_and_restore_round_trip(database_url, tmp_path):
    run = _cli(database_url)
    assert run("init")[0] == 0
    for username, role, extra in (("coord-b", "coordinator", []),
                                  ("ly-officer", "prefecture", ["--prefecture", "洛阳市"])):  # fmt: skip
        code, out = run("user", "create", "--username", username, "--role", role,
                        "--password", "Secret123!", *extra)  # fmt: skip
        assert code == 0, out
    digest = _upload(database_url)
    before = _state(database_url)
    assert before[1] == {"申报书.docx": digest}

    backup_file = tmp_path / "review.backup"
    code, out = run("backup", str(backup_file))
    assert code == 0, out
    assert "已备份" in out and backup_file.stat().st_size > 0

    # after the backup: another account and a wrecked file
    assert run("user", "create", "--username", "later", "--role", "coordinator",
               "--password", "Secret123!")[0] == 0  # fmt: skip
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"},
                     env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"})  # fmt: skip
    with app.app_context():
        db.session.execute(SourceFile.__table__.update().values(data=b"broken"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert "later" in _state(database_url)[0]

    code, out = run("restore", str(backup_file))
    assert code == 2 and "--yes" in out  # refuses without confirmation, nothing changed
    assert "later" in _state(database_url)[0]

    code, out = run("restore", str(backup_file), "--yes")
    assert code == 0, out
    assert "完整" in out
    assert _state(database_url) == before
    code, out = run("audit", "verify")
    assert code == 0 and "审计链完整" in out


def test_restore_refuses_a_file_that_is_not_a_backup(database_url, tmp_path):
    run = _cli(database_url)
    assert run("init")[0] == 0
    bogus = tmp_path / "not-a-backup.bin"
    bogus.write_bytes(b"hello")
    code, out = run("restore", str(bogus), "--yes")
    assert code == 2 and "错误" in out
    code, out = run("audit", "verify")
    assert code == 0


HEAD_RE = re.compile(r"审计链：(\d+) 条事件，链头 ([0-9a-f]{64})")


def _append_event(database_url) -> None:
    """Another process's write: one audit event, committed."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"},
                     env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"})  # fmt: skip
    with app.app_context():
        audit.record("test.concurrent", "test", 1, actor_label="concurrent")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("moment", ["before_dump", "during_dump"])
def test_backup_prints_the_audit_head_the_backup_holds(database_url, tmp_path, monkeypatch,
                                                       moment):  # fmt: skip
    """An event appended between the command's start and the dump (``before_dump``: once the
    command runs, before the dump; ``during_dump``: while pg_dump runs on PostgreSQL, just before
    the copy on SQLite): the printed head is the restored backup's."""
    run = _cli(database_url)
    assert run("init")[0] == 0
    assert run("user", "create", "--username", "coord-b", "--role", "coordinator",
               "--password", "Secret123!")[0] == 0  # fmt: skip
    if moment == "before_dump":
        real_backup = backup_module.backup

        def hooked(*args, **kwargs):
            _append_event(database_url)
            return real_backup(*args, **kwargs)

        monkeypatch.setattr(backup_module, "backup", hooked)
    elif database_url.startswith("postgresql"):
        real_run = backup_module._run

        def hooked(cmd, env):
            if Path(cmd[0]).name == "pg_dump":
                _append_event(database_url)
            return real_run(cmd, env)

        monkeypatch.setattr(backup_module, "_run", hooked)
    else:
        real_copy = backup_module._copy_sqlite

        def hooked(source, out):
            _append_event(database_url)
            return real_copy(source, out)

        monkeypatch.setattr(backup_module, "_copy_sqlite", hooked)

    backup_file = tmp_path / "review.backup"
    code, out = run("backup", str(backup_file))
    assert code == 0, out
    printed = HEAD_RE.search(out).groups()
    monkeypatch.undo()
    _append_event(database_url)  # after the backup: not in it
    code, out = run("restore", str(backup_file), "--yes")
    assert code == 0, out
    assert HEAD_RE.search(out).groups() == printed
    code, out = run("audit", "verify")
    assert code == 0 and printed[1] in out
