"""Automatic assignment of section slots to panel experts (pure: dataclasses in and out).

Every (application, section) slot gets ``need`` reviewers from the panel of its section group.
Hard rules: never a conflicted expert (conflicts are per expert and application), never more
work than an expert's capacity, at most one section of the same application per expert.

Objective (lexicographic), solved exactly with network flows (OR-Tools ``graph``), no
heuristics and no time-dependent search:

1. Minimise the **maximum absolute load** over all reviewers, where an expert's load is
   ``Reviewer.load`` + the kept ``existing`` assignments + the new ones. Absolute, not a
   fraction of capacity: capacity is already a hard ceiling, and "nobody reviews more than N
   sections" is the number coordinators reason about. Found by binary search on the bound with
   a max flow per step. A reviewer already above the optimum (from outside work) raises the
   bound for everybody; affinity then decides.
2. Under that bound, maximise the total affinity of the new assignments (see ``affinity.py``),
   rounded to 1/100, by a min-cost flow. Seeded tie-break weights are added to each arc, scaled
   so that all of them together weigh less than 0.01 of affinity: different seeds may pick
   different answers, but only among equally good ones.

The network: source -> slot (capacity: reviewers still needed) -> (application, expert) node
(capacity 1 out of it: one section per application per expert) -> expert (capacity: spare
capacity, and at most the load bound) -> sink. Integral flows are assignments and conversely,
so the flow optimum is the optimum of the assignment problem.

Determinism: the flow solvers are deterministic, so the result depends only on the input and the
seed (inputs are sorted before the network is built).

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

import itertools
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ortools.graph.python import max_flow, min_cost_flow

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
    return (
        head + "；".join(s.message for s in shortages[:10]) + ("……" if len(shortages) > 10 else "")
    )


SOURCE, SINK = 0, 1


def network_nodes(slots, prep: _Prepared):
    """The flow network's nodes, numbered in a fixed order (source 0, sink 1, then slots by
    section id, then (application, expert) pairs and experts as first met), and its
    slot -> pair arcs as (section_id, expert_id, tail, head). Slots fully staffed already get a
    node but no arcs."""
    node = itertools.count(2)
    ordered = sorted(slots, key=lambda s: s.section_id)
    slot_node = {s.section_id: next(node) for s in ordered}
    pair_node: dict[tuple[int, int], int] = {}
    expert_node: dict[int, int] = {}
    arcs: list[tuple[int, int, int, int]] = []
    for s in ordered:
        if prep.remaining[s.section_id] == 0:
            continue
        for e in prep.eligible[s.section_id]:
            key = (s.application_id, e)
            if key not in pair_node:
                pair_node[key] = next(node)
            if e not in expert_node:
                expert_node[e] = next(node)
            arcs.append((s.section_id, e, slot_node[s.section_id], pair_node[key]))
    return slot_node, pair_node, expert_node, arcs


def prepare_checked(slots: list[Slot], reviewers: list[Reviewer], conflicts,
                    existing: list[Existing]) -> _Prepared:  # fmt: skip
    """The instance prepared for a solver; raises ``Infeasible`` when a slot, an application
    or a panel is short whatever the solver does."""
    prep = _prepare(slots, reviewers, conflicts, existing)
    kept = defaultdict(int)
    for e in existing:
        kept[e.section_id] += 1
    shortages = _shortages(slots, prep, lambda sid: kept[sid])
    if not shortages:
        shortages = _structural_shortages(slots, prep)
    if shortages:
        raise Infeasible(shortages, _summary(shortages))
    return prep


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
    to 0..1 (missing pairs count 0). Raises ``Infeasible``. ``time_limit`` is accepted for
    callers that budget time; the flow algorithms are exact and polynomial and do not use it
    (a province-sized instance takes about a second).
    """
    slots = list(slots)
    reviewers = list(reviewers)
    existing = list(existing)
    prep = prepare_checked(slots, reviewers, conflicts, existing)

    # -- network -------------------------------------------------------------------------
    # source -> slot (remaining need) -> (application, expert) (1) -> expert (spare, capped
    # at max load - base) -> sink. The unit arc out of each (application, expert) node is the
    # one-section-per-application rule; integral flows are assignments.
    rng = random.Random(seed)
    source, sink = SOURCE, SINK
    slot_node, pair_node, expert_node, x = network_nodes(slots, prep)
    total_need = sum(prep.remaining.values())
    experts = sorted(expert_node)
    by_slot = [(s.section_id, prep.remaining[s.section_id]) for s in slots]
    by_slot.sort()

    def caps(bound: int) -> list[int]:
        return [max(0, min(prep.spare[e], bound - prep.base[e])) for e in experts]

    def fixed_arcs():
        """Arcs besides slot -> pair and the expert -> sink arcs, as (tail, head, capacity)."""
        arcs = [(source, slot_node[sid], need) for sid, need in by_slot if need]
        arcs += [(pair_node[k], expert_node[k[1]], 1) for k in sorted(pair_node)]
        return arcs

    def max_assignable(bound: int) -> int:
        flow = max_flow.SimpleMaxFlow()
        for t, h, c in fixed_arcs():
            flow.add_arc_with_capacity(t, h, c)
        for _, _, t, h in x:
            flow.add_arc_with_capacity(t, h, 1)
        for e, c in zip(experts, caps(bound), strict=True):
            flow.add_arc_with_capacity(expert_node[e], sink, c)
        if flow.solve(source, sink) != flow.OPTIMAL:  # pragma: no cover - bad input
            raise RuntimeError("max flow failed")
        return flow.optimal_flow()

    base_max = max(prep.base.values(), default=0)
    high = max([base_max] + [prep.base[e] + prep.spare[e] for e in experts])
    if max_assignable(high) < total_need:
        msg = (
            "无法完成自动分配：各章节均有足够的无冲突专家，但在容量上限和“同一申报书每名专家只评"
            "一个章节”的限制下无法同时满足所有章节，请增加专家、提高容量或调整回避。"
        )
        raise Infeasible([], msg)
    # Pass 1: the lowest bound on the maximum load under which every slot is still staffed.
    low = base_max
    while low < high:
        mid = (low + high) // 2
        if max_assignable(mid) >= total_need:
            high = mid
        else:
            low = mid + 1
    best_max = low

    # Pass 2: min-cost flow under that bound; cost = (best score - score) per assignment.
    tie = {(sid, e): rng.randrange(TIE_BREAK_LEVELS) for sid, e, _, _ in sorted(x)}
    weight = total_need * (TIE_BREAK_LEVELS - 1) + 1
    top = AFFINITY_SCALE * weight + TIE_BREAK_LEVELS
    flow = min_cost_flow.SimpleMinCostFlow()
    for t, h, c in fixed_arcs():
        flow.add_arc_with_capacity_and_unit_cost(t, h, c, 0)
    first_x = flow.num_arcs()
    for sid, e, t, h in x:
        a = max(0.0, min(1.0, affinity.get((e, sid), 0.0)))
        score = round(a * AFFINITY_SCALE) * weight + tie[(sid, e)]
        flow.add_arc_with_capacity_and_unit_cost(t, h, 1, top - score)
    for e, c in zip(experts, caps(best_max), strict=True):
        flow.add_arc_with_capacity_and_unit_cost(expert_node[e], sink, c, 0)
    flow.set_node_supply(source, total_need)
    flow.set_node_supply(sink, -total_need)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - the max flow above proved feasibility
        raise RuntimeError(f"min cost flow failed: {status}")

    chosen = sorted((sid, e) for i, (sid, e, _, _) in enumerate(x) if flow.flow(first_x + i) > 0)
    loads = dict(prep.base)
    for _, e in chosen:
        loads[e] += 1
    return Solution(
        assignments=chosen,
        max_load=max(loads.values(), default=0),
        total_affinity=round(sum(affinity.get((e, sid), 0.0) for sid, e in chosen), 6),
        loads=dict(sorted(loads.items())),
    )
