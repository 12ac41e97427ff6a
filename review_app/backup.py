"""Backup and restore of the whole database (files are stored in it, so this is everything).

SQLite: the sqlite3 online-backup API (a consistent copy while the app runs). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean --if-exists`` (the client tools must be
installed; Debian's postgresql-client). The database URL is SQLAlchemy's; it is turned into the
tools' own connection settings (never passed through a shell).

The audit chain reported with a backup is the one the backup holds, whatever is written while
it runs: on SQLite it is verified in the copy itself once written; on PostgreSQL in a
REPEATABLE READ transaction whose snapshot ``pg_dump --snapshot`` dumps.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with an argument list, no shell
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from .audit.chain import ChainReport
from .audit.service import verify


class BackupError(Exception):
    """A Chinese message for the command line."""


@dataclass
class BackupInfo:
    path: Path
    size: int
    sha256: str
    kind: str  # "sqlite" | "postgresql"
    audit: ChainReport  # the audit chain inside the backup


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份。")
    return Path(url.database)


def _pg_env(url) -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump/pg_restore."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}，请安装 PostgreSQL 客户端工具（postgresql-client）。")
    return path


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败：{result.stderr.strip()[-500:]}")


def backup(database_url: str, out: Path) -> BackupInfo:
    """Write the whole database to ``out``; the result names the audit chain it holds."""
    url = make_url(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(url), out)
        report = _verify_at(url.set(database=str(out), query={}))
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        report = _dump_postgresql(url, out)
        kind = "postgresql"
    else:
        raise BackupError(f"不支持的数据库：{url.get_backend_name()}")
    return BackupInfo(out, out.stat().st_size, _digest(out), kind, report)


def _copy_sqlite(source_path: Path, out: Path) -> None:
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def _verify_at(url) -> ChainReport:
    """The audit chain of the database at ``url`` (the backup copy), read by its own engine."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            return verify(session)
    except SQLAlchemyError:
        raise BackupError(
            f"备份已写入 {url.database}，但读不出其中的审计链（数据库尚未初始化？）"
        ) from None
    finally:
        engine.dispose()


def _dump_postgresql(url, out: Path) -> ChainReport:
    """``pg_dump`` of the snapshot of a REPEATABLE READ transaction, and the audit chain read in
    that same snapshot (the transaction stays open until the dump is written)."""
    args, env = _pg_env(url)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ",
                                          postgresql_readonly=True)  # fmt: skip
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            with Session(bind=conn) as session:
                report = verify(session)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--snapshot", snapshot,
                  "--file", str(out), *args], env)  # fmt: skip
            conn.rollback()
    except SQLAlchemyError:
        raise BackupError("无法在数据库快照中读取审计链（数据库无法连接或尚未初始化）。") from None
    finally:
        engine.dispose()
    return report


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup's (the caller disposes its connections
    first and checks the result)."""
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        try:
            backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            backup_db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as err:
            raise BackupError(f"不是有效的 SQLite 备份文件：{err}") from None
        target = sqlite3.connect(_sqlite_path(url))
        try:
            with target:
                backup_db.backup(target)
        finally:
            backup_db.close()
            target.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_env(url)
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              *args, str(source)], env)  # fmt: skip
    else:
        raise BackupError(f"不支持的数据库：{url.get_backend_name()}")
