"""Pages around the API: 个人API令牌 (create, shown once; revoke) for every signed-in user,
and the API documentation rendered on the server from the OpenAPI description (no CDN, no
script)."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from ..clock import utcnow
from ..web import commit_or_flash
from . import tokens
from .models import TOKEN_SCOPES

bp = Blueprint("api_pages", __name__)


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
def token_settings():
    created = None
    if request.method == "POST":
        action = request.form.get("action")
        if action == "revoke":
            commit_or_flash(lambda: tokens.revoke(request.form.get("token_id", type=int) or 0,
                                                  current_user))  # fmt: skip
        else:
            days = request.form.get("days", type=int)
            ok, result = commit_or_flash(lambda: tokens.create(
                current_user, request.form.get("name", ""), request.form.get("scope", "read"),
                days if days is not None else -1))  # fmt: skip
            if ok:
                created = result  # (row, secret): rendered in this response only, never stored
    return render_template(
        "api/tokens.html", rows=tokens.tokens_of(current_user), created=created,
        scopes=TOKEN_SCOPES, form=FlaskForm(), now=_now(),
    )  # fmt: skip


def _now():
    return utcnow()


@bp.route("/api/v1/docs")
def docs():
    spec = current_app.extensions["review_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec)
