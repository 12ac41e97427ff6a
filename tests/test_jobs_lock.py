"""The assignment job and the 回避 page never hold the audit chain's append lock while the
solver runs (solve first, then write); the jobs' progress is committed, so the job page shows
the stage reached (seen from another connection while the job runs)."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select, text

from review_app.assignment import service as assignment_service
from review_app.assignment.models import Assignment
from review_app.assignment.solver import Infeasible
from review_app.audit.models import AuditEvent
from review_app.audit.service import _CHAIN_LOCK_KEY
from review_app.decision import bundle
from review_app.decision import service as decision
from review_app.extensions import db
from review_app.jobs.models import Job
from review_app.programs.service import current_program

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


def _chain_lock_free() -> bool | None:
    """From another connection: whether the audit chain's append lock is free now (None on
    SQLite, which has no advisory locks and serialises writers itself)."""
    with db.engine.connect() as other:
        if other.dialect.name != "postgresql":
            return None
        free = other.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY}
        ).scalar_one()
        other.rollback()
        return free


def test_the_declared_conflict_is_solved_before_anything_is_appended_to_the_audit_chain(
    app, client, monkeypatch
):
    """回避: the page declares, solves the slot, then appends both events; the solver runs
    while the chain's lock is free."""
    _ready(1)
    program, coordinator, _ = _panels(general=25)
    assignment_service.commit(program, "excellent", 2, None, coordinator)
    db.session.commit()
    assignment = db.session.execute(select(Assignment).order_by(Assignment.id)).scalars().first()
    seen = []
    solve = assignment_service.solve

    def watched_solve(*args, **kwargs):
        seen.append(_chain_lock_free())
        return solve(*args, **kwargs)

    monkeypatch.setattr(assignment_service, "solve", watched_solve)
    login(client, assignment.expert.user.username)
    page = f"/expert/assignments/{assignment.id}"
    response = post_form(
        client, f"/assignment/mine/{assignment.id}/declare", {"reason": "曾参与编写"}, page
    )
    assert response.status_code == 302
    assert seen == [True] if db.engine.dialect.name == "postgresql" else seen == [None]
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_id == str(assignment.id))
        .order_by(AuditEvent.id)
    ).scalars().all()  # fmt: skip
    assert actions[-2:] == ["assignment.declare_conflict", "assignment.reassign"]
    db.session.expire_all()
    assert assignment.status == "declined_conflict"
    assert db.session.scalar(
        select(func.count(Assignment.id)).where(
            Assignment.section_id == assignment.section_id, Assignment.status == "assigned"
        )
    ) == 3  # fmt: skip


def test_a_declared_conflict_with_no_free_expert_is_still_recorded(app, monkeypatch):
    _ready(1)
    program, coordinator, _ = _panels(general=25)
    assignment_service.commit(program, "excellent", 2, None, coordinator)
    assignment = db.session.execute(select(Assignment).order_by(Assignment.id)).scalars().first()

    def no_expert(*args, **kwargs):
        raise Infeasible([], "没有空闲专家")

    monkeypatch.setattr(assignment_service, "solve", no_expert)
    with pytest.raises(Infeasible):
        assignment_service.declare_and_reassign(assignment, "曾参与编写", assignment.expert.user)
    assert assignment.status == "declined_conflict"
    assert db.session.execute(
        select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one() == "assignment.declare_conflict"  # fmt: skip


def test_the_export_bundle_commits_its_progress_file_by_file(app, client, monkeypatch):
    """While the bundle's second file is made, another connection sees the first one done."""
    actors = f.Actors()
    experts = None
    for i, fraction in enumerate((0.9, 0.8)):
        a = f.application(pref="郑州市", name=f"进度企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=1)
    decision.stage(program, "excellent", params, actors.coordinator)
    f.user("coordinator", "lock-b")
    db.session.commit()
    seen = []
    original = bundle.bundle_files

    def watched(program_):
        makers = original(program_)

        def peek(make):
            def made():
                with db.engine.connect() as other:
                    seen.append(other.execute(
                        select(Job.done, Job.message).where(Job.kind == "export_bundle")
                    ).one())  # fmt: skip
                return make()

            return made

        return [(name, peek(make)) for name, make in makers]

    monkeypatch.setattr(bundle, "bundle_files", watched)
    login(client, "lock-b")
    response = post_form(client, "/decision/bundle", {"track": "excellent"}, "/decision/excellent")
    assert response.status_code == 302
    first = original(program)[0][0]
    assert seen[0] == (0, "")
    assert seen[1] == (1, f"已生成：{first}")
    assert [done for done, _ in seen] == list(range(len(seen)))
