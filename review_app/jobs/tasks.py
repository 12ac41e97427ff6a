"""Queue tasks. Each takes its Job row (``lease.claim``), renews the lease with every progress
commit (``lease.renew``) and stops when the job was taken from it; ``recover_jobs`` re-queues or
fails the jobs whose worker died."""

import time

from flask import current_app
from huey import crontab

from ..extensions import db
from . import lease
from .models import Job
from .queue import huey, task_app


def _pause_for_tests() -> None:
    """Outside production, JOB_TEST_PAUSE_SECONDS holds a worker after each progress commit, so
    a test can kill it midway (tests/test_jobs_killed.py)."""
    pause = current_app.config.get("JOB_TEST_PAUSE_SECONDS") or 0
    if pause and current_app.config.get("APP_MODE") != "production":
        time.sleep(pause)


@huey.task()
def verify_audit_chain(job_id: int) -> None:
    """Verify the audit chain as a background job (核验审计链); reading only, so it can run again."""
    app = task_app()
    with app.app_context():
        from ..audit.service import verify

        attempt = lease.claim(job_id)
        if attempt is None:  # idempotent: a retried task does nothing
            return
        report = verify()
        job = db.session.get(Job, job_id)
        job.total = job.done = report.count
        if report.ok:
            job.state = "done"
            job.message = f"审计链完整，共{report.count}条事件，链头 {report.head[:16]}…"
        else:
            job.state = "failed"
            job.message = f"审计链在第{report.broken_id}号事件处断裂：{report.problem}"
        try:
            lease.commit(job_id, attempt)
        except lease.LeaseLost:
            return


@huey.task()
def import_applications(job_id: int) -> None:
    """Import the uploaded 申报书 of a job, one transaction per file (批量导入). Each upload is
    deleted in the transaction that imports it, so a resumed job takes only what is left."""
    app = task_app()
    with app.app_context():
        attempt = lease.claim(job_id, "import_docx")
        if attempt is None:
            return
        try:
            _import_waiting(app, job_id, attempt)
        except lease.LeaseLost:
            return


def _import_waiting(app, job_id: int, attempt: int) -> None:
    from sqlalchemy import select

    from ..auth.models import User
    from ..errors import DomainError
    from ..intake.parsed import UnreadableFile
    from ..intake.refusals import record_after_rollback
    from ..intake.service import import_docx, unreadable_message
    from ..programs.models import Prefecture, Program
    from ..programs.service import current_program
    from .models import UploadedBlob

    job = db.session.get(Job, job_id)
    owner = db.session.get(User, job.owner_id)
    prefecture = db.session.get(Prefecture, job.params.get("prefecture_id"))
    program_id = job.params.get("program_id")  # the program the upload was made in
    blob_ids = db.session.execute(
        select(UploadedBlob.id).where(UploadedBlob.job_id == job.id)
        .order_by(UploadedBlob.position)
    ).scalars().all()  # fmt: skip
    job.total = job.done + len(blob_ids)
    lease.commit(job_id, attempt)
    results = list(job.details or [])
    for blob_id in blob_ids:
        blob = db.session.get(UploadedBlob, blob_id)
        if blob is None:  # taken from this worker meanwhile; the next _commit says so
            continue
        name = blob.filename
        try:
            program = (db.session.get(Program, program_id) if program_id else None) or (
                current_program()
            )
            application = import_docx(program, prefecture, blob.data, name, owner)
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
        lease.commit(job_id, attempt)
        _pause_for_tests()
    job.state = "done"
    ok = sum(1 for r in results if r["ok"])
    job.message = f"共{len(results)}份，受理{ok}份，失败{len(results) - ok}份。"
    lease.commit(job_id, attempt)
    if ok:  # the batch's sections are compared with everything else (雷同检测)
        try:
            queue_similarity(current_program().id)
        except Exception:  # noqa: BLE001 - the import is done; the coordinator can re-run it
            db.session.rollback()
            app.logger.exception("queueing the similarity detection failed")


def _fail(job_id: int, attempt: int, message: str) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    job.state = "failed"
    job.message = message
    lease.commit(job_id, attempt)


@huey.task()
def commit_assignment(job_id: int) -> None:
    """Assign a track's ready applications (分配评审专家): detect conflicts (committed with
    the progress), then solve and write the assignments in one transaction. The solver runs with
    nothing written yet in its transaction, so the audit chain's append lock is not held while
    it works; the job row shows the stage reached."""
    app = task_app()
    with app.app_context():
        attempt = lease.claim(job_id, "assignment")
        if attempt is None:
            return
        try:
            _assign(job_id, attempt)
        except lease.LeaseLost:  # failed as interrupted meanwhile: its writes are rolled back
            return


