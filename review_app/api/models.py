"""ApiToken (a personal API token, stored hashed) and ApiRequest (every use, logged)."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..modelbase import one_of

TOKEN_SCOPES = {"read": "只读", "write": "读写"}


class ApiToken(db.Model):
    """The token itself is shown once; ``token_hash`` is its SHA-256 (tokens are long random
    strings, so a fast hash is enough), ``prefix`` its first characters for display."""

    __tablename__ = "api_token"
    __table_args__ = (one_of("scope", tuple(TOKEN_SCOPES)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10), default="read")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_name(self) -> str:
        return TOKEN_SCOPES[self.scope]


class ApiRequest(db.Model):
    """One use of a token (or a refused attempt with a token that did not open)."""

    __tablename__ = "api_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_token.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int]
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
