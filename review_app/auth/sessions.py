"""Signed-in sessions end on the server: after ``SESSION_IDLE_MINUTES`` without a request and
``SESSION_MAX_HOURS`` after sign-in, from two times kept in the signed session cookie (sign-in
and last seen; last seen is rewritten at most once a minute, so most answers set no cookie).
An account that must change its password reaches only that page and logout."""

from datetime import datetime

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..clock import utcnow
from ..web import local_path

LOGIN_AT = "_login_at"
SEEN_AT = "_seen_at"
SEEN_EVERY = 60  # seconds
EXPIRED = "登录已超时，请重新登录。"
UNSAVED = (
    "刚才提交的内容未能保存，请重新登录后再提交一次；评分表中已填写的内容保存在本浏览器中，"
    "重新打开评分页即可恢复。"
)
# Endpoints an account that must change its password may still reach.
OPEN_WHILE_CHANGING = frozenset({"auth.change_password", "auth.logout", "static",
                                 "main.healthz", "main.favicon"})  # fmt: skip
EPOCH = datetime(1970, 1, 1)


def _now() -> int:
    return int((utcnow() - EPOCH).total_seconds())


def start(user) -> None:
    """Sign ``user`` in with a fresh session clock."""
    login_user(user)
    session[LOGIN_AT] = session[SEEN_AT] = _now()


def _expired(app) -> bool:
    now = _now()
    login_at, seen = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen, int):
        # A session from before these times were kept: its clock starts now.
        session[LOGIN_AT] = session[SEEN_AT] = now
        return False
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    lifetime = app.config["SESSION_MAX_HOURS"] * 3600
    if now - seen > idle or now - login_at > lifetime:
        return True
    if now - seen >= SEEN_EVERY:
        session[SEEN_AT] = now
    return False


def _back_to() -> str | None:
    """Where to go after signing in again: this page, or for a form post the page it came
    from (the same address when it can be opened)."""
    if request.method == "GET":
        return local_path(request.full_path.rstrip("?"))
    rule = request.url_rule
    return local_path(request.path) if rule is not None and "GET" in rule.methods else None


def init_sessions(app) -> None:
    @app.before_request
    def enforce_session_limits():
        if request.endpoint == "static" or request.path.startswith("/api/v"):
            return None  # the token API has no session
        if not current_user.is_authenticated:
            return None
        if _expired(app):
            logout_user()
            session.pop(LOGIN_AT, None)
            session.pop(SEEN_AT, None)
            flash(EXPIRED, "warning")
            if request.method != "GET":
                flash(UNSAVED, "warning")
            return redirect(url_for("auth.login", next=_back_to()))
        if current_user.must_change_password and request.endpoint not in OPEN_WHILE_CHANGING:
            return redirect(url_for("auth.change_password"))
        return None