def _assign(job_id: int, attempt: int) -> None:
    from datetime import date

    from ..assignment import conflict_service, service
    from ..assignment.solver import Infeasible
    from ..auth.models import User
    from ..errors import DomainError
    from ..programs.models import Program

    job = db.session.get(Job, job_id)
    params, owner = dict(job.params), db.session.get(User, job.owner_id)
    program = db.session.get(Program, params["program_id"])
    job.total, job.done, job.message = 3, 0, "正在检测利益冲突…"
    lease.commit(job_id, attempt)
    try:
        conflict_service.detect_conflicts(program, owner)
        job.done, job.message = 1, "正在求解分配方案…"
        # Commit the detection (its audit event ends the chain lock) and show the stage.
        lease.commit(job_id, attempt)
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
        lease.commit(job_id, attempt)
    except (Infeasible, DomainError) as err:
        _fail(job_id, attempt, err.message)


@huey.task()
def build_export_bundle(job_id: int) -> None:
    """Every official export of the decision in one .zip (打包导出), written file by file."""
    app = task_app()
    with app.app_context():
        attempt = lease.claim(job_id, "export_bundle")
        if attempt is None:
            return
        try:
            _bundle(job_id, attempt)
        except lease.LeaseLost:
            return


def _bundle(job_id: int, attempt: int) -> None:
    import io
    import zipfile

    from ..decision.bundle import bundle_files
    from ..programs.models import Program
    from .models import UploadedBlob

    job = db.session.get(Job, job_id)
    program = db.session.get(Program, job.params["program_id"])
    makers = bundle_files(program)
    if not makers:
        _fail(job_id, attempt, "尚无暂存或确认的入库决定，没有可导出的文件。")
        return
    job.total, job.done = len(makers), 0
    lease.commit(job_id, attempt)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, make in makers:
            archive.writestr(name, make())
            job.done += 1
            job.message = f"已生成：{name}"
            lease.commit(job_id, attempt)
            _pause_for_tests()
    db.session.add(UploadedBlob(job_id=job.id, position=0, filename=job.params["filename"],
                                data=buffer.getvalue()))  # fmt: skip
    job.state = "done"
    job.message = f"共{len(makers)}个文件，已打包。"
    job.result_url = f"/jobs/{job.id}/file"
    lease.commit(job_id, attempt)


@huey.task()
def detect_similarity(job_id: int) -> None:
    """雷同检测 of a program (after an upload batch, or asked for by the coordinator). It can
    run again from the start: a re-run replaces pending findings and keeps marked ones."""
    app = task_app()
    with app.app_context():
        attempt = lease.claim(job_id, "similarity")
        if attempt is None:
            return
        try:
            _detect_similarity(job_id, attempt)
        except lease.LeaseLost:
            return


def _detect_similarity(job_id: int, attempt: int) -> None:
    from ..auth.models import User
    from ..programs.models import Program
    from ..similarity.service import detect

    job = db.session.get(Job, job_id)
    program = db.session.get(Program, job.params["program_id"])
    owner = db.session.get(User, job.owner_id) if job.owner_id else None
    job.total, job.done, job.message = 1, 0, "正在检测雷同内容…"
    lease.commit(job_id, attempt)
    try:
        result = detect(program, owner)
    except Exception:  # noqa: BLE001 - the job says it failed; the log has the cause
        current_app.logger.exception("similarity detection of program %s failed", program.id)
        _fail(job_id, attempt, "雷同检测未能完成，请稍后重新检测。")
        return
    job = db.session.get(Job, job_id)
    job.done, job.state = 1, "done"
    job.message = (f"已比较{result.sections}个章节，发现{result.found}对雷同候选"
                   f"（新增{result.created}，更新{result.updated}，移除{result.removed}），"
                   "结果见“雷同检测”页面。")  # fmt: skip
    lease.commit(job_id, attempt)


def queue_similarity(program_id: int, owner_id: int | None = None) -> Job | None:
    """Queue a 雷同检测 job for the program and commit; None when one is already waiting (it
    will see everything committed before it runs)."""
    from sqlalchemy import select

    waiting = db.session.execute(
        select(Job.id).where(Job.kind == "similarity", Job.state == "queued",
                             Job.params["program_id"].as_integer() == program_id)
    ).first()  # fmt: skip
    if waiting is not None:
        return None
    job = Job(kind="similarity", owner_id=owner_id, state="queued", done=0, total=1,
              params={"program_id": program_id}, details=[])  # fmt: skip
    db.session.add(job)
    db.session.commit()
    detect_similarity(job.id)
    return job


# Jobs whose task picks up where it stopped, by kind: put back in the queue when their worker
# died. The others (assignment, export bundle) are failed with lease.INTERRUPTED.
RESUMABLE = {"import_docx": import_applications, "audit_verify": verify_audit_chain,
             "similarity": detect_similarity}  # fmt: skip


def recover(now=None) -> lease.Recovery:
    """Re-queue or fail the jobs whose lease ran out; commits, then enqueues."""
    report = lease.recover_stale(set(RESUMABLE), now)
    db.session.commit()
    for job_id, kind in report.resumed:
        RESUMABLE[kind](job_id)
    return report


@huey.periodic_task(crontab(minute="*/5"))
def recover_jobs() -> None:
    """Every five minutes: the jobs whose worker died are resumed or failed."""
    with task_app().app_context():
        recover()
        db.session.remove()
