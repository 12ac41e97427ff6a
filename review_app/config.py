"""Configuration from the environment.

``REVIEW_APP_ENV``: ``production`` (default), ``development`` or ``testing``.
``DATABASE_URL``: SQLAlchemy URL; default an SQLite file in the instance folder.
``SECRET_KEY``: required in production; development keeps a generated one in the instance folder.
``HUEY_URL``: ``redis://…`` for production queues; default an SQLite file in the instance folder.
``RATELIMIT_STORAGE_URI``: Flask-Limiter storage (``memory://`` by default, ``redis://…``).
``REVIEW_APP_TODAY``: development and testing only: run the clock as if today were this date.
``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_SECURITY`` (``none``/``starttls``/``ssl``), ``SMTP_USERNAME``,
``SMTP_PASSWORD``, ``MAIL_FROM``: the outbox's mail server; without ``SMTP_HOST`` messages stay in
the outbox. ``APP_BASE_URL``: the address links in messages point to.
``WEBHOOK_ALLOWED_HOSTS``: comma-separated host names, IPs or CIDRs a webhook may post to although
they are not public addresses (an intranet receiver); empty by default.
``SESSION_IDLE_MINUTES`` (30), ``SESSION_MAX_HOURS`` (12): a signed-in session ends after this
long without a request, and this long after sign-in in any case.
``LOGIN_ACCOUNT_MAX_FAILURES`` (100) wrong passwords within ``LOGIN_ACCOUNT_WINDOW_MINUTES`` (60),
from any addresses, lock the account for ``LOGIN_ACCOUNT_LOCK_MINUTES`` (60).
``JOB_LEASE_SECONDS`` (900), ``JOB_MAX_ATTEMPTS`` (3): when a long job's worker is taken to have
died, and how often a job is resumed before it is failed.
``WORKER_PROCESSES`` (0: one per core): processes a batch (the simulation's intake, endorsement
and anonymisation) uses for its pure CPU-heavy work; 1 keeps it in the calling process.
"""

import os
import secrets
from datetime import date
from pathlib import Path

from .clock import offset_to
from .webhooks.egress import parse_allowed


