"""User accounts and roles."""

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import Prefecture

ROLES: dict[str, str] = {
    "coordinator": "省厅协调员",
    "prefecture": "地市主管部门",
    "expert": "评审专家",
    "inspector": "实地抽查人员",
    "applicant": "申报企业",
    "admin": "系统管理员",
}


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        one_of("role", tuple(ROLES)),
        CheckConstraint(
            "role <> 'prefecture' OR prefecture_id IS NOT NULL", name="prefecture_scoped"
        ),
        CheckConstraint(
            "role <> 'applicant' OR enterprise_id IS NOT NULL", name="applicant_scoped"
        ),
        CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    prefecture_id: Mapped[int | None] = mapped_column(ForeignKey("prefecture.id"))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Wrong passwords across all addresses since ``failures_since`` (the per-account ceiling;
    # the per-address throttle is LoginThrottle).
    failed_logins: Mapped[int] = mapped_column(default=0)
    failures_since: Mapped[datetime | None] = mapped_column(DateTime)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    # Set for accounts created, imported or reset with a password someone else chose: every
    # page but the change of password and logout sends the user there.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Where the outbox sends this user's messages (result letters to prefecture officers).
    email: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # Part of the id kept in the session cookie: logging out (or a new password) replaces it,
    # so a cookie copied before that no longer opens a session.
    session_token: Mapped[str] = mapped_column(
        String(32), default=lambda: secrets.token_hex(16), server_default=""
    )

    prefecture: Mapped[Prefecture | None] = relationship()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued so far (logout, password change)."""
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_locked(self) -> bool:
        """Locked now by failed sign-ins: a lock whose time has passed no longer counts (the
        column keeps it until the next sign-in clears it)."""
        return self.locked_until is not None and self.locked_until > utcnow()

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginThrottle(db.Model):
    """Failed sign-ins of one (username, client address) pair, for growing delays.

    Keyed by a hash of the name as typed, so unknown names are throttled exactly like real
    ones (the answer must not tell them apart); kept in the database so every worker agrees."""

    __tablename__ = "login_throttle"
    __table_args__ = (
        UniqueConstraint("username_hash", "address"),
        CheckConstraint("failures >= 0", name="failures_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username_hash: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, index=True)
