"""Automatic assignment of section slots to panel experts (pure: dataclasses in and out).

Every (application, section) slot gets ``need`` reviewers from the panel of its section group.
Hard rules: never a conflicted expert (conflicts are per expert and application), never more
work than an expert's capacity, at most one section of the same application per expert.

Objective (lexicographic, solved in two CP-SAT passes):

1. Minimise the **maximum absolute load** over all reviewers, where an expert's load is
   ``Reviewer.load`` + the kept ``existing`` assignments + the new ones. Absolute, not a
   fraction of capacity: capacity is already a hard ceiling, and "nobody reviews more than N
   sections" is the number coordinators reason about. A reviewer already above the optimum
   (from outside work) raises the bound for everybody; the second pass then decides.
2. Under that bound, maximise the total affinity of the new assignments (see ``affinity.py``),
   rounded to 1/100, plus seeded tie-break weights that are too small to outweigh even one
   affinity step (each tie-break total is below the weight of 0.01 of affinity), so different
   seeds pick different answers only among equally good ones.

Determinism: one worker and ``random_seed=seed``; the result is reproducible as long as each pass
finishes (proves optimality) within the time limit. If a pass runs out of time, the best
solution found so far is used (and may depend on machine speed).

``Reviewer.load`` is work the expert carries *outside* the ``existing`` list (other tracks,
batches); the solver adds one per kept existing assignment itself, so do not count them twice.

When no assignment exists, ``Infeasible`` lists the reasons, most specific first:

- ``kind="slot"``: a slot has fewer eligible experts than it needs (eligible = in the panel,
  not conflicted, spare capacity > 0, not already holding another section of the application;
  kept reviewers of the slot count as eligible);
- ``kind="application"``: the sections of one application in one panel need more distinct
  experts than the panel can offer (one section per expert per application);
- ``kind="panel"``: a panel's total spare capacity is below its total remaining need;
- none of these: a general message (the interplay of capacity and the one-per-application rule).
"""

import random
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..applications.catalogue import GROUP_NAMES

AFFINITY_SCALE = 100  # affinity resolution: 0.01
TIE_BREAK_LEVELS = 4  # tie-break weights are 0 .. TIE_BREAK_LEVELS - 1


@dataclass(frozen=True)
class Slot:
    section_id: int
    application_id: int
    group: str
    need: int = 3


@dataclass(frozen=True)
class Reviewer:
    expert_id: int
    groups: frozenset[str]
    capacity: int
    load: int = 0


@dataclass(frozen=True)
class Existing:
    """A kept assignment: counts toward the slot's need, the expert's load and the
    one-section-per-application rule."""

    section_id: int
    application_id: int
    expert_id: int


@dataclass
class Solution:
    assignments: list[tuple[int, int]]  # (section_id, expert_id), new ones only, sorted
    max_load: int
    total_affinity: float  # of the new assignments
    loads: dict[int, int]  # expert_id -> load + kept existing + new, for every reviewer


@dataclass
class Shortage:
    section_id: int | None  # None for application- and panel-level shortages
    application_id: int | None  # None for panel-level shortages
    group: str
    eligible: int  # experts (slot, application) or spare capacity (panel) available
    need: int
    message: str
    kind: str = "slot"  # "slot", "application" or "panel"


class Infeasible(Exception):
    def __init__(self, shortages: list[Shortage], message: str):
        super().__init__(message)
        self.shortages = shortages
        self.message = message


class SolverTimeout(Exception):
    """The solver found no assignment within the time limit (none was proven impossible)."""


def group_name(group: str) -> str:
    return GROUP_NAMES.get(group, group)


@dataclass
class _Prepared:
    remaining: dict[int, int]  # section_id -> reviewers still needed
    eligible: dict[int, list[int]] = field(default_factory=dict)  # section_id -> expert ids
    spare: dict[int, int] = field(default_factory=dict)
    base: dict[int, int] = field(default_factory=dict)  # load + kept existing


