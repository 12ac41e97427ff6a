"""Pages around the API: 个人API令牌 (create, shown once; revoke) for every signed-in user,
the OpenAPI description and the documentation rendered on the server from it (no CDN, no
script), both for signed-in users and token holders unless ``API_DOCS_PUBLIC`` is set."""

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.permissions import permission_required
from ..clock import utcnow
from ..extensions import db
from ..web import commit_or_flash, valid_or_flash
from . import tokens
from .errors import ApiError
from .forms import TokenForm
from .models import TOKEN_SCOPES
from .permissions import can_use_api

bp = Blueprint("api_pages", __name__)


@bp.route("/settings/tokens", methods=["GET", "POST"])
@permission_required(can_use_api)
def token_settings():
    created = None
    if request.method == "POST":
        form = valid_or_flash(TokenForm)
        if form is not None and form.action.data == "revoke":
            commit_or_flash(lambda: tokens.revoke(form.token_id.data or 0, current_user))
        elif form is not None:
            days = form.days.data
            ok, result = commit_or_flash(lambda: tokens.create(
                current_user, form.name.data or "", form.scope.data or "read",
                days if days is not None else -1))  # fmt: skip
            if ok:
                created = result  # (row, secret): rendered in this response only, never stored
    return render_template(
        "api/tokens.html", rows=tokens.tokens_of(current_user), created=created,
        scopes=TOKEN_SCOPES, form=TokenForm(formdata=None), now=_now(),
    )  # fmt: skip


def _now():
    return utcnow()


def _docs_reader() -> bool:
    """May this request read the API description? Anyone when ``API_DOCS_PUBLIC`` is set; else
    a signed-in user or the holder of a valid token (whose use is logged like any API call).
    ``False``: nobody signed in and no token; a token that does not open answers 401."""
    if current_app.config.get("API_DOCS_PUBLIC") or current_user.is_authenticated:
        return True
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False
    row, why = tokens.lookup(header[len("Bearer ") :].strip())
    if row is not None:
        tokens.log_use(row, request.method, request.path, 401 if why else 200,
                       request.remote_addr or "")  # fmt: skip
        db.session.commit()
    if why is not None:
        raise ApiError(401, why, "令牌无效、已过期、已撤销或所属账号已停用。")
    return True


@bp.route("/api/v1/openapi.json")
def openapi_json():
    """The OpenAPI description (flask-smorest's own route is not registered: it has no
    access check)."""
    if not _docs_reader():
        raise ApiError(401, "token_missing", "请登录，或在 Authorization 请求头中以 "
                       "“Bearer 令牌” 提供个人API令牌。")  # fmt: skip
    return jsonify(current_app.extensions["review_api"].spec.to_dict())


@bp.route("/api/v1/docs")
def docs():
    if not _docs_reader():  # to sign in, and back (no flash: /api/ sets no cookie)
        return redirect(url_for("auth.login", next=request.path))
    spec = current_app.extensions["review_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec)
