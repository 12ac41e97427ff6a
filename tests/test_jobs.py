"""Long work as jobs: assignment and the export bundle, with their pages; owners only."""

import io
import zipfile
from dataclasses import replace

from sqlalchemy import select

from review_app.auth.models import User
from review_app.decision import service as decision
from review_app.extensions import db
from review_app.jobs.models import Job
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
