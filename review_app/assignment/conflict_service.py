"""Conflict verbs (回避): detect and store, waive with a reason, pin, confirm or dismiss a
supplier mention, and an expert's own declaration. Each verb flushes and audits."""

from datetime import date

from sqlalchemy import insert, select

from ..applications.models import Application, Section
from ..audit import service as audit
from ..auth.permissions import require
from ..clock import utcnow
from ..enterprises.models import Enterprise
from ..errors import InvalidInput
from ..experts.models import Expert
from ..experts.permissions import can_review
from ..extensions import db
from ..programs.models import Prefecture, Program
from .conflict_index import matrix
from .conflicts import EnterpriseFacts, ExpertFacts, Relation
from .models import Assignment, Conflict
from .permissions import (
    REFUSAL,
    can_adjust_experts,
    can_declare_conflict,
    can_pin_conflict,
    can_settle_conflict,
    can_waive_conflict,
)

BLOCKING_STATUSES = ("active", "pinned", "pending")
# Decisions a person took: detection never overwrites them.
DECIDED = ("waived", "pinned", "dismissed")


def expert_facts(expert: Expert) -> ExpertFacts:
    return ExpertFacts(
        expert_id=expert.id,
        name=expert.name,
        employer=expert.employer,
        prefecture=expert.prefecture.name if expert.prefecture else None,
        relations=tuple(
            Relation(r.enterprise_uscc, r.enterprise_name, r.kind, r.start_year, r.end_year)
            for r in expert.relations
        ),
    )


def enterprise_facts(app: Application) -> EnterpriseFacts:
    e = app.enterprise
    return EnterpriseFacts(
        enterprise_id=e.id,
        name=e.name,
        uscc=e.uscc,
        prefecture=app.prefecture.name,
        texts=tuple(s.text or "" for s in app.sections),
    )


def _enterprise_facts(program: Program) -> list[EnterpriseFacts]:
    """``enterprise_facts`` of every application of the program not withdrawn, by application
    id, in two statements of plain columns (no rows loaded as objects: a sign-in runs this for
    every application of the program, and nothing holds the rows between two sign-ins)."""
    current = (Application.program_id == program.id, Application.state != "withdrawn")
    texts: dict[int, list[str]] = {}
    for application_id, text in db.session.execute(
        select(Section.application_id, Section.text)
        .join(Application, Application.id == Section.application_id)
        .where(*current)
        .order_by(Section.id)  # the order of ``Application.sections``
    ):
        texts.setdefault(application_id, []).append(text or "")
    rows = db.session.execute(
        select(Application.id, Enterprise.id, Enterprise.name, Enterprise.uscc, Prefecture.name)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .join(Prefecture, Prefecture.id == Application.prefecture_id)
        .where(*current)
        .order_by(Application.id)
    )
    return [
        EnterpriseFacts(enterprise_id=enterprise_id, name=name, uscc=uscc, prefecture=prefecture,
                        texts=tuple(texts.get(application_id, ())))
        for application_id, enterprise_id, name, uscc, prefecture in rows
    ]  # fmt: skip


def detect_conflicts(program: Program, actor, experts: list[Expert] | None = None) -> dict:
    """Run every rule for every expert against every application; store what is found.

    New findings are added; evidence is refreshed; detected conflicts no longer found are
    removed unless a person decided on them (waived, pinned, dismissed)."""
    if experts is None:
        experts = list(db.session.execute(select(Expert)).scalars())
    enterprises = _enterprise_facts(program)
    same_prefecture = bool((program.settings or {}).get("same_prefecture_conflict", True))
    year = utcnow().year
    expert_ids = {e.id for e in experts}
    existing = {
        (c.expert_id, c.enterprise_id, c.rule): c
        for c in db.session.execute(select(Conflict)).scalars()
        if c.expert_id in expert_ids
    }
    seen: set[tuple[int, int, str]] = set()
    new_rows: dict[tuple[int, int, str], dict] = {}
    found = matrix([expert_facts(e) for e in experts], enterprises, year=year,
                   same_prefecture=same_prefecture)  # fmt: skip
    for (expert_id, enterprise_id), findings in found.items():
        for finding in findings:
            key = (expert_id, enterprise_id, finding.rule)
            seen.add(key)
            row = existing.get(key)
            if row is None:
                new_rows[key] = {
                    "expert_id": expert_id, "enterprise_id": enterprise_id, "rule": finding.rule,
                    "source": finding.source, "status": finding.status,
                    "evidence": finding.evidence,
                }  # fmt: skip
            else:
                row.evidence = finding.evidence
    removed = 0
    for key, row in existing.items():
        if key not in seen and row.source == "detected" and row.status not in DECIDED:
            db.session.delete(row)
            removed += 1
    db.session.flush()
    if new_rows:
        # One executemany: the findings grow with experts × applications (同地市回避 above all,
        # about 0.7 · m · n / 18 pairs), and nothing here needs them as objects or their ids.
        db.session.execute(insert(Conflict), list(new_rows.values()))
    added = len(new_rows)
    summary = {"experts": len(experts), "applications": len(enterprises), "added": added,
               "removed": removed}  # fmt: skip
    audit.record("conflict.detect", "program", program.id, actor=actor, after=summary)
    return summary


