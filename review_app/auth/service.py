"""User verbs: create accounts, authenticate with lockout."""

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput
from ..extensions import db
from ..programs.models import Prefecture
from .models import ROLES, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD = 8


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
) -> User:
    """Create an account; refuse with a Chinese message on any invalid value."""
    if role not in ROLES:
        raise InvalidInput(f"角色无效：{role}（可选：{'、'.join(ROLES)}）。")
    if not USERNAME_RE.match(username or ""):
        raise InvalidInput("用户名须为3–64位字母、数字、下划线、点或连字符。")
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"密码至少{MIN_PASSWORD}位。")
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise InvalidInput(f"用户名已存在：{username}。")
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
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        prefecture_id=pref.id if pref else None,
        enterprise_id=enterprise_id if role == "applicant" else None,
        failed_logins=0,
        is_active_account=True,
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


def authenticate(username: str, password: str) -> tuple[User | None, str | None]:
    """Return (user, None) on success or (None, Chinese message). Counts failures; locks."""
    generic = "用户名或密码错误。"
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    now = utcnow()
    if user is None:
        return None, generic
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return None, f"登录失败次数过多，账号已锁定，请{minutes}分钟后再试。"
    if not user.is_active_account:
        return None, "该账号已停用，请联系系统管理员。"
    if not user.check_password(password):
        user.failed_logins += 1
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        if user.failed_logins >= limit:
            user.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record("user.locked", "user", user.id, actor_label="system")
            return (
                None,
                f"连续{limit}次密码错误，账号已锁定{current_app.config['LOGIN_LOCK_MINUTES']}分钟。",
            )
        return None, generic
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user, None
