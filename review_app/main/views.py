"""Home: send each role to its main page."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {
    "coordinator": "dashboard.home",
    "prefecture": "dashboard.home",
    "applicant": "applications.index",
    "expert": "dashboard.home",
    "inspector": "dashboard.home",
    "admin": "admin.users",
}


@bp.route("/")
@login_required
def index():
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


@bp.route("/favicon.ico")
def favicon():
    """No icon: answer 204 so browsers stop asking (and logs stay clean)."""
    return "", 204
