"""Backup and restore of the whole database (files are stored in it, so this is everything).

SQLite: the sqlite3 online-backup API (a consistent copy while the app runs). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore --clean --if-exists`` (the client tools must be
installed; Debian's postgresql-client). The database URL is SQLAlchemy's; it is turned into the
tools' own connection settings (never passed through a shell).
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with an argument list, no shell
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A Chinese message for the command line."""


@dataclass
class BackupInfo:
    path: Path
    size: int
    sha256: str
    kind: str  # "sqlite" | "postgresql"


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
    url = make_url(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_env(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), *args], env)
        kind = "postgresql"
    else:
        raise BackupError(f"不支持的数据库：{url.get_backend_name()}")
    return BackupInfo(out, out.stat().st_size, _digest(out), kind)


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
