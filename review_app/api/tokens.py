"""Personal API tokens: created and revoked by their user, shown once, stored as a SHA-256
hash, each with a scope and an expiry; every use is logged."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from .models import TOKEN_SCOPES, ApiRequest, ApiToken

TOKEN_PREFIX = "rvw_"  # noqa: S105 - the visible prefix of every token, not a secret
MAX_DAYS = 365
MAX_ACTIVE = 20


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(user, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns (the row, the token itself: shown once, never
    stored)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请为令牌填写用途名称（例如“统计系统对接”）。", "name")
    if len(name) > 100:
        raise InvalidInput("令牌名称不能超过100个字符。", "name")
    if scope not in TOKEN_SCOPES:
        raise InvalidInput("令牌权限应为“只读”或“读写”。", "scope")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"有效期应为1到{MAX_DAYS}天。", "days")
    if len(active_tokens(user)) >= MAX_ACTIVE:
        raise InvalidInput(f"每个账号最多保留{MAX_ACTIVE}个有效令牌，请先撤销不用的令牌。")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id, name=name, prefix=secret[:12], token_hash=token_hash(secret),
        scope=scope, created_at=now, expires_at=now + timedelta(days=days),
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.create", "api_token", row.id, actor=user,
                 after={"name": name, "scope": scope, "expires_at": row.expires_at})  # fmt: skip
    return row, secret


def active_tokens(user) -> list[ApiToken]:
    now = utcnow()
    return [t for t in tokens_of(user) if t.revoked_at is None and t.expires_at > now]


def tokens_of(user) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def revoke(token_id: int, user) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("没有这个令牌。")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
        audit.record("api_token.revoke", "api_token", row.id, actor=user,
                     after={"name": row.name})  # fmt: skip
    return row


def lookup(secret: str, now: datetime | None = None) -> tuple[ApiToken | None, str | None]:
    """(token, None) when ``secret`` opens; else (the token row or None, why not: a code)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None, "invalid_token"
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_hash(secret))
    ).scalar_one_or_none()
    if row is None:
        return None, "invalid_token"
    if row.revoked_at is not None:
        return row, "token_revoked"
    if row.expires_at <= (now or utcnow()):
        return row, "token_expired"
    if not row.user.is_active_account:
        return row, "account_disabled"
    return row, None


def log_use(token: ApiToken | None, method: str, path: str, status: int, addr: str) -> None:
    now = utcnow()
    db.session.add(
        ApiRequest(
            token_id=getattr(token, "id", None),
            at=now,
            method=method,
            path=path[:300],
            status=status,
            remote_addr=(addr or "")[:64],
        )  # fmt: skip
    )
    if token is not None and status < 400:
        token.last_used_at = now
