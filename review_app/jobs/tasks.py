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


@huey.task()
def import_applications(job_id: int) -> None:
    """Import the uploaded 申报书 of a job, one transaction per file (批量导入)."""
    app = task_app()
    with app.app_context():
        from sqlalchemy import select

        from ..auth.models import User
        from ..errors import DomainError
        from ..intake.model import UnreadableFile
        from ..intake.service import import_docx, unreadable_message
        from ..programs.models import Prefecture
        from ..programs.service import current_program
        from .models import UploadedBlob

        job = db.session.get(Job, job_id)
        if job is None or job.state in ("done", "failed"):
            return
        owner = db.session.get(User, job.owner_id)
        prefecture = db.session.get(Prefecture, job.params.get("prefecture_id"))
        blob_ids = (
            db.session.execute(
                select(UploadedBlob.id)
                .where(UploadedBlob.job_id == job.id)
                .order_by(UploadedBlob.position)
            )
            .scalars()
            .all()
        )
        job.state = "running"
        job.total = job.done + len(blob_ids)
        db.session.commit()
        results = list(job.details or [])
        for blob_id in blob_ids:
            blob = db.session.get(UploadedBlob, blob_id)
            name = blob.filename
            try:
                application = import_docx(current_program(), prefecture, blob.data, name, owner)
                db.session.flush()
                outcome = {
                    "name": name, "ok": True, "application_id": application.id,
                    "message": f"已受理：{application.enterprise.name}",
                    "blocking": sum(1 for p in application.format_report if p["severity"] == "blocking"),
                }  # fmt: skip
            except Exception as err:  # noqa: BLE001 - every failure is reported per file
                db.session.rollback()
                if not isinstance(err, DomainError | UnreadableFile):
                    app.logger.exception("import of %s failed", name)
                outcome = {"name": name, "ok": False, "message": unreadable_message(err)}
                blob = db.session.get(UploadedBlob, blob_id)
            db.session.delete(blob)
            job = db.session.get(Job, job_id)
            results.append(outcome)
            job.details = list(results)
            job.done += 1
            db.session.commit()
        job.state = "done"
        ok = sum(1 for r in results if r["ok"])
        job.message = f"共{len(results)}份，受理{ok}份，失败{len(results) - ok}份。"
        db.session.commit()
