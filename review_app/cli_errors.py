"""What the ``review-app`` command says when a command fails: one Chinese sentence naming the
cause (never a password from the database URL) and an exit code, instead of a traceback.

Exit 2: the configuration, the database or a file is not usable, or a domain refusal; exit 1:
anything unexpected. ``--traceback`` or ``REVIEW_APP_DEBUG=1`` shows the traceback instead.
"""

import os
import re

from flask import current_app, has_app_context
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from .errors import DomainError

NOT_INITIALISED = "数据库尚未初始化：请先运行 review-app init。"
_CREDENTIALS = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_DRIVERS = {"MySQLdb", "pymysql", "cx_Oracle", "oracledb", "pyodbc", "psycopg2", "asyncpg"}


def debug_wanted(flag: bool) -> bool:
    return flag or os.environ.get("REVIEW_APP_DEBUG", "") not in ("", "0")


def configured_url() -> str:
    """The database URL the command runs against (the app's, else the environment's)."""
    if has_app_context():
        return str(current_app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    return os.environ.get("DATABASE_URL", "")


def safe_url(url: str) -> str:
    """The URL with its password masked, for messages."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            return f"SQLite 文件 {parsed.database or '（内存）'}"
        return parsed.render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _CREDENTIALS.sub(r"\1***@", url) if url else "（未设置）"


def scrub(text: str, url: str = "") -> str:
    """Remove any password (of ``url`` or in a URL inside ``text``) from a message."""
    text = _CREDENTIALS.sub(r"\1***@", text)
    try:
        password = make_url(url).password if url else None
    except (ArgumentError, ValueError):
        password = None
    if password:
        text = text.replace(str(password), "***")
    return text


def describe(err: BaseException) -> tuple[str, int]:
    """(Chinese message, exit code) for an exception that escaped a command."""
    url = configured_url()
    if isinstance(err, DomainError):
        return f"错误：{err.message}", 2
    if isinstance(err, ArgumentError) and not isinstance(err, NoSuchModuleError):
        return ("数据库地址无效：DATABASE_URL 不是可识别的地址（应如 "
                "postgresql://用户@主机:端口/库名 或 sqlite:///文件路径）。", 2)  # fmt: skip
    if isinstance(err, NoSuchModuleError) or (
        isinstance(err, ImportError) and (err.name or "").split(".")[0] in _DRIVERS
    ):
        scheme = url.split("://", 1)[0] if "://" in url else url
        return f"不支持的数据库地址：{scheme}://…（本系统支持 PostgreSQL 和 SQLite）。", 2
    if isinstance(err, DBAPIError):
        return _database_message(err, url), 2
    if isinstance(err, SQLAlchemyError):
        return f"数据库错误：{scrub(str(err).splitlines()[0], url)}", 2
    if isinstance(err, PermissionError):
        return f"没有权限访问文件：{err.filename or err}。", 2
    if isinstance(err, OSError):
        where = f"：{err.filename}" if err.filename else ""
        return f"文件或系统错误（{err.strerror or err}）{where}。", 2
    first = scrub(str(err).splitlines()[0] if str(err) else "", url)
    return (f"内部错误（{type(err).__name__}：{first}）。"
            "加 --traceback 或设置 REVIEW_APP_DEBUG=1 可查看详细信息。", 1)  # fmt: skip


def _database_message(err: DBAPIError, url: str) -> str:
    original = str(err.orig) if err.orig is not None else str(err)
    text = original.lower()
    where = safe_url(url)
    if (
        getattr(err.orig, "sqlstate", None) == "42P01"
        or "no such table" in text
        or ("relation" in text and "does not exist" in text)
    ):
        return NOT_INITIALISED
    if "readonly database" in text or "read-only" in text or "read only" in text:
        return f"数据库只读，无法写入：{where}（检查文件或目录的写权限）。"
    if "unable to open database file" in text:
        return f"无法打开数据库文件：{where}（目录不存在或没有权限）。"
    if "database" in text and "does not exist" in text:
        return f"数据库不存在：{where}（请先创建数据库，再运行 review-app init）。"
    if "password authentication failed" in text or "authentication" in text:
        return f"数据库拒绝登录：{where}（用户名或密码不对）。"
    if "connection refused" in text or "connection failed" in text or "could not" in text:
        reason = scrub(original.strip().splitlines()[0], url)
        return f"无法连接数据库：{where}（{reason}）。"
    return f"数据库错误：{scrub(original.strip().splitlines()[0], url)}（{where}）。"
