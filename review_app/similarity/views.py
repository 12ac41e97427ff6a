"""雷同检测 pages (coordinator only): the findings, one finding side by side, the verdict, and
running the detection on demand."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.permissions import permission_required
from ..errors import DomainError
from ..extensions import db
from ..form_fields import ActionForm
from ..jobs.tasks import queue_similarity
from ..paging import choice, paginate, text_arg
from ..programs.selection import selected_program
from ..web import flash_hidden_errors, keeps_input_on_csrf, posted, refusal_beside
from . import service
from .detect import settings_from
from .forms import MarkForm
from .highlight import segments
from .models import KINDS, STATUSES, SimilarityFinding
from .permissions import can_review_similarity

bp = Blueprint("similarity", __name__, url_prefix="/similarity")
PAGE_SIZE = 50


@bp.route("/")
@permission_required(can_review_similarity)
def index():
    program = selected_program()
    f = {
        "status": choice("status", STATUSES),
        "kind": choice("kind", KINDS),
        "q": text_arg("q"),
        "sort": choice("sort", service.FINDING_SORTS, "score"),
    }  # unknown values ignored
    page = paginate(service.findings(program, **f), size=PAGE_SIZE)
    return render_template(
        "similarity/index.html", page=page, filters=f, statuses=STATUSES, kinds=KINDS,
        sorts=service.FINDING_SORTS, settings=settings_from(program.settings), form=ActionForm(),
    )  # fmt: skip


@bp.route("/run", methods=["POST"])
@permission_required(can_review_similarity)
def run():
    posted(ActionForm)

    job = queue_similarity(selected_program().id, current_user.id)
    if job is None:
        flash("已有一项雷同检测在排队，它完成后即包含最新的申报。", "warning")
        return redirect(url_for(".index"))
    return redirect(url_for("jobs.show", job_id=job.id))


def _finding(finding_id: int) -> SimilarityFinding:
    finding = db.session.get(SimilarityFinding, finding_id)
    if finding is None:
        abort(404)
    return finding


@bp.route("/<int:finding_id>")
@permission_required(can_review_similarity)
def show(finding_id: int):
    finding = _finding(finding_id)
    return _show(finding, MarkForm(status=finding.status if finding.status != "pending" else None,
                                   reason=finding.reason))  # fmt: skip


def _show(finding: SimilarityFinding, form: MarkForm, status: int = 200):
    left = segments(finding.text_a, [(p[0], p[2]) for p in finding.passages])
    right = segments(finding.text_b, [(p[1], p[3]) for p in finding.passages])
    return render_template(
        "similarity/show.html", finding=finding, form=form, left=left, right=right,
        kinds=KINDS, statuses=STATUSES,
    ), status  # fmt: skip


@bp.route("/<int:finding_id>/mark", methods=["POST"])
@keeps_input_on_csrf
@permission_required(can_review_similarity)
def mark(finding_id: int):
    """Mark a finding 正常 or 雷同 with a reason. Refused (a field in error, a stale token, the
    rules): the finding's page again (400) with the choice and reason as typed, each error
    beside its field; nothing changed."""
    finding = _finding(finding_id)
    form = MarkForm()
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _show(finding, form, 400)
    label = STATUSES.get(form.status.data, "")
    try:
        service.mark(finding, form.status.data, form.reason.data, current_user)
    except DomainError as err:
        db.session.rollback()
        refusal_beside(form, err)
        return _show(_finding(finding_id), form, 400)
    db.session.commit()
    flash(f"已标记为“{label}”。", "success")
    return redirect(url_for(".show", finding_id=finding_id))
