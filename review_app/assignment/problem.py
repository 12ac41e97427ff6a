"""The assignment problem of a track as the solver takes it (read only): the ready
applications' slots, the panels' members with their loads, the blocking conflicts, the kept
assignments and the affinities by class."""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..applications.catalogue import scored_sections
from ..applications.models import Application
from ..experts.models import Expert, Panel
from ..extensions import db
from ..programs.models import Program
from ..workflow.guards import reviewers_per_section
from .affinity import affinity
from .classes import ClassAffinity
from .conflict_service import blocking_pairs
from .models import ACTIVE_ASSIGNMENT_STATUSES, Assignment
from .solver import Existing, Reviewer, Slot

# Above this many (slot, panel member) pairs each slot keeps its best NATIONAL_CANDIDATES panel
# members (solver ``max_candidates``). A province (200 卓越级 applications, 150 experts: about
# 0.3 million pairs) is solved over every pair; 1,000 / 600 has 2.2 million, 5,000 / 3,000 55.
NATIONAL_PAIRS = 1_000_000
NATIONAL_CANDIDATES = 100


def expert_loads(program: Program) -> dict[int, int]:
    """expert_id -> active assignments in ``program``."""
    return dict(
        db.session.execute(
            select(Assignment.expert_id, func.count(Assignment.id))
            .join(Application, Application.id == Assignment.application_id)
            .where(
                Application.program_id == program.id,
                Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES),
            )
            .group_by(Assignment.expert_id)
        ).all()
    )


@dataclass
class Problem:
    slots: list[Slot]
    reviewers: list[Reviewer]
    conflicts: set[tuple[int, int]]
    affinity: ClassAffinity  # by (expert, group and 大类); ``pairs`` lists them per section
    existing: list[Existing]

    def pairs(self) -> dict[tuple[int, int], float]:
        """(expert_id, section_id) -> affinity for every slot and member of its panel."""
        return self.affinity.pairs(self.slots, self.reviewers)

    def max_candidates(self) -> int | None:
        """``NATIONAL_CANDIDATES`` when the (slot, panel member) pairs exceed ``NATIONAL_PAIRS``
        (the solver then keeps each slot's best ones), else None: every pair, the exact optimum,
        as at province scale."""
        size = {}
        for r in self.reviewers:
            for g in r.groups:
                size[g] = size.get(g, 0) + 1
        pairs = sum(size.get(s.group, 0) for s in self.slots)
        return NATIONAL_CANDIDATES if pairs > NATIONAL_PAIRS else None


def build_problem(program: Program, track: str, apps: list[Application]) -> Problem:
    need = reviewers_per_section(apps[0]) if apps else 3
    panels = db.session.execute(
        select(Panel).where(Panel.program_id == program.id, Panel.track_code == track)
    ).scalars().all()  # fmt: skip
    groups: dict[int, set[str]] = {}
    experts: dict[int, Expert] = {}
    for panel in panels:
        for member in panel.members:
            groups.setdefault(member.expert_id, set()).add(panel.section_group)
            experts[member.expert_id] = member.expert
    app_ids = [a.id for a in apps]
    current = db.session.execute(
        select(Assignment).where(
            Assignment.application_id.in_(app_ids),
            Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES),
        )
    ).scalars().all() if app_ids else []  # fmt: skip
    existing = [Existing(a.section_id, a.application_id, a.expert_id) for a in current]
    declined = db.session.execute(
        select(Assignment.expert_id, Assignment.application_id).where(
            Assignment.application_id.in_(app_ids), Assignment.status == "declined_conflict"
        )
    ).all() if app_ids else []  # fmt: skip
    conflicts = blocking_pairs(program) | {(e, a) for e, a in declined}
    loads = expert_loads(program)
    # Kept assignments count in the solver's own load; the reviewer's load is the rest.
    kept = {}
    for a in current:
        kept[a.expert_id] = kept.get(a.expert_id, 0) + 1
    reviewers = [
        Reviewer(e.id, frozenset(groups[e.id]), e.capacity, loads.get(e.id, 0) - kept.get(e.id, 0))
        for e in experts.values()
    ]
    # Scores by class: affinity.py's depends on the expert, the group and the 大类 only, so it
    # is computed once per (expert, group, 大类) and the solver gets one row per class instead
    # of one score per (section, panel member) pair (n · m of them at national scale).
    members = {
        group: [e for e in experts.values() if group in groups[e.id]]
        for group in {g for gs in groups.values() for g in gs}
    }
    slots, slot_class, table, scored = [], {}, {}, set()
    for app in apps:
        division = app.enterprise.industry_division
        for spec in scored_sections(app.track_code):
            section = app.section(spec.key)
            if section is None:
                continue
            slots.append(Slot(section.id, app.id, spec.group, need))
            key = slot_class[section.id] = (spec.group, division)
            if key in scored:
                continue
            scored.add(key)
            for e in members.get(spec.group, ()):
                table[(e.id, key)] = affinity(
                    set(e.specialties or []), set(e.industries or []), spec.group, division
                )
    scores = ClassAffinity(slot_class, table)
    return Problem(slots, reviewers, conflicts, scores, existing)