def _prepare(slots, reviewers, conflicts, existing) -> _Prepared:
    by_section = {}
    for s in slots:
        if s.section_id in by_section:
            raise ValueError(f"duplicate slot for section {s.section_id}")
        if s.need < 0:
            raise ValueError(f"negative need for section {s.section_id}")
        by_section[s.section_id] = s
    experts = {}
    for r in reviewers:
        if r.expert_id in experts:
            raise ValueError(f"duplicate reviewer {r.expert_id}")
        experts[r.expert_id] = r

    kept = defaultdict(int)  # section_id -> kept reviewers
    holds = set()  # (expert_id, application_id) held by a kept assignment
    extra = defaultdict(int)  # expert_id -> kept assignments
    for e in existing:
        kept[e.section_id] += 1
        holds.add((e.expert_id, e.application_id))
        extra[e.expert_id] += 1

    prep = _Prepared(remaining={})
    for r in reviewers:
        prep.base[r.expert_id] = r.load + extra[r.expert_id]
        prep.spare[r.expert_id] = max(0, r.capacity - prep.base[r.expert_id])

    panels = defaultdict(list)
    for r in sorted(reviewers, key=lambda r: r.expert_id):
        for g in r.groups:
            panels[g].append(r.expert_id)

    for s in sorted(slots, key=lambda s: s.section_id):
        prep.remaining[s.section_id] = max(0, s.need - kept[s.section_id])
        prep.eligible[s.section_id] = [
            e
            for e in panels.get(s.group, ())
            if (e, s.application_id) not in conflicts
            and (e, s.application_id) not in holds
            and prep.spare[e] > 0
        ]
    return prep


def _shortages(slots, prep: _Prepared, kept_of) -> list[Shortage]:
    out = []
    for s in sorted(slots, key=lambda s: s.section_id):
        have = len(prep.eligible[s.section_id])
        if have < prep.remaining[s.section_id]:
            total = have + kept_of(s.section_id)
            out.append(
                Shortage(
                    s.section_id,
                    s.application_id,
                    s.group,
                    total,
                    s.need,
                    f"章节#{s.section_id}（{group_name(s.group)}）只有{total}名无冲突且有余量的专家，"
                    f"还差{s.need - total}名",
                )
            )
    return out


def _structural_shortages(slots, prep: _Prepared) -> list[Shortage]:
    out = []
    per_app = defaultdict(list)
    for s in slots:
        per_app[(s.application_id, s.group)].append(s)
    for (app, group), group_slots in sorted(per_app.items()):
        need = sum(prep.remaining[s.section_id] for s in group_slots)
        distinct = set().union(*(prep.eligible[s.section_id] for s in group_slots))
        if len(distinct) < need:
            out.append(
                Shortage(
                    None,
                    app,
                    group,
                    len(distinct),
                    need,
                    f"申报书#{app}在{group_name(group)}的章节共需{need}名不同专家（每名专家同一申报书"
                    f"只评一个章节），但只有{len(distinct)}名无冲突且有余量的专家，"
                    f"还差{need - len(distinct)}名",
                    kind="application",
                )
            )
    panel_need = defaultdict(int)
    panel_members = defaultdict(set)
    for s in slots:
        panel_need[s.group] += prep.remaining[s.section_id]
        panel_members[s.group].update(prep.eligible[s.section_id])
    for group in sorted(panel_need):
        spare = sum(prep.spare[e] for e in panel_members[group])
        need = panel_need[group]
        if spare < need:
            out.append(
                Shortage(
                    None,
                    None,
                    group,
                    spare,
                    need,
                    f"{group_name(group)}可用专家的剩余评审容量合计{spare}份，少于待分配的{need}份，"
                    f"还差{need - spare}份",
                    kind="panel",
                )
            )
    return out


def _summary(shortages: list[Shortage]) -> str:
    head = f"无法完成自动分配：{len(shortages)}处专家不足。"
    return head + "；".join(s.message for s in shortages[:10]) + ("……" if len(shortages) > 10 else "")


