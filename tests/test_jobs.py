"""Long work as jobs: assignment and the export bundle, with their pages; owners only."""

import io
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from review_app.auth.models import User
from review_app.clock import utcnow
from review_app.decision import service as decision
from review_app.extensions import db
from review_app.jobs import lease
from review_app.jobs.models import Job
from review_app.jobs.queue import huey
from review_app.jobs.tasks import recover_jobs  # noqa: F401  (registers the periodic task)
from review_app.programs.service import current_program

from . import factories as f
from .assignment.test_service import _panels, _ready
from .conftest import login, post_form


def test_assignment_runs_as_a_job_and_its_page_reports_the_result(app, client):
    apps = _ready(1)
    _panels()
    f.user("coordinator", "job-c")
    db.session.commit()
    login(client, "job-c")
    response = post_form(client, "/assignment/excellent", {"seed": "5"}, "/assignment/excellent")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.execute(select(Job).where(Job.kind == "assignment")).scalar_one()
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    db.session.expire_all()
    assert apps[0].state == "expert_assigned"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "分配评审专家" in page and "已分配" in page
    assert "分配评审专家" in client.get("/jobs/").get_data(as_text=True)


def test_infeasible_assignment_job_fails_with_the_reason_and_writes_nothing(app, client):
    apps = _ready(1)
    _panels(per_link=1)
    f.user("coordinator", "job-c")
    db.session.commit()
    login(client, "job-c")
    response = post_form(client, "/assignment/excellent", {"seed": "5"}, "/assignment/excellent")
    job = db.session.execute(select(Job).where(Job.kind == "assignment")).scalar_one()
    assert job.state == "failed" and "还差" in job.message
    db.session.expire_all()
    assert apps[0].state == "format_checked"
    assert "还差" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_export_bundle_zips_every_export_and_only_its_owner_downloads_it(app, client):
    actors = f.Actors()
    experts = None
    for i, fraction in enumerate((0.9, 0.8, 0.7)):
        a = f.application(pref=("郑州市", "洛阳市", "郑州市")[i], name=f"打包企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=2)
    decision.stage(program, "excellent", params, actors.coordinator)
    f.user("coordinator", "job-c")
    f.user("coordinator", "job-d")
    db.session.commit()
    login(client, "job-c")
    response = post_form(client, "/decision/bundle", {"track": "excellent"}, "/decision/excellent")
    job_url = response.headers["Location"]
    job = db.session.execute(select(Job).where(Job.kind == "export_bundle")).scalar_one()
    assert job.state == "done" and job.done == job.total > 4
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{job_url}/file").data))
    names = archive.namelist()
    assert "卓越级智能工厂培育入库名单（草稿）.xlsx" in names
    assert "各地市结果/评审结果-郑州市.xlsx" in names and "附件2-推荐汇总表-全省.xlsx" in names
    # another coordinator's job is not ours to see or download
    other = db.session.execute(select(User).where(User.username == "job-d")).scalar_one()
    job.owner_id = other.id
    db.session.commit()
    assert client.get(job_url).status_code == 403
    assert client.get(f"{job_url}/file").status_code == 403
    assert "打包导出" not in client.get("/jobs/").get_data(as_text=True)


# --- Leases: a job whose worker died is resumed or failed, never "running" forever -----------


def _running(owner, kind, heartbeat, attempts=1, **params):
    job = Job(kind=kind, owner_id=owner.id, state="running", done=19, total=47, params=params,
              details=[], heartbeat_at=heartbeat, attempts=attempts)  # fmt: skip
    db.session.add(job)
    db.session.flush()
    return job


def _row_counts():
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables}  # fmt: skip


def test_the_job_page_says_a_stale_job_may_have_stopped_and_writes_nothing(app, client):
    owner = f.user("coordinator", "job-c")
    now = utcnow()
    lease = timedelta(seconds=app.config["JOB_LEASE_SECONDS"])
    stale = _running(owner, "export_bundle", now - lease - timedelta(seconds=1))
    fresh = _running(owner, "export_bundle", now - lease + timedelta(seconds=5))
    db.session.commit()
    login(client, "job-c")
    before = (_row_counts(), db.session.get(Job, stale.id).updated_at)
    page = client.get(f"/jobs/{stale.id}").get_data(as_text=True)
    assert "可能已中断" in page and 'content="30"' in page and "19 / 47" in page
    assert "（可能已中断）" in client.get("/jobs/").get_data(as_text=True)
    fresh_page = client.get(f"/jobs/{fresh.id}").get_data(as_text=True)
    assert "可能已中断" not in fresh_page and 'content="2"' in fresh_page
    db.session.expire_all()
    assert (_row_counts(), db.session.get(Job, stale.id).updated_at) == before
    assert db.session.get(Job, stale.id).state == "running"  # the GET changed nothing


def test_recovery_resumes_what_can_resume_and_fails_the_rest(app, runner):
    owner = f.user("coordinator", "job-c")
    now = utcnow()
    old = now - timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 60)
    verify = _running(owner, "audit_verify", old)
    assignment = _running(owner, "assignment", old)
    alive = _running(owner, "export_bundle", now)
    db.session.commit()
    result = runner.invoke(args=["jobs", "recover"])
    assert result.exit_code == 0, result.output
    assert f"重新排队 1 个（#{verify.id}）" in result.output
    assert f"标记失败 1 个（#{assignment.id}）" in result.output
    db.session.expire_all()
    verify = db.session.get(Job, verify.id)  # resumed: run again inline (immediate mode)
    assert verify.state == "done" and "审计链完整" in verify.message and verify.attempts == 2
    assignment = db.session.get(Job, assignment.id)
    assert (assignment.state, assignment.message) == ("failed", "处理进程中断，请重新发起。")
    assert db.session.get(Job, alive.id).state == "running"  # its worker is alive
    again = runner.invoke(args=["jobs", "recover"])
    assert "重新排队 0 个（无），标记失败 0 个（无）" in again.output


def test_a_worker_presumed_dead_cannot_commit_over_its_successor(app):
    owner = f.user("coordinator", "job-c")
    job = Job(kind="import_docx", owner_id=owner.id, state="queued", params={}, details=[])
    db.session.add(job)
    db.session.commit()
    first = lease.claim(job.id)
    assert first == 1 and lease.claim(job.id) is None  # a second delivery of the task: nothing
    later = utcnow() + timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    assert lease.recover_stale({"import_docx"}, now=later).resumed == [(job.id, "import_docx")]
    db.session.commit()
    assert lease.claim(job.id) == 2
    job = db.session.get(Job, job.id)
    job.done = 5  # the old worker wakes up and reports progress …
    with pytest.raises(lease.LeaseLost):
        lease.renew(job.id, first)
    db.session.rollback()
    lease.renew(job.id, 2)  # … only the current one's counts
    db.session.commit()
    assert db.session.get(Job, job.id).done == 0


def test_the_recovery_runs_every_five_minutes():
    names = lambda at: {t.name for t in huey.read_periodic(at)}  # noqa: E731
    assert "recover_jobs" in names(datetime(2026, 3, 20, 2, 5))
    assert "recover_jobs" not in names(datetime(2026, 3, 20, 2, 6))
