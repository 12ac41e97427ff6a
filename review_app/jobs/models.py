"""Job: progress of a long task that the page polls (DESIGN.md section 9)."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..modelbase import Timestamps, one_of

JOB_STATES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}


class Job(Timestamps, db.Model):
    __tablename__ = "job"
    __table_args__ = (
        one_of("state", tuple(JOB_STATES)),
        CheckConstraint("done >= 0 AND total >= 0", name="progress_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result_url: Mapped[str] = mapped_column(String(300), default="")
    # What the job was asked to do, e.g. {"prefecture_id": 3}.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Per-item outcomes, e.g. [{"name": "a.docx", "ok": true, "message": "…", "url": "…"}].
    details: Mapped[list] = mapped_column(JSON, default=list)
    # The lease of the worker running it: renewed with each progress commit. A running job whose
    # heartbeat is older than JOB_LEASE_SECONDS lost its worker (jobs/recovery.py).
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    # How many times a worker took the job; also the fence a late worker's commit must match.
    attempts: Mapped[int] = mapped_column(default=0)


class UploadedBlob(db.Model):
    """An upload waiting for its job: kept in the database so any worker can take it."""

    __tablename__ = "uploaded_blob"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
