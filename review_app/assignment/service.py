"""Assignment verbs: panels, the automatic assignment (preview, then commit in one
transaction), manual changes with the conflict check, and reassignment after a declared
conflict."""

from datetime import date

from sqlalchemy import delete, func, insert, select

from ..anonymise.service import distribution_refusal
from ..applications.catalogue import BY_KEY, GROUP_NAMES
from ..applications.models import Application, Section
from ..audit import service as audit
from ..errors import InvalidInput
from ..experts.models import Expert, Panel, PanelMember
from ..extensions import db
from ..programs.models import TRACK_NAMES, Program
from ..scoring.in_force import is_meeting_review, is_meeting_track
from ..scoring.models import Review
from ..workflow.service import fire
from ..workflow.states import STAFFING_STATES
from . import conflict_service
from .conflict_service import blocking_pairs
from .models import Assignment
from .permissions import can_adjust_experts, can_remove_assignment
from .problem import build_problem, expert_loads
from .randomised import solve_randomised
from .solver import Infeasible, Solution, solve


def ensure_panels(program: Program, actor) -> list[Panel]:
    """One panel per track and section group (五个重点环节 and 综合组); idempotent: when every
    panel exists already it writes nothing (no audit event either)."""
    panels = {
        (p.track_code, p.section_group): p
        for p in db.session.execute(select(Panel).where(Panel.program_id == program.id)).scalars()
    }
    created = 0
    for track in TRACK_NAMES:
        for group, name in GROUP_NAMES.items():
            if (track, group) not in panels:
                panel = Panel(
                    program_id=program.id, track_code=track, section_group=group,
                    name=f"{TRACK_NAMES[track]} · {name}",
                )  # fmt: skip
                db.session.add(panel)
                panels[(track, group)] = panel
                created += 1
    if created:
        db.session.flush()
        audit.record(
            "panel.ensure", "program", program.id, actor=actor,
            after={"panels": len(panels), "created": created},
        )  # fmt: skip
    return list(panels.values())


def missing_panels(program: Program, track: str) -> int:
    """How many of ``track``'s panels are not built yet (read only)."""
    have = db.session.scalar(
        select(func.count(Panel.id)).where(
            Panel.program_id == program.id, Panel.track_code == track
        )
    )
    return max(len(GROUP_NAMES) - (have or 0), 0)


def set_members(panel: Panel, expert_ids: list[int], actor) -> None:
    """Replace a panel's members."""
    wanted = set(expert_ids)
    current = {m.expert_id: m for m in panel.members}
    for expert_id, member in current.items():
        if expert_id not in wanted:
            panel.members.remove(member)
    for expert_id in wanted - set(current):
        if db.session.get(Expert, expert_id) is None:
            raise InvalidInput(f"未找到专家 #{expert_id}。")
        panel.members.append(PanelMember(expert_id=expert_id))
    db.session.flush()
    audit.record(
        "panel.members", "panel", panel.id, actor=actor,
        before={"experts": sorted(current)}, after={"experts": sorted(wanted)},
    )  # fmt: skip


def ready_applications(program: Program, track: str) -> tuple[list[Application], list[tuple]]:
    """Applications awaiting experts: (ready, [(application, why not ready)])."""
    apps = db.session.execute(
        select(Application)
        .where(
            Application.program_id == program.id,
            Application.track_code == track,
            Application.state == "format_checked",
        )
        .order_by(Application.id)
    ).scalars().all()  # fmt: skip
    ready, waiting = [], []
    for app in apps:
        why = distribution_refusal(app)
        (waiting.append((app, why)) if why else ready.append(app))
    return ready, waiting


def staffing_applications(program: Program, *options) -> list[Application]:
    """The program's applications whose experts may be chosen or changed now, by id
    (``options``: loader options for the page that lists them)."""
    return list(
        db.session.execute(
            select(Application)
            .where(Application.program_id == program.id, Application.state.in_(STAFFING_STATES))
            .order_by(Application.id)
            .options(*options)
        ).scalars()
    )


