"""Login and logout."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..web import local_path
from .forms import LoginForm
from .service import authenticate

bp = Blueprint("auth", __name__)


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
        user, error = authenticate(form.username.data.strip(), form.password.data)
        if user is not None and not user.session_token:
            user.end_sessions()  # an account from before session tokens existed
        db.session.commit()  # keep failure counters and lockouts
        if user is not None:
            login_user(user)
            flash(f"欢迎，{user.display_name}（{user.role_name}）。", "success")
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
