"""The 归档 button: runs the archive of the selected program as a job (progress, then a .zip)."""

from flask import Blueprint, redirect, url_for

from ..auth.permissions import permission_required
from ..extensions import db
from ..form_fields import ActionForm
from ..jobs.views import start
from ..programs.selection import selected_program
from ..web import posted
from .permissions import can_archive
from .tasks import build_archive

bp = Blueprint("archive", __name__, url_prefix="/archive")


@bp.record_once
def _register_globals(state) -> None:
    state.app.jinja_env.globals["can_archive"] = can_archive


@bp.route("/run", methods=["POST"])
@permission_required(can_archive)
def run():
    posted(ActionForm)
    program = selected_program()
    job = start("archive", {"program_id": program.id, "filename": f"{program.name}-归档.zip"})
    db.session.commit()
    build_archive(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))
