"""What the users page (用户管理) lists: the accounts one page at a time, filtered by role,
status and a search, ordered from the URL, the total shown (issue 22 point 1)."""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from .. import paging
from ..auth.models import ROLES, User
from ..clock import utcnow
from ..paging import Page, like_pattern, paginate

STATUSES = {"active": "正常", "locked": "锁定", "disabled": "停用", "must_change": "待改初始密码"}
SORTS = {"role": "角色与用户名", "username": "用户名", "login": "最近登录", "newest": "最新创建"}
DEFAULTS = {"sort": "role"}


def filters() -> dict:
    """The list's filters from the URL; anything unknown is ignored."""
    return {
        "role": paging.choice("role", ROLES),
        "status": paging.choice("status", STATUSES),
        "q": paging.text_arg("q", 64),
        "sort": paging.sort_arg(SORTS),
    }


def list_args() -> dict:
    """The list's filters and page as URL arguments (after creating an account, back to them)."""
    return paging.list_args(filters(), DEFAULTS)


def _status(code: str):
    now = utcnow()
    locked = and_(User.locked_until.is_not(None), User.locked_until > now)
    return {
        "active": and_(User.is_active_account.is_(True),
                       or_(User.locked_until.is_(None), User.locked_until <= now)),
        "locked": locked,
        "disabled": User.is_active_account.is_(False),
        "must_change": User.must_change_password.is_(True),
    }[code]  # fmt: skip


def user_page(f: dict) -> Page:
    """One page (``?page=N``, ``PAGE_SIZE`` rows at most) of the accounts matching ``f``."""
    query = select(User).options(joinedload(User.prefecture))
    if f["role"]:
        query = query.where(User.role == f["role"])
    if f["status"]:
        query = query.where(_status(f["status"]))
    if f["q"]:
        like = like_pattern(f["q"])
        query = query.where(or_(User.username.like(like, escape="\\"),
                                User.display_name.like(like, escape="\\")))  # fmt: skip
    order = {
        "role": (User.role, User.username),
        "username": (User.username,),
        "login": (User.last_login_at.is_(None), User.last_login_at.desc(), User.username),
        "newest": (User.id.desc(),),
    }[f["sort"]]
    return paginate(query.order_by(*order))
