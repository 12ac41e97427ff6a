"""Panels, stored conflicts, automatic assignment (preview and commit), manual changes, and an
expert's declaration of a conflict with immediate reassignment."""

import pytest
from sqlalchemy import func, select

from review_app.applications.catalogue import GROUP_NAMES, scored_sections
from review_app.assignment import conflict_service, service
from review_app.assignment.models import Assignment, Conflict
from review_app.assignment.solver import Infeasible
from review_app.audit.models import AuditEvent
from review_app.errors import InvalidInput, PermissionDenied
from review_app.experts.models import Panel, PanelMember
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE

LINKS = [g for g in GROUP_NAMES if g != "general"]


def _ready(n=1, pref="郑州市", **kwargs):
    actors = f.Actors()
    apps = []
    for _ in range(n):
        app = f.application(pref=pref, **kwargs)
        fire(app, "endorse", f.user("prefecture", prefecture=pref), now=BEFORE_DEADLINE)
        fire(app, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
        apps.append(app)
    return apps


def _panels(general=20, per_link=4, capacity=10, **expert_kwargs):
    coordinator = f.user("coordinator")
    program = current_program()
    panels = {
        p.section_group: p
        for p in service.ensure_panels(program, coordinator)
        if p.track_code == "excellent"
    }
    experts = {}
    for group, count in [("general", general)] + [(g, per_link) for g in LINKS]:
        members = []
        for _ in range(count):
            e = f.expert(capacity=capacity, **expert_kwargs)
            e.specialties = [group]
            members.append(e)
        service.set_members(panels[group], [e.id for e in members], coordinator)
        experts[group] = members
    return program, coordinator, experts


def test_panels_are_one_per_track_and_group_and_idempotent(app):
    coordinator = f.user("coordinator")
    first = service.ensure_panels(current_program(), coordinator)
    again = service.ensure_panels(current_program(), coordinator)
    assert len(first) == 12 and {p.id for p in first} == {p.id for p in again}
    names = {p.name for p in first}
    assert "卓越级智能工厂培育 · 综合组" in names and "领航级智能工厂培育 · 生产管理组" in names


def test_commit_staffs_every_section_and_moves_applications(app):
    apps = _ready(2)
    program, coordinator, _ = _panels()
    preview, _ = service.preview(program, "excellent", seed=7)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0  # a preview writes nothing
    solution = service.commit(program, "excellent", 7, None, coordinator)
    assert solution.assignments == preview.assignments
    for application in apps:
        assert application.state == "expert_assigned"
        rows = db.session.execute(
            select(Assignment).where(Assignment.application_id == application.id)
        ).scalars().all()  # fmt: skip
        assert len(rows) == 3 * len(scored_sections("excellent"))
        assert len({a.expert_id for a in rows}) == len(rows)  # one section per expert
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "assignment.commit")
    ).scalar_one()


def test_conflicted_experts_are_never_assigned(app):
    (application,) = _ready(1, name="郑州冲突检测精工有限公司")
    program, coordinator, experts = _panels(general=22)
    suspect = experts["general"][0]
    suspect.employer = "郑州冲突检测精工有限公司技术中心"
    summary = conflict_service.detect_conflicts(program, coordinator)
    assert summary["added"] >= 1
    conflict = db.session.execute(
        select(Conflict).where(Conflict.expert_id == suspect.id)
    ).scalar_one()
    assert conflict.rule == "same_employer" and conflict.status == "active"
    service.commit(program, "excellent", 1, None, coordinator)
    assigned = set(
        db.session.execute(
            select(Assignment.expert_id).where(Assignment.application_id == application.id)
        ).scalars()
    )
    assert suspect.id not in assigned


def test_infeasible_names_the_short_section_and_writes_nothing(app):
    _ready(1)
    program, coordinator, _ = _panels(per_link=2)  # link panels need 3 each
    db.session.commit()
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(Infeasible) as caught:
        service.commit(program, "excellent", 1, None, coordinator)
    db.session.rollback()
    messages = " ".join(s.message for s in caught.value.shortages)
    assert "工厂建设" in messages or "link.factory" in messages
    assert all(s.eligible == 2 and s.need == 3 for s in caught.value.shortages)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_waive_needs_a_reason_and_pinned_cannot_be_waived(app):
    (application,) = _ready(1, name="郑州豁免测试装备有限公司")
    program, coordinator, experts = _panels()
    expert = experts["general"][0]
    expert.employer = "郑州豁免测试装备有限公司"
    conflict_service.detect_conflicts(program, coordinator)
    conflict = db.session.execute(
        select(Conflict).where(Conflict.expert_id == expert.id)
    ).scalar_one()
    with pytest.raises(InvalidInput, match="理由"):
        conflict_service.waive(conflict, "", coordinator)
    conflict_service.waive(conflict, "已离职五年，经处务会同意", coordinator)
    assert conflict.status == "waived"
    conflict_service.detect_conflicts(program, coordinator)  # a re-run keeps the decision
    assert conflict.status == "waived"
    conflict_service.pin(conflict, "复核后锁定", coordinator)
    with pytest.raises(InvalidInput, match="锁定"):
        conflict_service.waive(conflict, "再次豁免", coordinator)
    actions = set(db.session.execute(select(AuditEvent.action)).scalars())
    assert {"conflict.waive", "conflict.pin", "conflict.detect"} <= actions


