"""Automatic assignment of section slots to panel experts (pure: dataclasses in and out).

Every (application, section) slot gets ``need`` reviewers from the panel of its section group.
Hard rules: never a conflicted expert (conflicts are per expert and application), never more
work than an expert's capacity, at most one section of the same application per expert.

Objective (lexicographic), solved exactly with network flows (OR-Tools ``graph``), no
heuristics and no time-dependent search:

1. Minimise the **maximum absolute load** over all reviewers, where an expert's load is
   ``Reviewer.load`` + the kept ``existing`` assignments + the new ones. Absolute, not a
   fraction of capacity: capacity is already a hard ceiling, and "nobody reviews more than N
   sections" is the number coordinators reason about. A reviewer already above the optimum
   (from outside work) raises the bound for everybody; affinity then decides.
2. Under that bound, maximise the total affinity of the new assignments (see ``affinity.py``)
   exactly at its own resolution: costs are integers in millionths of affinity (``flow.py``).

Both in one min-cost flow in the usual case: a lower bound on the maximum load (each group's
slots must fit into its panel filled up to the bound) is tried first; the min-cost flow's own
feasibility check tells whether it carries all the need. Only when it does not, a binary search
with max flows finds the lowest bound, and a second min-cost flow runs under it.

The network (``flow.Network``): source -> slot (reviewers still needed) -> expert (spare capacity,
at most the load bound) -> sink, with an (application, expert) node of capacity 1 in between
only where the expert could get two sections of one application. An application's sections in
one group with identical affinities and eligibility (as ``affinity.py`` scores them) are one
network slot needing their total (``instance.py``); ``max_candidates`` prunes each slot to its
best candidates. Integral flows are assignments and conversely, so the flow optimum is the
optimum of the assignment problem (of the pruned one when pruning).

Determinism and ties: the flow algorithms are deterministic and the inputs are sorted, so the
result depends only on the input and the seed. The seed numbers the expert nodes in a shuffled
order and spreads a merged slot's experts over its sections: different seeds may pick different
answers, but only among equally good ones.

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

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..applications.catalogue import GROUP_NAMES
from .flow import Network, costs_of, fill_bound
from .instance import Prepared


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


def _shortages(slots, prep: Prepared, kept_of) -> list[Shortage]:
    out = []
    counts = prep.eligible_count()
    short = np.flatnonzero(counts < prep.need)
    for i in short.tolist():
        s, have = prep.slots[i], int(counts[i])
        if True:
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


def structural_shortages(slots, prep: Prepared) -> list[Shortage]:
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


GENERAL_SHORTAGE = (
    "无法完成自动分配：各章节均有足够的无冲突专家，但在容量上限和“同一申报书每名专家只评"
    "一个章节”的限制下无法同时满足所有章节，请增加专家、提高容量或调整回避。"
)


def prepare_checked(slots: list[Slot], reviewers: list[Reviewer], conflicts,
                    existing: list[Existing], affinity=None) -> Prepared:  # fmt: skip
    """The instance prepared for a solver; raises ``Infeasible`` when a slot is short whatever
    the solver does (application and panel shortages: ``structural_infeasible``)."""
    prep = Prepared(slots, reviewers, conflicts, existing, affinity or {})
    shortages = _shortages(slots, prep, lambda sid: prep.kept[sid])
    if shortages:
        raise Infeasible(shortages, _summary(shortages))
    return prep


def structural_infeasible(slots, prep: Prepared) -> Infeasible:
    """Why a flow could not carry the need: application or panel shortages, or the general
    message (the interplay of capacity and the one-per-application rule)."""
    shortages = structural_shortages(slots, prep)
    if shortages:
        return Infeasible(shortages, _summary(shortages))
    return Infeasible([], GENERAL_SHORTAGE)


def load_bounds(prep: Prepared, arcs):
    """(a lower bound on the lowest maximum load, the highest load any bound needs): every
    group's slots must fit into its members filled up to the bound."""
    floor = int(prep.base_a.max()) if len(prep.base_a) else 0
    used = np.flatnonzero(np.bincount(arcs.arc_expert, minlength=len(prep.base_a)))
    high = max([floor] + (prep.base_a[used] + prep.spare_a[used]).tolist())
    lower = floor
    for b in prep.blocks:
        need = int(prep.need[b.rows].sum())
        lower = max(lower, fill_bound(prep.base_a[b.members], prep.spare_a[b.members], need, floor))
    return min(lower, high), high


