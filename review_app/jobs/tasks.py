"""Queue tasks. Each updates its Job row so the page can show progress."""

from ..extensions import db
from .models import Job
from .queue import huey, task_app


@huey.task()
def verify_audit_chain(job_id: int) -> None:
    """Verify the audit chain as a background job (核验审计链)."""
    app = task_app()
    with app.app_context():
        from ..audit.service import verify

        job = db.session.get(Job, job_id)
        if job is None or job.state == "done":  # idempotent: a retried task does nothing
            return
        job.state = "running"
        db.session.commit()
        report = verify()
        job.total = job.done = report.count
        if report.ok:
            job.state = "done"
            job.message = f"审计链完整，共{report.count}条事件，链头 {report.head[:16]}…"
        else:
            job.state = "failed"
            job.message = f"审计链在第{report.broken_id}号事件处断裂：{report.problem}"
        db.session.commit()