def solve(
    slots: Iterable[Slot],
    reviewers: Iterable[Reviewer],
    *,
    conflicts: set[tuple[int, int]],
    affinity: Mapping[tuple[int, int], float],
    existing: Iterable[Existing] = (),
    seed: int = 0,
    time_limit: float = 20.0,
) -> Solution:
    """Assign reviewers to slots; see the module docstring for the rules and the objective.

    ``conflicts`` holds (expert_id, application_id); ``affinity`` maps (expert_id, section_id)
    to 0..1 (missing pairs count 0). Raises ``Infeasible`` or ``SolverTimeout``.
    """
    from ortools.sat.python import cp_model

    slots = list(slots)
    reviewers = list(reviewers)
    existing = list(existing)
    deadline = time.monotonic() + time_limit
    prep = _prepare(slots, reviewers, conflicts, existing)
    kept = defaultdict(int)
    for e in existing:
        kept[e.section_id] += 1

    shortages = _shortages(slots, prep, lambda sid: kept[sid])
    if not shortages:
        shortages = _structural_shortages(slots, prep)
    if shortages:
        raise Infeasible(shortages, _summary(shortages))

    # -- model -----------------------------------------------------------------------------
    rng = random.Random(seed)
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}  # (section_id, expert_id)
    per_expert = defaultdict(list)
    per_expert_app = defaultdict(list)
    for s in sorted(slots, key=lambda s: s.section_id):
        vars_ = []
        for e in prep.eligible[s.section_id]:
            v = model.new_bool_var(f"x{s.section_id}_{e}")
            x[(s.section_id, e)] = v
            vars_.append(v)
            per_expert[e].append(v)
            per_expert_app[(e, s.application_id)].append(v)
        model.add(sum(vars_) == prep.remaining[s.section_id])
    for vs in per_expert_app.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)

    base_max = max(prep.base.values(), default=0)
    upper = max([base_max] + [prep.base[e] + prep.spare[e] for e in prep.base])
    max_load = model.new_int_var(base_max, max(upper, base_max), "max_load")
    for e, vs in per_expert.items():
        model.add(sum(vs) <= prep.spare[e])
        model.add(prep.base[e] + sum(vs) <= max_load)

    def run(phase: str):
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            msg = (
                "无法完成自动分配：各章节均有足够的无冲突专家，但在容量上限和“同一申报书每名专家只评"
                "一个章节”的限制下无法同时满足所有章节，请增加专家、提高容量或调整回避。"
            )
            raise Infeasible([], msg)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverTimeout(f"在{time_limit:g}秒内未找到可行的分配方案（{phase}）")
        return solver

    # Pass 1: the lowest maximum load.
    model.minimize(max_load)
    first = run("最小化最大工作量")
    best_max = int(first.value(max_load))
    model.clear_objective()
    model.add(max_load <= best_max)
    for key, v in x.items():
        model.add_hint(v, bool(first.boolean_value(v)))

    # Pass 2: the most affinity under that bound, then seeded tie-breaks.
    tie = {key: rng.randrange(TIE_BREAK_LEVELS) for key in sorted(x)}
    weight = sum(prep.remaining.values()) * (TIE_BREAK_LEVELS - 1) + 1
    scaled = {
        (sid, e): round(max(0.0, min(1.0, affinity.get((e, sid), 0.0))) * AFFINITY_SCALE)
        for (sid, e) in x
    }
    model.maximize(sum((scaled[k] * weight + tie[k]) * v for k, v in x.items()))
    second = run("最大化匹配度")

    chosen = sorted(k for k, v in x.items() if second.boolean_value(v))
    loads = dict(prep.base)
    for _, e in chosen:
        loads[e] += 1
    return Solution(
        assignments=chosen,
        max_load=max(loads.values(), default=0),
        total_affinity=round(sum(affinity.get((e, sid), 0.0) for sid, e in chosen), 6),
        loads=dict(sorted(loads.items())),
    )
