"""The expert's pages: own assignments only, anonymised text only."""

from io import BytesIO

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user
from sqlalchemy import select

from ..anonymise.packet import packet_filename, section_packet
from ..anonymise.service import check_distributable, expert_refusal
from ..assignment.models import Assignment
from ..auth.permissions import permission_required
from ..extensions import db
from ..programs.models import TRACK_NAMES
from ..web import reads_only
from .permissions import can_review
from .service import expert_of

bp = Blueprint("expert", __name__, url_prefix="/expert")


@bp.route("/assignments")
@reads_only
@permission_required(can_review)
def assignments():
    expert = expert_of(current_user)
    rows = []
    if expert is not None:
        rows = (
            db.session.execute(
                select(Assignment)
                .where(Assignment.expert_id == expert.id)
                .order_by(Assignment.due_date, Assignment.id)
            )
            .scalars()
            .all()
        )
    return render_template("experts/assignments.html", rows=rows, expert=expert)


def _own_assignment(assignment_id: int) -> Assignment:
    item = db.session.get(Assignment, assignment_id)
    if item is None:
        abort(404)
    if not can_review(current_user, item):
        abort(403)
    return item


@bp.route("/assignments/<int:assignment_id>")
@reads_only
@permission_required(can_review)
def assignment(assignment_id: int):
    item = _own_assignment(assignment_id)
    return render_template(
        "experts/assignment.html", item=item, refusal=expert_refusal(item.section)
    )


@bp.route("/assignments/<int:assignment_id>/packet.docx")
@permission_required(can_review)
def packet(assignment_id: int):
    """The anonymised section as .docx, named by code and section only."""
    item = _own_assignment(assignment_id)
    section = item.section
    check_distributable(section)  # never a text that is not confirmed anonymous (409)
    code = item.application.anon_code
    data = section_packet(code, TRACK_NAMES[item.application.track_code], section.title,
                          section.anonymised_text)  # fmt: skip
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=packet_filename(code, section.title),
    )
