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
        from ..intake.refusals import record_after_rollback
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
                # rolls back; a refused cross-prefecture or duplicate filing is then audited
                record_after_rollback(err, owner, job.params.get("prefecture_id"))
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


def _job_for(job_id: int, kind: str):
    job = db.session.get(Job, job_id)
    if job is None or job.kind != kind or job.state in ("done", "failed"):
        return None  # idempotent: a retried task does nothing
    job.state = "running"
    db.session.commit()
    return job


def _fail(job_id: int, message: str) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    job.state = "failed"
    job.message = message
    db.session.commit()


@huey.task()
def commit_assignment(job_id: int) -> None:
    """Assign a track's ready applications (分配评审专家): detect conflicts, solve, write — one
    transaction for the assignments; the job row shows the stage reached."""
    app = task_app()
    with app.app_context():
        from datetime import date

        from ..assignment import conflict_service, service
        from ..assignment.solver import Infeasible
        from ..auth.models import User
        from ..errors import DomainError
        from ..programs.models import Program

        job = _job_for(job_id, "assignment")
        if job is None:
            return
        params, owner = dict(job.params), db.session.get(User, job.owner_id)
        program = db.session.get(Program, params["program_id"])
        job.total, job.done, job.message = 3, 0, "正在检测利益冲突…"
        db.session.commit()
        try:
            conflict_service.detect_conflicts(program, owner)
            job.done, job.message = 1, "正在求解分配方案…"
            db.session.flush()
            due = date.fromisoformat(params["due"]) if params.get("due") else None
            solution = service.commit(program, params["track"], params["seed"], due, owner,
                                      params.get("q"))  # fmt: skip
            job.done = 3
            job.state = "done"
            job.message = (f"已分配{len(solution.assignments)}个评审任务，"
                           f"最大评审量{solution.max_load}。")  # fmt: skip
            if params.get("q") is not None:
                job.message += (f"随机分配（每对专家与章节的概率不超过{params['q']:g}），"
                                f"预期匹配度比最优方案低{solution.affinity_cost:.1%}。")  # fmt: skip
            db.session.commit()
        except (Infeasible, DomainError) as err:
            _fail(job_id, err.message)


@huey.task()
def build_export_bundle(job_id: int) -> None:
    """Every official export of the decision in one .zip (打包导出), written file by file."""
    app = task_app()
    with app.app_context():
        import io
        import zipfile

        from ..decision.bundle import bundle_files
        from ..programs.models import Program
        from .models import UploadedBlob

        job = _job_for(job_id, "export_bundle")
        if job is None:
            return
        program = db.session.get(Program, job.params["program_id"])
        makers = bundle_files(program)
        if not makers:
            _fail(job_id, "尚无暂存或确认的入库决定，没有可导出的文件。")
            return
        job.total, job.done = len(makers), 0
        db.session.commit()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, make in makers:
                archive.writestr(name, make())
                job.done += 1
                job.message = f"已生成：{name}"
                db.session.commit()
        db.session.add(UploadedBlob(job_id=job.id, position=0, filename=job.params["filename"],
                                    data=buffer.getvalue()))  # fmt: skip
        job.state = "done"
        job.message = f"共{len(makers)}个文件，已打包。"
        job.result_url = f"/jobs/{job.id}/file"
        db.session.commit()
