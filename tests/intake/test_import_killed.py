"""A bulk import killed midway: the file being imported leaves nothing behind (its transaction
never commits), the files before it stay imported, and the job finishes when run again."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from review_app.applications.models import Application, Section, SourceFile
from review_app.enterprises.models import Enterprise
from review_app.extensions import db
from review_app.intake import service as intake_service
from review_app.jobs.models import Job, UploadedBlob
from review_app.jobs.tasks import import_applications, recover

from .conftest import docx_for, valid_sample


class Killed(BaseException):
    """Stands for the worker process dying (SIGKILL): not an Exception, so nothing in the task
    catches it, exactly like a kill."""


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Application, Enterprise, Section, SourceFile)
    )


def test_killed_import_leaves_no_partial_application_and_resumes(app, luoyang_officer,
                                                                monkeypatch):  # fmt: skip
    job = Job(kind="import_docx", owner_id=luoyang_officer.id, state="queued", done=0, total=3,
              params={"prefecture_id": luoyang_officer.prefecture_id}, details=[])  # fmt: skip
    db.session.add(job)
    db.session.flush()
    for i in range(3):
        data = docx_for(valid_sample(n=40 + i, name=f"中断测试{i}智能装备有限公司"))
        db.session.add(UploadedBlob(job_id=job.id, position=i, filename=f"{i}.docx", data=data))
    db.session.commit()

    real = intake_service.import_docx
    calls = []

    def dies_on_the_second(*args, **kwargs):
        calls.append(args[3])
        application = real(*args, **kwargs)  # rows written and flushed, not committed …
        if len(calls) == 2:
            raise Killed  # … when the worker dies
        return application

    monkeypatch.setattr(intake_service, "import_docx", dies_on_the_second)
    with pytest.raises(Killed):
        import_applications.call_local(job.id)
    # The dead worker's connection is gone: the database drops its open transaction.
    db.session.rollback()
    db.session.expire_all()

    applications, enterprises, _, files = _counts()
    assert (applications, enterprises, files) == (1, 1, 1)
    names = set(db.session.execute(select(Enterprise.name)).scalars())
    assert names == {"中断测试0智能装备有限公司"}
    left = db.session.execute(select(UploadedBlob.filename).order_by(UploadedBlob.position))
    assert list(left.scalars()) == ["1.docx", "2.docx"]
    job = db.session.get(Job, job.id)
    assert job.state == "running" and job.done == 1

    # Run again as is, the task does nothing: the job is still the dead worker's.
    monkeypatch.setattr(intake_service, "import_docx", real)
    import_applications.call_local(job.id)
    db.session.expire_all()
    assert db.session.get(Job, job.id).done == 1
    # Once its lease has run out, the recovery queues it again: it picks up where it died.
    later = job.heartbeat_at + timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    assert recover(now=later).resumed == [(job.id, "import_docx")]
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.done) == ("done", 3)
    assert [d["ok"] for d in job.details] == [True, True, True]
    assert _counts()[0] == 3 and _counts()[3] == 3
    sections_per_app = db.session.execute(
        select(func.count(Section.id)).group_by(Section.application_id)
    ).scalars().all()  # fmt: skip
    assert len(set(sections_per_app)) == 1  # every application whole, none half-written