def preview(
    program: Program, track: str, seed: int, q: float | None = None
) -> tuple[Solution, list[Application]]:
    """Solve without writing; raises Infeasible naming the short sections.

    ``q`` (0 < q <= 1) asks for the randomised assignment: no (expert, section) pair is chosen
    with probability above q, and the assignment is sampled with ``seed``. A track reviewed in
    a meeting is not solved: its experts are the panel's members present (review_app/meeting)."""
    if is_meeting_track(track, program):
        raise InvalidInput(
            f"{TRACK_NAMES[track]}采用会议评审：请在“会议评审”页安排答辩，到会专家签到后评分。"
        )
    apps, _ = ready_applications(program, track)
    if not apps:
        raise InvalidInput("没有可分配的申报（须形式审查通过且匿名化文本已确认）。")
    problem = build_problem(program, track, apps)
    if q is not None:
        try:
            solution = solve_randomised(
                problem.slots, problem.reviewers, conflicts=problem.conflicts,
                affinity=problem.affinity, existing=problem.existing, seed=seed, q=q,
            )  # fmt: skip
        except ValueError as err:
            raise InvalidInput(str(err)) from err
        return solution, apps
    solution = solve(
        problem.slots, problem.reviewers, conflicts=problem.conflicts,
        affinity=problem.affinity, existing=problem.existing, seed=seed,
        max_candidates=problem.max_candidates(),
    )  # fmt: skip
    return solution, apps


def commit(
    program: Program, track: str, seed: int, due: date | None, actor, q: float | None = None
) -> Solution:
    """Solve again (deterministic for the seed), store the assignments and move every fully
    staffed application to expert_assigned; one transaction with the caller's commit. Solve
    first, then write: the audit chain's append lock is taken only after the solver is done."""
    solution, apps = preview(program, track, seed, q)
    by_section = {s.id: s for a in apps for s in a.sections}
    panels = {
        (p.track_code, p.section_group): p.id
        for p in db.session.execute(select(Panel).where(Panel.program_id == program.id)).scalars()
    }
    rows = [
        {"application_id": by_section[section_id].application_id, "section_id": section_id,
         "expert_id": expert_id, "status": "assigned", "due_date": due,
         "panel_id": panels.get((track, BY_KEY[by_section[section_id].key].group))}
        for section_id, expert_id in solution.assignments
    ]  # fmt: skip
    if rows:
        # One executemany: nothing here needs the new rows as objects or their ids back (an ORM
        # flush inserted them one by one on SQLite to read each id).
        db.session.execute(insert(Assignment), rows)
    audit.record(
        "assignment.commit", "program", program.id, actor=actor,
        after={"track": track, "seed": seed, "assignments": len(solution.assignments),
               "max_load": solution.max_load, "mode": "randomised" if q is not None else "optimal",
               **({"q": q, "expected_affinity": solution.expected_affinity,
                   "optimal_affinity": solution.optimal_affinity} if q is not None else {})},
    )  # fmt: skip
    for app in apps:
        fire(app, "assign", actor)
    return solution


def manual_assign(section: Section, expert: Expert, actor, due: date | None = None) -> Assignment:
    """The coordinator assigns one expert by hand, with the same checks as the solver."""
    app = section.application
    program = app.program
    if not can_adjust_experts(actor, app):
        raise InvalidInput("当前申报状态下不能调整评审专家。")
    if (expert.id, app.id) in blocking_pairs(program):
        raise InvalidInput(f"{expert.name}与该企业存在利益冲突，不能分配。")
    if db.session.execute(
        select(Assignment.id).where(
            Assignment.application_id == app.id, Assignment.expert_id == expert.id
        )
    ).first():
        raise InvalidInput(
            f"{expert.name}已评审（或已回避）该申报的一个章节，每位专家每个申报只评一个章节。"
        )
    if expert_loads(program).get(expert.id, 0) >= expert.capacity:
        raise InvalidInput(f"{expert.name}的评审量已达上限（{expert.capacity}）。")
    assignment = Assignment(
        application_id=app.id, section_id=section.id, expert_id=expert.id,
        status="assigned", due_date=due,
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "assignment.manual", "assignment", assignment.id, actor=actor,
        after={"section": section.key, "expert": expert.id},
    )  # fmt: skip
    return assignment


