"""Account verbs: change one's own password, reset it by a link sent through the outbox, and
the administrator's reset (a one-time password), unlock, disable, enable and change of role.
Each flushes and writes its audit event; the caller commits."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from .. import datafiles
from ..admin.permissions import (
    can_disable_account,
    can_enable_account,
    can_manage_account,
    can_manage_users,
    can_unlock_account,
)
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, PermissionDenied
from ..experts.models import Expert
from ..extensions import db
from ..outbox import service as outbox
from ..outbox.models import OutboxMessage
from . import throttle
from .models import ROLES, User
from .service import prefecture_scope

RESET_SALT = "password-reset"
EPOCH = datetime(1970, 1, 1)
RESET_EVERY_MINUTES = 3
ONE_TIME_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def common_passwords() -> frozenset[str]:
    return frozenset(w.casefold() for w in datafiles.words("common_passwords.txt"))


def check_new_password(user: User, new: str, confirm: str | None = None) -> None:
    """Refuse (Chinese reason) a password that is short, holds the username, is common, or
    does not match its confirmation."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if confirm is not None and new != confirm:
        raise InvalidInput("两次输入的新密码不一致。", "confirm")
    if len(new or "") < minimum:
        raise InvalidInput(f"新密码至少{minimum}位。", "new")
    if user.username.casefold() in new.casefold():
        raise InvalidInput("新密码不能包含用户名。", "new")
    if new.casefold() in common_passwords() or len(set(new)) < 4:
        raise InvalidInput("新密码过于常见或简单，请换一个。", "new")


def _new_password(user: User, password: str) -> None:
    """Set the password and end every session and pending throttle of the account."""
    user.set_password(password)  # replaces the session token: every cookie issued dies
    user.locked_until = None
    user.failed_logins = 0
    user.failures_since = None
    throttle.forget(user.username)


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """The user's own change: the current password, then a new one that passes the rules."""
    if not user.check_password(current or ""):
        raise InvalidInput("当前密码不正确。", "current")
    if new == current:
        raise InvalidInput("新密码不能与当前密码相同。", "new")
    check_new_password(user, new, confirm)
    _new_password(user, new)
    user.must_change_password = False
    db.session.flush()
    audit.record("user.password_changed", "user", user.id, actor=user)


def _admin(actor, user: User | None = None) -> None:
    if not can_manage_users(actor):
        raise PermissionDenied("只有系统管理员可以管理账号。")
    if user is not None and not can_manage_account(actor, user):
        raise InvalidInput("不能对自己的账号执行此操作。")


def admin_reset(user: User, actor) -> str:
    """A one-time password (shown once to the administrator), changed at the next sign-in."""
    _admin(actor, user)
    password = "".join(secrets.choice(ONE_TIME_CHARS) for _ in range(14))
    _new_password(user, password)
    user.must_change_password = True
    db.session.flush()
    audit.record("user.password_reset", "user", user.id, actor=actor, after={"via": "admin"})
    return password


def unlock(user: User, actor) -> None:
    _admin(actor, user)
    if not can_unlock_account(actor, user):
        raise InvalidInput("该账号未被锁定。")
    before = {"locked_until": user.locked_until}
    user.locked_until = None
    user.failed_logins = 0
    user.failures_since = None
    throttle.forget(user.username)
    db.session.flush()
    audit.record("user.unlocked", "user", user.id, actor=actor, before=before)


def set_active(user: User, active: bool, actor) -> None:
    """Disable (its sessions end, its API tokens stop working) or re-enable an account."""
    _admin(actor, user)
    if not (can_enable_account if active else can_disable_account)(actor, user):
        raise InvalidInput("账号已是启用状态。" if active else "账号已是停用状态。")
    user.is_active_account = active
    if not active:
        user.end_sessions()
    db.session.flush()
    audit.record("user.enabled" if active else "user.disabled", "user", user.id, actor=actor)


def change_role(user: User, role: str, prefecture: str | None, actor) -> None:
    """A new role with the scope it needs (a prefecture officer needs a prefecture)."""
    _admin(actor, user)
    if role == "applicant" or role not in ROLES:
        raise InvalidInput("角色无效（申报企业账号随企业创建）。")
    if user.role == "expert" and role != "expert" and _expert_profile(user) is not None:
        raise InvalidInput("该账号有专家库档案，不能改为其他角色；请另建账号。")
    pref, enterprise_id = prefecture_scope(role, prefecture, None)
    before = {"role": user.role, "prefecture": user.prefecture.name if user.prefecture else ""}
    user.role = role
    user.prefecture_id = pref.id if pref else None
    user.enterprise_id = enterprise_id
    user.end_sessions()  # the pages open under the old role are gone with its session
    db.session.flush()
    audit.record("user.role_changed", "user", user.id, actor=actor, before=before,
                 after={"role": role, "prefecture": pref.name if pref else ""})  # fmt: skip


def _expert_profile(user: User) -> Expert | None:
    return db.session.execute(select(Expert).where(Expert.user_id == user.id)).scalar_one_or_none()


# -- reset by e-mail --------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    """Binds a link to the password it replaces: once used (or the password changes another
    way) the hash changes and the link is dead."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def reset_token(user: User) -> str:
    issued = int((utcnow() - EPOCH).total_seconds())
    return _serializer().dumps({"u": user.id, "h": _fingerprint(user), "t": issued})


def user_for_token(token: str) -> User | None:
    """The account a valid, unused, unexpired link resets; None otherwise."""
    try:
        data = _serializer().loads(token or "")
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    age = utcnow() - (EPOCH + timedelta(seconds=int(data.get("t", 0))))
    if age > timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"]) or age.days < 0:
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active_account or data.get("h") != _fingerprint(user):
        return None
    return user


def email_of(user: User) -> str:
    if user.email:
        return user.email
    expert = _expert_profile(user)
    return expert.email if expert is not None else ""


def request_reset(username: str) -> None:
    """Send a reset link to the account's registered address, if there is such an account;
    the caller answers the same either way."""
    user = db.session.execute(
        select(User).where(User.username == (username or "").strip())
    ).scalar_one_or_none()
    if user is None or not user.is_active_account or not email_of(user):
        return
    recent = db.session.execute(
        select(OutboxMessage.id).where(
            OutboxMessage.recipient_user_id == user.id,
            OutboxMessage.kind == "password_reset",
            OutboxMessage.created_at > utcnow() - timedelta(minutes=RESET_EVERY_MINUTES),
        )
    ).first()
    if recent is not None:
        return  # one link every few minutes, however often someone asks
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    outbox.compose(
        "password_reset", key=f"password_reset:{user.id}:{secrets.token_hex(8)}",
        template="password_reset", to_name=user.display_name, to_address=email_of(user),
        recipient=user, context={"name": user.display_name, "username": user.username,
                                 "token": reset_token(user), "minutes": minutes},
    )  # fmt: skip
    audit.record("user.password_reset_requested", "user", user.id, actor_label="system")


def reset_with_token(token: str, new: str, confirm: str) -> User:
    user = user_for_token(token)
    if user is None:
        raise InvalidInput("重置链接无效或已过期，请重新申请。")
    check_new_password(user, new, confirm)
    _new_password(user, new)
    user.must_change_password = False
    db.session.flush()
    audit.record("user.password_reset", "user", user.id, actor=user, after={"via": "link"})
    return user
