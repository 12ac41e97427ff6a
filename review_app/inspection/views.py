"""The inspector's pages: assigned inspections only."""

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import can_view_inspection, role_required
from ..extensions import db
from .models import Inspection, InspectionInspector

bp = Blueprint("inspection", __name__, url_prefix="/inspections")


@bp.route("/")
@role_required("inspector", "coordinator")
def index():
    query = select(Inspection).order_by(Inspection.id)
    if current_user.role == "inspector":
        query = query.join(InspectionInspector).where(
            InspectionInspector.user_id == current_user.id
        )
    rows = db.session.execute(query).scalars().all()
    return render_template("inspection/index.html", rows=rows)


@bp.route("/<int:inspection_id>")
@role_required("inspector", "coordinator")
def show(inspection_id: int):
    item = db.session.get(Inspection, inspection_id)
    if item is None:
        abort(404)
    if not can_view_inspection(current_user, item):
        abort(403)
    return render_template("inspection/show.html", item=item)