def manual_remove(assignment: Assignment, actor) -> None:
    """Take an expert off a section before any score is in (audited)."""
    if assignment.status == "submitted":
        raise InvalidInput("已提交评分的任务不能撤销；如需重评请先重新开放。")
    if assignment.application.state not in STAFFING_STATES:
        raise InvalidInput("当前申报状态下不能调整评审专家。")
    if not can_remove_assignment(actor, assignment):
        raise InvalidInput("只有省厅协调员可以撤销尚未提交评分的任务。")
    audit.record(
        "assignment.remove", "assignment", assignment.id, actor=actor,
        before={"section": assignment.section.key, "expert": assignment.expert_id,
                "status": assignment.status},
    )  # fmt: skip
    db.session.execute(
        delete(Review).where(Review.assignment_id == assignment.id, Review.status == "draft")
    )
    db.session.delete(assignment)
    db.session.flush()


def reassign(declined: Assignment, actor, seed: int = 0) -> Assignment | None:
    """Fill the slot left by a declined assignment at once (the same solver, one slot)."""
    return _write_reassignment(declined, _solve_reassignment(declined, seed), actor)


def declare_and_reassign(declined: Assignment, reason: str, actor, seed: int = 0):
    """回避: the expert's declaration, then the slot filled at once. The declaration is
    written (flushed) first, the slot solved with nothing appended to the audit chain yet, then
    both events appended: the chain's lock is held for the appends, never while the solver
    runs. Returns the new assignment (None when the slot is still full); ``Infeasible`` after
    the declaration is recorded when no expert is free (the caller commits the declaration)."""
    if is_meeting_review(declined.application):
        return _declare_in_meeting(declined, reason, actor)
    conflict_service.declare(declined, reason, actor, record=False)
    try:
        solution = _solve_reassignment(declined, seed)
    except Infeasible:
        conflict_service.record_declaration(declined, reason, actor)
        raise
    conflict_service.record_declaration(declined, reason, actor)
    return _write_reassignment(declined, solution, actor)


def _declare_in_meeting(declined: Assignment, reason: str, actor) -> None:
    """回避 in a 会议评审: the expert's open sections of the application are all declined, and
    nobody replaces them (the other experts present score it)."""
    conflict_service.declare(declined, reason, actor)
    for other in db.session.execute(
        select(Assignment).where(
            Assignment.application_id == declined.application_id,
            Assignment.expert_id == declined.expert_id,
            Assignment.status.in_(("assigned", "reopened")),
        )
    ).scalars():
        other.status = "declined_conflict"
    db.session.flush()
    return None


def _solve_reassignment(declined: Assignment, seed: int):
    """The solver's answer for the declined assignment's slot (reads only); None when the slot
    has its reviewers already."""
    app = declined.application
    problem = build_problem(app.program, app.track_code, [app])
    slot = next(s for s in problem.slots if s.section_id == declined.section_id)
    have = sum(1 for e in problem.existing if e.section_id == slot.section_id)
    if have >= slot.need:
        return None
    return solve(
        [slot], problem.reviewers, conflicts=problem.conflicts, affinity=problem.affinity,
        existing=problem.existing, seed=seed,
    )  # fmt: skip


def _write_reassignment(declined: Assignment, solution, actor) -> Assignment | None:
    if solution is None:
        return None
    created = None
    for section_id, expert_id in solution.assignments:
        created = Assignment(
            application_id=declined.application_id, section_id=section_id, expert_id=expert_id,
            status="assigned", due_date=declined.due_date, panel_id=declined.panel_id,
        )  # fmt: skip
        db.session.add(created)
    db.session.flush()
    audit.record(
        "assignment.reassign", "assignment", declined.id, actor=actor,
        after={"new_experts": [e for _, e in solution.assignments]},
    )  # fmt: skip
    return created


__all__ = [
    "Infeasible", "commit", "declare_and_reassign", "ensure_panels", "manual_assign",
    "manual_remove", "preview", "reassign",
]  # fmt: skip
