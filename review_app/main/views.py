"""Home: send each role to its main page; liveness and readiness probes."""

from flask import Blueprint, current_app, redirect, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..jobs.queue import huey
from .health import readiness

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
@bp.route("/livez")
def healthz():
    """Liveness: the process answers (no database; a load balancer's probe stays cheap)."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Readiness: database reachable, schema initialised and current, writable, queue storage
    usable; 503 with a Chinese reason per failed check. Writes nothing to the app's tables."""
    ready, checks = readiness(db.engine, current_app.extensions["migrate"].directory, huey)
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return body, 200 if ready else 503, {"Cache-Control": "no-store"}


@bp.route("/favicon.ico")
def favicon():
    """No icon: answer 204 so browsers stop asking (and logs stay clean)."""
    return "", 204