class ConfigError(RuntimeError):
    """The app cannot start with this configuration."""


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` and ``postgresql://`` forms and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _development_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: Path, env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    mode = env.get("REVIEW_APP_ENV", "production")
    if mode not in {"production", "development", "testing"}:
        raise ConfigError(
            f"REVIEW_APP_ENV 取值无效：{mode}（应为 production、development 或 testing）"
        )
    instance_path.mkdir(parents=True, exist_ok=True)
    secret = env.get("SECRET_KEY")
    if not secret:
        if mode == "production":
            raise ConfigError(
                "生产模式必须设置 SECRET_KEY 环境变量；本地试用请设置 REVIEW_APP_ENV=development。"
            )
        secret = _development_secret(instance_path)
    clock_offset = None
    if env.get("REVIEW_APP_TODAY"):
        if mode == "production":
            raise ConfigError("REVIEW_APP_TODAY 只用于演示和测试，生产模式不能改变系统日期。")

        try:
            clock_offset = offset_to(date.fromisoformat(env["REVIEW_APP_TODAY"]))
        except ValueError as err:
            raise ConfigError("REVIEW_APP_TODAY 应为 YYYY-MM-DD 格式的日期。") from err
    smtp = _smtp_settings(env)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'review.sqlite3'}"
    return {
        "APP_MODE": mode,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "HUEY_URL": env.get("HUEY_URL", ""),
        "TESTING": mode == "testing",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": mode == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": mode == "production",
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") != "0",
        **_account_settings(env),
        # The form token lives as long as the session (which ends by SESSION_IDLE_MINUTES and
        # SESSION_MAX_HOURS): an expert scoring for over an hour loses nothing.
        "WTF_CSRF_TIME_LIMIT": None,
        "PAGE_SIZE": 50,
        # gc.freeze() once the app is built: the start-up objects (modules, tables, templates)
        # leave the cyclic collector's view, so a full collection no longer scans them (on the
        # 复议 page one request in three paid 120 ms for it). Production only by default.
        "GC_FREEZE": env.get("GC_FREEZE", "1" if mode == "production" else "0") == "1",
        "FROZEN_NOW": None,
        "CLOCK_OFFSET": clock_offset,
        **smtp,
        "APP_BASE_URL": env.get("APP_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # A delivery claimed longer ago than this is taken to have died with its worker.
        "OUTBOX_LEASE_SECONDS": _int_setting(env, "OUTBOX_LEASE_SECONDS", 600, low=0),
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "300/minute"),
        "WEBHOOK_ALLOWED_HOSTS": _webhook_allowed_hosts(env.get("WEBHOOK_ALLOWED_HOSTS", "")),
        # /api/v1/docs and openapi.json without signing in or a token.
        "API_DOCS_PUBLIC": env.get("API_DOCS_PUBLIC", "0").lower() in ("1", "true", "yes"),
        # A running job whose heartbeat is older than this lost its worker (jobs/lease.py); a job
        # taken this many times is failed rather than resumed again.
        "JOB_LEASE_SECONDS": _int_setting(env, "JOB_LEASE_SECONDS", 900, low=0),
        "JOB_MAX_ATTEMPTS": _int_setting(env, "JOB_MAX_ATTEMPTS", 3),
        # Processes for the CPU-heavy pure work of a batch (parallel.py): 0 = one per core,
        # 1 = none besides the calling process.
        "WORKER_PROCESSES": _int_setting(env, "WORKER_PROCESSES", 0, low=0),
        # Tests only: hold a worker after each progress commit so it can be killed midway.
        "JOB_TEST_PAUSE_SECONDS": (
            0.0 if mode == "production" else float(env.get("JOB_TEST_PAUSE_SECONDS") or 0)
        ),
    }


def _webhook_allowed_hosts(value: str) -> tuple[str, ...]:
    entries = tuple(e.strip() for e in value.split(",") if e.strip())
    try:
        parse_allowed(entries)
    except ValueError as err:
        raise ConfigError(
            f"WEBHOOK_ALLOWED_HOSTS 含无效的条目：{err}（应为主机名、IP 地址或网段，逗号分隔）"
        ) from None
    return entries


def _int_setting(env: dict[str, str], name: str, default: int, low: int = 1) -> int:
    try:
        value = int(env.get(name) or default)
    except ValueError as err:
        raise ConfigError(f"{name} 应为整数。") from err
    if value < low:
        raise ConfigError(f"{name} 不能小于{low}。")
    return value


def _account_settings(env: dict[str, str]) -> dict:
    """Sessions, sign-in throttling and passwords (README: Configuration)."""
    return {
        "SESSION_IDLE_MINUTES": _int_setting(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int_setting(env, "SESSION_MAX_HOURS", 12),
        # Per (name typed, address): this many failures are free, then waits of 1, 2, 4, …
        # minutes (at most the cap) before the next attempt is even checked.
        "LOGIN_THROTTLE_FREE_FAILURES": 5,
        "LOGIN_THROTTLE_MAX_MINUTES": 60,
        "LOGIN_THROTTLE_FORGET_HOURS": 24,
        "LOGIN_ACCOUNT_MAX_FAILURES": _int_setting(env, "LOGIN_ACCOUNT_MAX_FAILURES", 100),
        "LOGIN_ACCOUNT_WINDOW_MINUTES": _int_setting(env, "LOGIN_ACCOUNT_WINDOW_MINUTES", 60),
        "LOGIN_ACCOUNT_LOCK_MINUTES": _int_setting(env, "LOGIN_ACCOUNT_LOCK_MINUTES", 60),
        "PASSWORD_MIN_LENGTH": 10,
        "PASSWORD_RESET_MINUTES": 30,
    }


def _smtp_settings(env: dict[str, str]) -> dict:
    host = env.get("SMTP_HOST", "").strip()
    try:
        port = int(env.get("SMTP_PORT") or (465 if env.get("SMTP_SECURITY") == "ssl" else 25))
    except ValueError as err:
        raise ConfigError("SMTP_PORT 应为端口号（整数）。") from err
    security = env.get("SMTP_SECURITY") or {465: "ssl", 587: "starttls"}.get(port, "none")
    if security not in {"none", "starttls", "ssl"}:
        raise ConfigError("SMTP_SECURITY 取值无效（应为 none、starttls 或 ssl）。")
    mail_from = env.get("MAIL_FROM", "").strip()
    if host and not mail_from:
        raise ConfigError("设置了 SMTP_HOST 时必须同时设置发件地址 MAIL_FROM。")
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": port,
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "MAIL_FROM": mail_from,
    }
