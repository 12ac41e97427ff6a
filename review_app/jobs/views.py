"""我的任务: long jobs with their progress; leave the page and come back, or download the result."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..files import send_bytes
from .lease import is_stale, lease_seconds
from .models import JOB_STATES, Job, UploadedBlob

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
KIND_NAMES = {"import_docx": "批量导入申报书", "audit_verify": "核验审计链", "assignment": "分配评审专家",
              "export_bundle": "打包导出", "similarity": "雷同检测"}  # fmt: skip
KIND_NAMES["archive"] = "归档"


def _own(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.owner_id != current_user.id:
        abort(403)
    return job


@bp.route("/")
@login_required
def index():
    rows = db.session.execute(
        select(Job).where(Job.owner_id == current_user.id).order_by(Job.id.desc()).limit(50)
    ).scalars().all()  # fmt: skip
    return render_template("jobs/index.html", rows=rows, kinds=KIND_NAMES, states=JOB_STATES,
                           stale={j.id for j in rows if is_stale(j)})  # fmt: skip


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    job = _own(job_id)
    # Reading only: a stale job is re-queued or failed by the recover_jobs task, not by a GET.
    return render_template("jobs/show.html", job=job, kinds=KIND_NAMES, states=JOB_STATES,
                           stale=is_stale(job), lease_minutes=lease_seconds() // 60)  # fmt: skip


@bp.route("/<int:job_id>/file")
@login_required
def file(job_id: int):
    job = _own(job_id)
    blob = db.session.execute(
        select(UploadedBlob).where(UploadedBlob.job_id == job.id)
    ).scalar_one_or_none()  # fmt: skip
    if job.state != "done" or blob is None:
        abort(404)
    return send_bytes(blob.data, blob.filename)


def start(kind: str, params: dict | None = None, total: int = 0) -> Job:
    """Create a queued job owned by the current user (the caller commits, then enqueues)."""
    job = Job(kind=kind, owner_id=current_user.id, state="queued", done=0, total=total,
              params=params or {}, details=[])  # fmt: skip
    db.session.add(job)
    db.session.flush()
    return job
