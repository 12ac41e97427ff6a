"""Tokens for API tests, and a request helper that carries only the token (no cookies)."""

from datetime import timedelta

from review_app.api import tokens
from review_app.api.models import ApiToken
from review_app.clock import utcnow
from review_app.extensions import db


def token_for(user, scope: str = "write", days: int = 30) -> str:
    _, secret = tokens.create(user, f"测试{scope}", scope, days)
    db.session.commit()
    return secret


def expired_token(user) -> str:
    row, secret = tokens.create(user, "过期", "write", 1)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    return secret


def revoked_token(user) -> str:
    row, secret = tokens.create(user, "撤销", "write", 30)
    tokens.revoke(row.id, user)
    db.session.commit()
    return secret


def call(app, method: str, path: str, token: str | None = None, **kwargs):
    """A fresh client per call: nothing but the token goes with the request."""
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    client = app.test_client()
    return client.open(path, method=method, headers=headers, **kwargs)


__all__ = ["ApiToken", "call", "expired_token", "revoked_token", "token_for"]