def lowest_bound(prep: Prepared) -> int:
    """``load_bounds``'s lower bound, whatever the candidates."""
    floor = int(prep.base_a.max()) if len(prep.base_a) else 0
    return max([floor] + [
        fill_bound(prep.base_a[b.members], prep.spare_a[b.members],
                   int(prep.need[b.rows].sum()), floor)
        for b in prep.blocks
    ])  # fmt: skip


def solve(
    slots: Iterable[Slot],
    reviewers: Iterable[Reviewer],
    *,
    conflicts: set[tuple[int, int]],
    affinity: Mapping[tuple[int, int], float],
    existing: Iterable[Existing] = (),
    seed: int = 0,
    time_limit: float = 20.0,
    max_candidates: int | None = None,
) -> Solution:
    """Assign reviewers to slots; see the module docstring for the rules and the objective.

    ``conflicts`` holds (expert_id, application_id); ``affinity`` maps (expert_id, section_id)
    to 0..1 (missing pairs count 0). Raises ``Infeasible``. ``time_limit`` is accepted for
    callers that budget time; the flow algorithms are exact and polynomial and do not use it.
    ``max_candidates`` keeps only each slot's best candidates (by affinity, then a seeded hash):
    the optimum over that pruned network, not the exact one; it is taken only when its maximum
    load is the lowest possible (else wider candidates, then the full network: ``solve_prepared``).
    ``affinity`` may be a ``classes.ClassAffinity`` (scores by slot class, never listed per pair).
    """
    slots = list(slots)
    reviewers = list(reviewers)
    existing = list(existing)
    prep = prepare_checked(slots, reviewers, conflicts, existing, affinity)
    return solve_prepared(slots, prep, seed=seed, max_candidates=max_candidates)


def solve_prepared(slots, prep: Prepared, *, seed: int = 0, max_candidates=None) -> Solution:
    """``solve`` on an instance ``prepare_checked`` has accepted.

    With ``max_candidates`` the pruned network is taken when it reaches the lower bound on the
    maximum load (no network can do better on the first objective); else four times as many
    candidates (taken when they carry the need), then every pair."""
    limits = [None]
    if max_candidates is not None:
        widest = max((len(b.members) for b in prep.blocks), default=0)
        limits = [k for k in (max_candidates, 4 * max_candidates) if k < widest] + [None]
    result = None
    for limit in limits:
        widened = limit is not None and limit != max_candidates
        arcs = prep.arcs(max_candidates=limit, seed=seed)
        net = Network(arcs.need, arcs.app, prep.base_a, prep.spare_a, arcs.arc_slot,
                      arcs.arc_expert, costs_of(arcs.value), seed=seed)  # fmt: skip
        lower, high = load_bounds(prep, arcs)
        result = net.solve(lower, high)
        if result is not None and (limit is None or widened or result[0] <= lowest_bound(prep)):
            break
        result = None
    if result is None:
        raise structural_infeasible(slots, prep)
    taken = np.flatnonzero(net.candidate_flows(result[1]) > 0)
    chosen = _spread(prep, arcs, taken, seed)
    loads = dict(prep.base)
    for _, e, _ in chosen:
        loads[e] += 1
    return Solution(
        assignments=[(sid, e) for sid, e, _ in chosen],
        max_load=max(loads.values(), default=0),
        total_affinity=round(sum(v for _, _, v in chosen), 6),
        loads=dict(sorted(loads.items())),
    )


def _spread(prep: Prepared, arcs, taken: np.ndarray, seed: int):
    """Sorted (section_id, expert_id, affinity) of the taken arcs; the experts of a merged
    network slot take its sections' seats in a seeded order (any split is as good)."""
    net_slot, expert, value = arcs.arc_slot[taken], arcs.arc_expert[taken], arcs.value[taken]
    width = np.array([len(rows) for rows in arcs.slots], np.int64)
    first = np.array([rows[0] for rows in arcs.slots], np.int64)
    section = prep.section_ids[first[net_slot]] if len(net_slot) else net_slot
    merged = np.flatnonzero(width[net_slot] > 1)
    if len(merged):
        key = np.random.default_rng(seed).random(len(merged))
        order = merged[np.lexsort((key, net_slot[merged]))]
        seats = [
            np.repeat(prep.section_ids[rows], prep.need[rows])
            for rows in (arcs.slots[k] for k in np.unique(net_slot[merged]).tolist())
        ]
        section = section.copy()
        section[order] = np.concatenate(seats)
    order = np.lexsort((prep.expert_ids[expert], section))
    return list(
        zip(section[order].tolist(), prep.expert_ids[expert[order]].tolist(),
            value[order].tolist(), strict=True)
    )  # fmt: skip
