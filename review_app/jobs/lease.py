"""A job's lease (DESIGN.md section 9): the worker that takes a job renews ``heartbeat_at`` with
every progress commit; a running job whose heartbeat is older than ``JOB_LEASE_SECONDS`` lost its
worker (killed, out of memory, the machine restarted).

``recover_stale`` puts such a job back in the queue when its task resumes where it stopped (the
import: each upload is deleted in the transaction that imports it) and fails the others with
``INTERRUPTED``; a job taken ``JOB_MAX_ATTEMPTS`` times is failed too. ``attempts`` doubles as a
fence: a worker's commit only counts while the job is still running under its own attempt, so a
worker presumed dead that wakes up again cannot write over the one that took its place.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from ..clock import utcnow
from ..extensions import db
from .models import Job, UploadedBlob

INTERRUPTED = "处理进程中断，请重新发起。"
RESUMING = "处理进程中断，正在从中断处继续……"


class LeaseLost(Exception):
    """The job was failed or handed to another worker while this one ran."""


def claim(job_id: int, kind: str | None = None) -> int | None:
    """Take a queued job and commit: running, one more attempt, heartbeat now. Returns the
    attempt (the fence for ``renew``), or None when the job is not queued (done, failed, or
    another worker holds it): a task run twice does its work once."""
    conditions = [Job.id == job_id, Job.state == "queued"]
    if kind is not None:
        conditions.append(Job.kind == kind)
    taken = db.session.execute(
        update(Job).where(*conditions)
        .values(state="running", attempts=Job.attempts + 1, heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    if taken != 1:
        db.session.rollback()
        return None
    attempt = db.session.scalar(select(Job.attempts).where(Job.id == job_id))
    db.session.commit()
    db.session.expire_all()
    return attempt


def renew(job_id: int, attempt: int) -> None:
    """Renew the heartbeat in the caller's transaction (commit it with the progress); raise
    ``LeaseLost`` when the job is no longer this worker's."""
    with db.session.no_autoflush:  # checked before the pending change of state is written
        renewed = db.session.execute(
            update(Job).where(Job.id == job_id, Job.attempts == attempt, Job.state == "running")
            .values(heartbeat_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount  # fmt: skip
    if renewed != 1:
        raise LeaseLost(job_id)


def commit(job_id: int, attempt: int) -> None:
    """Commit a job's progress with the heartbeat, or roll it back when the lease was lost."""
    try:
        renew(job_id, attempt)
    except LeaseLost:
        db.session.rollback()
        raise
    db.session.commit()


def lease_seconds() -> int:
    return int(current_app.config.get("JOB_LEASE_SECONDS", 900))


def _last_sign():
    return func.coalesce(Job.heartbeat_at, Job.updated_at)


def is_stale(job: Job, now: datetime | None = None) -> bool:
    """Running, and no heartbeat within the lease: the page says it may have stopped."""
    if job.state != "running":
        return False
    last = job.heartbeat_at or job.updated_at
    return last is not None and last < (now or utcnow()) - timedelta(seconds=lease_seconds())


@dataclass
class Recovery:
    resumed: list[tuple[int, str]] = field(default_factory=list)  # (job id, kind)
    failed: list[int] = field(default_factory=list)


def recover_stale(resumable: set[str], now: datetime | None = None) -> Recovery:
    """Re-queue or fail every running job whose lease ran out; the caller commits, then
    enqueues the resumed ones. Each row is changed only if it is still stale under the attempt
    that was read, so a worker renewing meanwhile keeps its job."""
    cutoff = (now or utcnow()) - timedelta(seconds=lease_seconds())
    max_attempts = int(current_app.config.get("JOB_MAX_ATTEMPTS", 3))
    stale = db.session.execute(
        select(Job.id, Job.kind, Job.attempts)
        .where(Job.state == "running", _last_sign() < cutoff).order_by(Job.id)
    ).all()  # fmt: skip
    report = Recovery()
    for job_id, kind, attempts in stale:
        still = (Job.id == job_id, Job.state == "running", Job.attempts == attempts,
                 _last_sign() < cutoff)  # fmt: skip
        if kind in resumable and attempts < max_attempts:
            values = {"state": "queued", "message": RESUMING}
        elif kind in resumable:
            values = {"state": "failed",
                      "message": f"处理进程已中断{attempts}次，不再自动继续：{INTERRUPTED}"}  # fmt: skip
        else:
            values = {"state": "failed", "message": INTERRUPTED}
        changed = db.session.execute(
            update(Job).where(*still).values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount  # fmt: skip
        if changed != 1:
            continue
        if values["state"] == "queued":
            report.resumed.append((job_id, kind))
        else:
            report.failed.append(job_id)
            _drop_waiting_uploads(job_id)
    db.session.flush()
    return report


def _drop_waiting_uploads(job_id: int) -> None:
    """A failed import will not take its remaining uploads: report each and delete it."""
    job = db.session.get(Job, job_id)
    names = db.session.execute(
        select(UploadedBlob.filename).where(UploadedBlob.job_id == job_id)
        .order_by(UploadedBlob.position)
    ).scalars().all()  # fmt: skip
    if job.kind != "import_docx" or not names:
        return
    job.details = [*(job.details or []),
                   *({"name": n, "ok": False, "message": f"未导入：{INTERRUPTED}"} for n in names)]  # fmt: skip
    db.session.execute(delete(UploadedBlob).where(UploadedBlob.job_id == job_id))
