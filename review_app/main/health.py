"""Readiness (``/readyz``): can this instance serve? Each check answers "ok" or a Chinese reason;
none writes to the application's tables, and no reason carries a URL, a host or a password
(the exception goes to the log only).

- ``database``: a connection and ``SELECT 1``;
- ``schema``: ``alembic_version`` holds the migrations' head (``review-app init`` was run with
  this version of the code);
- ``writable``: PostgreSQL is not a standby (``pg_is_in_recovery()``) and the session is not
  read-only (``transaction_read_only``, set by ``default_transaction_read_only``); SQLite takes
  the write lock and creates a probe table in a transaction that is rolled back, which fails on a
  read-only file, mount or connection;
- ``queue``: the Huey storage (Redis or its SQLite file) stores and returns a probe value.
"""

import logging
from functools import cache

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

OK = "ok"
NOT_CHECKED = "未检查：数据库无法连接"
PROBE_KEY = "review-app:readyz"
SQLITE_LOCK_WAIT_MS = 1000  # a probe that waits longer on another writer reports "busy"


@cache
def schema_heads(migrations: str) -> frozenset[str]:
    return frozenset(ScriptDirectory(migrations).get_heads())


def check_database(engine: Engine, migrations: str) -> dict[str, str]:
    """The ``database``, ``schema`` and ``writable`` checks (one connection, nothing kept)."""
    out = {"database": NOT_CHECKED, "schema": NOT_CHECKED, "writable": NOT_CHECKED}
    try:
        conn = engine.connect()
    except Exception:
        log.warning("readyz: cannot connect to the database", exc_info=True)
        out["database"] = "数据库无法连接"
        return out
    try:
        try:
            conn.execute(text("SELECT 1")).scalar_one()
        except Exception:
            log.warning("readyz: the database does not answer", exc_info=True)
            out["database"] = "数据库无法查询"
            return out
        out["database"] = OK
        out["schema"] = _schema(conn, migrations)
        conn.rollback()
        if engine.dialect.name == "postgresql":
            out["writable"] = _postgresql_writable(conn)
        elif engine.dialect.name == "sqlite":
            out["writable"] = _sqlite_writable(conn)
        else:
            out["writable"] = OK
    finally:
        conn.rollback()
        conn.close()
    return out


def _schema(conn, migrations: str) -> str:
    try:
        versions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:
        log.info("readyz: no alembic_version table", exc_info=True)
        return "数据库尚未初始化：请运行 review-app init"
    if not versions:
        return "数据库尚未初始化：请运行 review-app init"
    if versions != schema_heads(migrations):
        return "数据库结构与程序版本不一致：请运行 review-app init 升级"
    return OK


def _postgresql_writable(conn) -> str:
    try:
        recovery, read_only = conn.execute(
            text("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
        ).one()
    except Exception:
        log.warning("readyz: cannot read the database's write state", exc_info=True)
        return "无法确认数据库可写"
    if recovery:
        return "数据库为只读备库（恢复中），不能写入"
    if read_only == "on":
        return "数据库处于只读模式，不能写入"
    return OK


def _sqlite_writable(conn) -> str:
    """Take the write lock and write in a transaction that is rolled back."""
    raw = conn.connection.driver_connection
    (wait,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_MS}")
    try:
        raw.execute("BEGIN IMMEDIATE")
        try:
            raw.execute("CREATE TABLE readyz_probe (x INTEGER)")
        finally:
            raw.execute("ROLLBACK")
    except Exception as err:
        log.warning("readyz: SQLite refuses writes: %s", type(err).__name__)
        if "locked" in str(err) or "busy" in str(err):
            return "数据库正忙：写锁长时间被占用"
        return "数据库文件不可写"
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(wait)}")
    return OK


def check_queue(huey) -> str:
    """Store a probe value in the queue's storage and take it back."""
    try:
        huey.storage.put_data(PROBE_KEY, b"1")
        huey.storage.pop_data(PROBE_KEY)
    except Exception:
        log.warning("readyz: the queue storage fails", exc_info=True)
        return "任务队列存储不可用"
    return OK


def readiness(engine: Engine, migrations: str, huey) -> tuple[bool, dict[str, str]]:
    checks = check_database(engine, migrations) | {"queue": check_queue(huey)}
    return all(v == OK for v in checks.values()), checks
