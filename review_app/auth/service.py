"""User verbs: create accounts, authenticate (same answer for every refusal, throttled per
name and address, a high per-account ceiling that locks and is audited)."""

import re
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput
from ..extensions import db
from ..programs.models import Prefecture
from . import throttle
from .models import ROLES, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 8  # an initial password set by someone else (changed at first sign-in)
# Every refusal of a sign-in says this: unknown name, wrong password, locked or disabled.
LOGIN_REFUSED = "用户名或密码错误。"
# ... and this while the name is throttled from this address, whether the name exists or not.
LOGIN_THROTTLED = "用户名或密码错误。尝试次数过多，请稍后再试。"


def prefecture_scope(role: str, prefecture: str | None, enterprise_id: int | None):
    """(prefecture row or None, enterprise id or None) for an account of ``role``; a Chinese
    refusal when the scope does not fit the role."""
    if role not in ROLES:
        raise InvalidInput(f"角色无效：{role}（可选：{'、'.join(ROLES)}）。")
    pref = None
    if role == "prefecture" and not prefecture:
        raise InvalidInput("地市主管部门账号须指定所属地市（--prefecture）。")
    if role in ("prefecture", "inspector") and prefecture:
        # An inspector's prefecture is where they are based: the 同地市回避 rule uses it.
        pref = db.session.execute(
            select(Prefecture).where(Prefecture.name == prefecture)
        ).scalar_one_or_none()
        if pref is None:
            raise InvalidInput(f"未知地市：{prefecture}。请使用附件3中的名称，如“洛阳市”。")
    elif prefecture:
        raise InvalidInput("只有地市主管部门和实地核查人员账号可以指定地市。")
    if role == "applicant" and enterprise_id is None:
        raise InvalidInput("申报企业账号须关联企业。")
    return pref, (enterprise_id if role == "applicant" else None)


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    prefecture: str | None = None,
    enterprise_id: int | None = None,
    actor=None,
    actor_label: str | None = None,
    must_change_password: bool = True,
) -> User:
    """Create an account; refuse with a Chinese message on any invalid value. The password is
    someone else's choice, so it must be changed at first sign-in unless the caller says not
    (the demo's and the tests' published passwords)."""
    if role not in ROLES:
        raise InvalidInput(f"角色无效：{role}（可选：{'、'.join(ROLES)}）。")
    if not USERNAME_RE.match(username or ""):
        raise InvalidInput("用户名须为3–64位字母、数字、下划线、点或连字符。")
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"密码至少{MIN_PASSWORD}位。")
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise InvalidInput(f"用户名已存在：{username}。")
    pref, enterprise_id = prefecture_scope(role, prefecture, enterprise_id)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        prefecture_id=pref.id if pref else None,
        enterprise_id=enterprise_id,
        failed_logins=0,
        is_active_account=True,
        must_change_password=must_change_password,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        "user",
        user.id,
        actor=actor,
        actor_label=actor_label,
        after={"username": username, "role": role, "prefecture": prefecture or ""},
    )
    return user


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-password-of-anyone", method=method)


def _check(user: User | None, password: str) -> bool:
    """Hash the password whether or not the account exists, so timing tells nothing."""
    if user is None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        check_password_hash(_dummy_hash(method), password)
        return False
    return user.check_password(password)


def authenticate(username: str, password: str, address: str = "") -> tuple[User | None, str | None]:
    """Return (user, None) on success or (None, Chinese message): the same message for an
    unknown name, a wrong password, a locked or a disabled account. A name throttled from
    this address is refused before its password is looked at. Flushes its counters: the
    caller commits even a refusal."""
    now = utcnow()
    username = (username or "").strip()
    if throttle.blocked(username, address, now):
        return None, LOGIN_THROTTLED
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    right = _check(user, password)
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    if right and not locked and user.is_active_account:
        user.failed_logins = 0
        user.failures_since = None
        user.locked_until = None
        user.last_login_at = now
        throttle.forget(username, address)
        db.session.flush()
        return user, None
    throttle.record_failure(username, address, now)
    if user is not None and not right and not locked:
        _count_account_failure(user, now)
    db.session.flush()
    return None, LOGIN_THROTTLED if throttle.blocked(username, address, now) else LOGIN_REFUSED


def _count_account_failure(user: User, now) -> None:
    """The ceiling across all addresses: too many failures within the window lock the
    account (audited); the administrator can unlock it."""
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_ACCOUNT_WINDOW_MINUTES"])
    if user.failures_since is None or now - user.failures_since > window:
        user.failures_since = now
        user.failed_logins = 0
    user.failed_logins += 1
    if user.failed_logins >= config["LOGIN_ACCOUNT_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=config["LOGIN_ACCOUNT_LOCK_MINUTES"])
        failures = user.failed_logins
        user.failed_logins = 0
        user.failures_since = None
        db.session.flush()
        audit.record("user.locked", "user", user.id, actor_label="system",
                     after={"failures": failures, "until": user.locked_until})  # fmt: skip