def test_manual_assign_checks_conflict_one_section_and_capacity(app):
    (application,) = _ready(1, name="郑州手工分配精工有限公司")
    program, coordinator, experts = _panels(capacity=1)
    expert = experts["general"][0]
    section = application.section("plan.goals")
    service.manual_assign(section, expert, coordinator)
    with pytest.raises(InvalidInput, match="每位专家每个申报只评一个章节"):
        service.manual_assign(application.section("plan.growth"), expert, coordinator)
    (other,) = _ready(1)
    with pytest.raises(InvalidInput, match="上限"):
        service.manual_assign(other.section("plan.goals"), expert, coordinator)
    conflicted = experts["general"][1]
    conflicted.employer = "郑州手工分配精工有限公司"
    conflict_service.detect_conflicts(program, coordinator)
    with pytest.raises(InvalidInput, match="利益冲突"):
        service.manual_assign(section, conflicted, coordinator)


def test_declared_conflict_reassigns_the_section_at_once(app):
    (application,) = _ready(1)
    program, coordinator, _ = _panels(general=25)
    service.commit(program, "excellent", 3, None, coordinator)
    assignment = (
        db.session.execute(select(Assignment).where(Assignment.application_id == application.id))
        .scalars()
        .first()
    )
    expert_user = assignment.expert.user
    with pytest.raises(PermissionDenied):
        conflict_service.declare(assignment, "曾为其提供咨询", f.user("expert"))
    conflict_service.declare(assignment, "曾为其提供咨询", expert_user)
    replacement = service.reassign(assignment, expert_user)
    assert assignment.status == "declined_conflict"
    assert replacement is not None and replacement.section_id == assignment.section_id
    assert replacement.expert_id != assignment.expert_id
    conflict = db.session.execute(
        select(Conflict).where(Conflict.expert_id == assignment.expert_id)
    ).scalar_one()
    assert (conflict.source, conflict.status) == ("declared", "pinned")
    active = db.session.scalar(
        select(func.count(Assignment.id)).where(
            Assignment.section_id == assignment.section_id, Assignment.status == "assigned"
        )
    )
    assert active == 3


def test_set_members_replaces_and_audits(app):
    coordinator = f.user("coordinator")
    panel = service.ensure_panels(current_program(), coordinator)[0]
    a, b, c = f.expert(), f.expert(), f.expert()
    service.set_members(panel, [a.id, b.id], coordinator)
    service.set_members(panel, [b.id, c.id], coordinator)
    members = set(
        db.session.execute(
            select(PanelMember.expert_id).where(PanelMember.panel_id == panel.id)
        ).scalars()
    )
    assert members == {b.id, c.id}
    assert isinstance(panel, Panel)


def test_a_conflict_found_after_assignment_blocks_the_scores(app):
    from review_app.errors import DomainError

    (application,) = _ready(1, name="郑州事后冲突精工有限公司")
    program, coordinator, _ = _panels()
    service.commit(program, "excellent", 4, None, coordinator)
    f.submit_reviews(application)
    reviewer = (
        db.session.execute(select(Assignment).where(Assignment.application_id == application.id))
        .scalars()
        .first()
        .expert
    )
    reviewer.employer = "郑州事后冲突精工有限公司"
    conflict_service.detect_conflicts(program, coordinator)
    with pytest.raises(DomainError, match=reviewer.name):
        fire(application, "complete_scoring", coordinator)
    assert application.state == "expert_assigned"


def test_manual_remove_frees_the_slot_but_not_a_submitted_review(app):
    (application,) = _ready(1)
    program, coordinator, experts = _panels()
    section = application.section("plan.goals")
    assignment = service.manual_assign(section, experts["general"][0], coordinator)
    service.manual_remove(assignment, coordinator)
    assert db.session.get(Assignment, assignment.id) is None
    again = service.manual_assign(section, experts["general"][0], coordinator)
    again.status = "submitted"
    with pytest.raises(InvalidInput, match="已提交"):
        service.manual_remove(again, coordinator)


def test_randomised_commit_keeps_the_rules_and_records_its_cap(app):
    apps = _ready(2)
    program, coordinator, _ = _panels(general=24, per_link=8)
    preview, _ = service.preview(program, "excellent", seed=3, q=0.5)
    assert max(preview.marginals.values()) <= 0.5
    assert 0 <= preview.affinity_cost < 1 and preview.optimal_affinity >= preview.expected_affinity
    solution = service.commit(program, "excellent", 3, None, coordinator, q=0.5)
    assert solution.assignments == preview.assignments  # the same seed samples the same plan
    rows = db.session.scalars(select(Assignment)).all()
    for application in apps:
        mine = [a for a in rows if a.application_id == application.id]
        assert len(mine) == 3 * len(scored_sections("excellent"))
        assert len({a.expert_id for a in mine}) == len(mine)
        assert application.state == "expert_assigned"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.commit")
    ).one()
    assert event.after["mode"] == "randomised" and event.after["q"] == "0.5"  # audit keeps text


def test_a_cap_too_low_for_the_panel_is_refused_with_its_reason(app):
    _ready(1)
    program, _, _ = _panels(general=20, per_link=4)
    # 4 experts per link panel and 3 reviewers per section: q must be at least 0.75
    with pytest.raises(Infeasible, match="概率上限"):
        service.preview(program, "excellent", seed=1, q=0.5)
    with pytest.raises(InvalidInput, match="q"):
        service.preview(program, "excellent", seed=1, q=1.5)
    assert service.preview(program, "excellent", seed=1, q=0.75)[0].assignments