def _decide(conflict: Conflict, status: str, reason: str, actor, action: str) -> None:
    before = conflict.status
    conflict.status = status
    conflict.decision_reason = reason
    conflict.decided_by_id = actor.id
    conflict.decided_at = utcnow()
    db.session.flush()
    audit.record(
        f"conflict.{action}", "conflict", conflict.id, actor=actor,
        before={"status": before}, after={"status": status, "rule": conflict.rule},
        reason=reason,
    )  # fmt: skip


def waive(conflict: Conflict, reason: str, actor) -> None:
    """The coordinator lets the expert review despite a detected conflict (reason recorded)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("豁免利益冲突必须填写理由。")
    require(can_adjust_experts(actor), REFUSAL)
    if not can_waive_conflict(actor, conflict):
        raise InvalidInput(
            "该利益冲突已锁定，不能豁免。"
            if conflict.status == "pinned"
            else "只有待确认或已确认的冲突可以豁免。"
        )
    _decide(conflict, "waived", reason, actor, "waive")


def pin(conflict: Conflict, reason: str, actor) -> None:
    """Fix a conflict so that no later run or person can remove it."""
    require(can_adjust_experts(actor), REFUSAL)
    if not can_pin_conflict(actor, conflict):
        raise InvalidInput("该利益冲突已锁定。")
    _decide(conflict, "pinned", (reason or "").strip(), actor, "pin")


def confirm_pending(conflict: Conflict, actor) -> None:
    require(can_adjust_experts(actor), REFUSAL)
    if not can_settle_conflict(actor, conflict):
        raise InvalidInput("只有待确认的冲突可以确认。")
    _decide(conflict, "active", "", actor, "confirm")


def dismiss(conflict: Conflict, reason: str, actor) -> None:
    reason = (reason or "").strip()
    require(can_adjust_experts(actor), REFUSAL)
    if not can_settle_conflict(actor, conflict):
        raise InvalidInput("只有待确认的冲突可以排除；已确认的冲突请用“豁免”。")
    if not reason:
        raise InvalidInput("排除冲突必须填写理由。")
    _decide(conflict, "dismissed", reason, actor, "dismiss")


def declare(assignment: Assignment, reason: str, actor, *, record: bool = True) -> Conflict:
    """An expert declares a conflict on its own assignment; the assignment is declined. With
    ``record=False`` the caller appends the audit event (``record_declaration``) later, after
    work that must not hold the audit chain's lock (the reassignment's solve)."""
    require(can_review(actor, assignment), "只能对本人的评审任务申报回避。")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请说明回避理由。")
    if not can_declare_conflict(actor, assignment):
        raise InvalidInput(
            "已提交评分的任务不能再申报回避，请联系省厅协调员。"
            if assignment.status == "submitted"
            else "该评审任务已结束，不能申报回避。"
        )
    enterprise_id = assignment.application.enterprise_id
    conflict = db.session.execute(
        select(Conflict).where(
            Conflict.expert_id == assignment.expert_id,
            Conflict.enterprise_id == enterprise_id,
            Conflict.rule == "declared_relation",
        )
    ).scalar_one_or_none()
    if conflict is None:
        conflict = Conflict(
            expert_id=assignment.expert_id, enterprise_id=enterprise_id,
            rule="declared_relation", source="declared",
        )  # fmt: skip
        db.session.add(conflict)
    conflict.status = "pinned"  # the expert's own word cannot be waived away
    conflict.evidence = f"专家于{date.today():%Y-%m-%d}在评审任务中申报：{reason}"
    assignment.status = "declined_conflict"
    db.session.flush()
    if record:
        record_declaration(assignment, reason, actor)
    return conflict


def record_declaration(assignment: Assignment, reason: str, actor) -> None:
    audit.record(
        "assignment.declare_conflict", "assignment", assignment.id, actor=actor,
        after={"status": "declined_conflict"}, reason=(reason or "").strip(),
    )  # fmt: skip


def blocking_pairs(program: Program) -> set[tuple[int, int]]:
    """(expert_id, application_id) pairs that must never be assigned."""
    rows = db.session.execute(
        select(Conflict.expert_id, Application.id)
        .join(Application, Application.enterprise_id == Conflict.enterprise_id)
        .where(Application.program_id == program.id, Conflict.status.in_(BLOCKING_STATUSES))
    ).all()
    return {(e, a) for e, a in rows}
