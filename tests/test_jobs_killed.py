"""A real worker killed in the middle of a bulk import (kill -9): the job keeps its lease, the
recovery (``review-app jobs recover``, what the worker runs every five minutes) puts it back in
the queue, the next worker imports only what was left, and each upload ends up imported exactly
once; a job that cannot resume is failed with the reason, and so is one resumed too often."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from huey import SqliteHuey
from sqlalchemy import func, select

from review_app.applications.models import Application
from review_app.enterprises.models import Enterprise
from review_app.extensions import db
from review_app.jobs.lease import INTERRUPTED
from review_app.jobs.models import Job, UploadedBlob
from review_app.jobs.tasks import import_applications
from tests import factories as f
from tests.conftest import BEFORE_DEADLINE
from tests.intake.conftest import docx_for, valid_sample

ROOT = Path(__file__).resolve().parents[1]
UPLOADS = 4


def _env(app, huey_file: Path, **extra) -> dict:
    env = {**os.environ, "REVIEW_APP_ENV": "development", "SECRET_KEY": "worker-test",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "HUEY_URL": f"sqlite:///{huey_file}", "PYTHONPATH": str(ROOT),
           "REVIEW_APP_TODAY": BEFORE_DEADLINE.date().isoformat(), **extra}  # fmt: skip
    env.pop("TEST_DATABASE_URL", None)
    return env


def _review_app(args, env, **kwargs):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "review_app.cli", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs,
    )  # fmt: skip


def _job(owner, kind, state="queued", **values) -> Job:
    values = {"done": 0, "total": 0, **values}
    job = Job(kind=kind, owner_id=owner.id, state=state, details=[],
              params={"prefecture_id": owner.prefecture_id}, **values)  # fmt: skip
    db.session.add(job)
    db.session.flush()
    return job


def _wait(job_id: int, until, worker, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see the worker's commits
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if until(job):
            return job
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not get there: {job.state} {job.done}/{job.total}")


def test_a_killed_import_resumes_and_imports_each_upload_once(app, tmp_path):
    app.config["FROZEN_NOW"] = None  # one clock with the worker processes
    officer = f.user("prefecture", "kill-officer", prefecture="洛阳市")
    names = [f"中断恢复{i}智能装备有限公司" for i in range(UPLOADS)]
    job = _job(officer, "import_docx", total=UPLOADS)
    for i, name in enumerate(names):
        data = docx_for(valid_sample(n=70 + i, name=name))
        db.session.add(UploadedBlob(job_id=job.id, position=i, filename=f"{i}.docx", data=data))
    # Two jobs whose workers died long ago: a bundle (cannot resume) and an import taken 3 times.
    long_ago = BEFORE_DEADLINE - timedelta(days=1)
    bundle = _job(officer, "export_bundle", "running", done=19, total=47, attempts=1,
                  heartbeat_at=long_ago)  # fmt: skip
    worn = _job(officer, "import_docx", "running", attempts=3, heartbeat_at=long_ago)
    db.session.add(UploadedBlob(job_id=worn.id, position=0, filename="余下.docx", data=b"x"))
    db.session.commit()

    huey_file = tmp_path / "huey.sqlite3"
    queue = SqliteHuey("review_app", filename=str(huey_file))
    queue.task()(import_applications.func)(job.id)  # what the upload page enqueues

    # A worker that pauses after each file, killed -9 once the first file is committed.
    worker = _review_app(["worker", "--workers", "1"],
                         _env(app, huey_file, JOB_TEST_PAUSE_SECONDS="2"))  # fmt: skip
    try:
        running = _wait(job.id, lambda j: j.done >= 1, worker)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert (running.state, running.done, running.attempts) == ("running", 1, 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(UploadedBlob.id)).where(
        UploadedBlob.job_id == job.id)) == UPLOADS - 1  # fmt: skip

    # Nothing else would ever take it: the recovery does, once the lease has run out.
    recovery = _review_app(["jobs", "recover"], _env(app, huey_file, JOB_LEASE_SECONDS="0"))
    output = recovery.communicate(timeout=60)[0].decode()
    assert recovery.returncode == 0, output
    assert f"重新排队 1 个（#{job.id}）" in output

    worker = _review_app(["worker", "--workers", "1"], _env(app, huey_file))
    try:
        finished = _wait(job.id, lambda j: j.state != "running" and j.state != "queued", worker)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert (finished.state, finished.done, finished.total) == ("done", UPLOADS, UPLOADS)
    assert finished.attempts == 2
    assert [d["name"] for d in finished.details] == [f"{i}.docx" for i in range(UPLOADS)]
    assert all(d["ok"] for d in finished.details), finished.details
    imported = db.session.execute(
        select(Enterprise.name).join(Application, Application.enterprise_id == Enterprise.id)
    ).scalars().all()  # fmt: skip
    assert sorted(imported) == sorted(names)  # each once: none twice, none missing
    assert db.session.scalar(select(func.count(UploadedBlob.id))) == 0

    bundle, worn = db.session.get(Job, bundle.id), db.session.get(Job, worn.id)
    assert (bundle.state, bundle.message) == ("failed", INTERRUPTED)
    assert worn.state == "failed" and "中断3次" in worn.message
    assert worn.details == [{"name": "余下.docx", "ok": False, "message": f"未导入：{INTERRUPTED}"}]
