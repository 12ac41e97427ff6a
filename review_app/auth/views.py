"""Login and logout; one's own password: change it, or reset it by a link sent by e-mail."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from ..extensions import db, limiter
from ..web import commit_or_flash, flash_hidden_errors, local_path
from . import accounts, sessions
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from .service import authenticate

bp = Blueprint("auth", __name__)

RESET_SENT = "如账号存在且登记了邮箱，重置链接已发送。"


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, never an open redirect."""
    return local_path(target) or url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user, error = authenticate(
            form.username.data.strip(), form.password.data, request.remote_addr or ""
        )
        if user is not None and not user.session_token:
            user.end_sessions()  # an account from before session tokens existed
        db.session.commit()  # keep failure counters and throttles
        if user is not None:
            sessions.start(user)
            flash(f"欢迎，{user.display_name}（{user.role_name}）。", "success")
            if user.must_change_password:
                flash("首次登录（或密码被重置）后须先修改密码。", "warning")
                return redirect(url_for(".change_password"))
            return redirect(_safe_next(request.args.get("next")))
        flash(error, "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("您已退出登录。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        ok, _ = commit_or_flash(
            lambda: accounts.change_password(
                user, form.current.data, form.new.data, form.confirm.data
            )
        )
        if ok:
            sessions.start(user)  # this session goes on with the new token; the others end
            flash("密码已修改；其他设备上的登录已退出。", "success")
            return redirect(url_for("main.index"))
        status = 400
    elif request.method == "POST":
        status = 400
        flash_hidden_errors(form)
    return render_template("auth/change_password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_reset(form.username.data)
        db.session.commit()
        flash(RESET_SENT, "success")  # the same answer whether the account exists or not
        return redirect(url_for(".login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reset_password():
    form = ResetPasswordForm()
    if request.method == "GET":
        form.token.data = request.args.get("t", "")
    if accounts.user_for_token(form.token.data or "") is None:
        flash("重置链接无效或已过期，请重新申请。", "error")
        return redirect(url_for(".forgot_password"))
    status = 200
    if form.validate_on_submit():
        ok, _ = commit_or_flash(
            lambda: accounts.reset_with_token(form.token.data, form.new.data, form.confirm.data)
        )
        if ok:
            if current_user.is_authenticated:
                logout_user()
            flash("密码已重新设置，请用新密码登录。", "success")
            return redirect(url_for(".login"))
        status = 400
    elif request.method == "POST":
        status = 400
        flash_hidden_errors(form)
    return render_template("auth/reset_password.html", form=form), status
