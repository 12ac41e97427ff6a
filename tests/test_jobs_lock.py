"""The assignment job never holds the audit chain's append lock while the solver runs (solve
first, then write), and its progress is committed, so the job page shows the stage reached."""

from sqlalchemy import select, text

from review_app.assignment import service as assignment_service
from review_app.audit.service import _CHAIN_LOCK_KEY
from review_app.extensions import db
from review_app.jobs.models import Job

from . import factories as f
from .assignment.test_service import _panels, _ready
from .conftest import login, post_form


def test_the_solver_runs_without_the_audit_lock_and_its_stage_is_committed(
    app, client, monkeypatch
):
    apps = _ready(1)
    _panels()
    f.user("coordinator", "lock-c")
    db.session.commit()
    seen = {}
    solve = assignment_service.solve

    def watched_solve(*args, **kwargs):
        # Another connection, as the job page or another request would see the database now.
        with db.engine.connect() as other:
            seen["message"] = other.execute(
                select(Job.message).where(Job.kind == "assignment")
            ).scalar_one()
            if other.dialect.name == "postgresql":
                seen["lock_free"] = other.execute(
                    text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY}
                ).scalar_one()
                other.rollback()
        return solve(*args, **kwargs)

    monkeypatch.setattr(assignment_service, "solve", watched_solve)
    login(client, "lock-c")
    response = post_form(client, "/assignment/excellent", {"seed": "5"}, "/assignment/excellent")
    assert response.status_code == 302
    if db.engine.dialect.name == "postgresql":
        assert seen["lock_free"] is True
    assert seen["message"] == "正在求解分配方案…"
    job = db.session.execute(select(Job).where(Job.kind == "assignment")).scalar_one()
    assert (job.state, job.done, job.total) == ("done", 3, 3)
    db.session.expire_all()
    assert apps[0].state == "expert_assigned"
