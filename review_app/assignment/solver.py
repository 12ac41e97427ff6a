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
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..applications.catalogue import GROUP_NAMES
from .flow import SCALE as AFFINITY_SCALE
from .flow import Network, costs_of, fill_bound


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


class _Prepared:
    """The instance as arrays: slots sorted by section id, experts by expert id, and every
    eligible (slot, expert) pair (in the panel, not conflicted, spare capacity > 0, not holding
    another section of the application) with its affinity."""

    def __init__(self, slots, reviewers, conflicts, existing, affinity):
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
        self.slots = [by_section[k] for k in sorted(by_section)]
        self.experts = [experts[k] for k in sorted(experts)]
        kept = defaultdict(int)  # section_id -> kept reviewers
        extra = defaultdict(int)  # expert_id -> kept assignments
        for e in existing:
            kept[e.section_id] += 1
            extra[e.expert_id] += 1
        self.kept = kept
        self.remaining = {s.section_id: max(0, s.need - kept[s.section_id]) for s in self.slots}
        self.base = {r.expert_id: r.load + extra[r.expert_id] for r in self.experts}
        self.spare = {r.expert_id: max(0, r.capacity - self.base[r.expert_id]) for r in self.experts}
        self.section_ids = np.array([s.section_id for s in self.slots], np.int64)
        self.expert_ids = np.array([r.expert_id for r in self.experts], np.int64)
        self.need = np.array([self.remaining[s.section_id] for s in self.slots], np.int64)
        self.base_a = np.array([self.base[r.expert_id] for r in self.experts], np.int64)
        self.spare_a = np.array([self.spare[r.expert_id] for r in self.experts], np.int64)
        app_ids = np.array([s.application_id for s in self.slots], np.int64)
        self.app_ids, self.app = np.unique(app_ids, return_inverse=True)
        self.groups = sorted({s.group for s in self.slots})
        group_of = {g: i for i, g in enumerate(self.groups)}
        self.slot_group = np.array([group_of[s.group] for s in self.slots], np.int64)
        self._pairs(conflicts, existing, affinity)
        self._eligible = None

    @staticmethod
    def _index(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Positions of ``values`` in the sorted ``ids`` (-1 where absent)."""
        if len(ids) == 0 or len(values) == 0:
            return np.full(len(values), -1, np.int64)
        lo, hi = int(ids[0]), int(ids[-1])
        if lo >= 0 and hi < 4 * len(ids) + 1_000_000:  # ids small enough for a table
            table = np.full(hi + 2, -1, np.int64)
            table[ids] = np.arange(len(ids))
            return table[np.clip(values, -1, hi + 1)]
        pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
        return np.where(ids[pos] == values, pos, -1)

    def _pairs(self, conflicts, existing, affinity):
        n_e, n_a = len(self.experts), len(self.app_ids)
        pairs = itertools.chain(conflicts, ((x.expert_id, x.application_id) for x in existing))
        n = len(conflicts) + len(existing)
        blocked = np.fromiter(itertools.chain.from_iterable(pairs), np.int64, count=2 * n)
        be, ba = self._index(self.expert_ids, blocked[0::2]), self._index(self.app_ids, blocked[1::2])
        ok = (be >= 0) & (ba >= 0)
        blocked_keys = be[ok] * max(1, n_a) + ba[ok]
        # Panel members with room, per group; the pairs of a group: its slots x its members.
        member_pos = np.full((len(self.groups), max(1, n_e)), -1, np.int64)
        offset, blocks = 0, []
        for g, group in enumerate(self.groups):
            members = np.array(
                [i for i, r in enumerate(self.experts) if group in r.groups and self.spare_a[i] > 0],
                np.int64,
            )
            rows = np.flatnonzero(self.slot_group == g)
            member_pos[g, members] = np.arange(len(members))
            blocks.append((offset, rows, members))
            offset += len(rows) * len(members)
        slot_row = np.zeros(len(self.slots), np.int64)
        for _, rows, _ in blocks:
            slot_row[rows] = np.arange(len(rows))
        pair_slot = np.concatenate([np.repeat(r, len(m)) for _, r, m in blocks] or [[]])
        pair_expert = np.concatenate([np.tile(m, len(r)) for _, r, m in blocks] or [[]])
        pair_slot, pair_expert = pair_slot.astype(np.int64), pair_expert.astype(np.int64)
        keys = pair_expert * max(1, n_a) + self.app[pair_slot]
        if n_e * n_a <= 50_000_000:
            dense = np.zeros(n_e * n_a, bool)
            dense[blocked_keys] = True
            free = ~dense[keys]
        else:
            free = ~np.isin(keys, np.unique(blocked_keys))
        # Affinities, scattered from the mapping onto the pairs (missing pairs count 0).
        value = np.zeros(offset)
        n = len(affinity)
        if n and offset:
            flat = np.fromiter(itertools.chain.from_iterable(affinity), np.int64, count=2 * n)
            vals = np.fromiter(affinity.values(), np.float64, count=n)
            ae = self._index(self.expert_ids, flat[0::2])
            asl = self._index(self.section_ids, flat[1::2])
            hit = (ae >= 0) & (asl >= 0)
            ae, asl, vals = ae[hit], asl[hit], vals[hit]
            g = self.slot_group[asl]
            col = member_pos[g, ae]
            hit = col >= 0
            starts = np.array([b[0] for b in blocks], np.int64)
            widths = np.array([len(b[2]) for b in blocks], np.int64)
            where = starts[g[hit]] + slot_row[asl[hit]] * widths[g[hit]] + col[hit]
            value[where] = vals[hit]
        self.blocks = blocks
        self.pair_value = value  # affinity of every (slot, member) pair, eligible or not
        self.pair_free = free
        self.pair_slot, self.pair_expert = pair_slot[free], pair_expert[free]
        self.affinity = value[free]  # of the eligible pairs, slot-major, experts ascending

    @property
    def eligible(self) -> dict[int, list[int]]:
        """section_id -> eligible expert ids, ascending."""
        if self._eligible is None:
            out = {int(sid): [] for sid in self.section_ids}
            ids = self.expert_ids[self.pair_expert].tolist()
            for s, e in zip(self.section_ids[self.pair_slot].tolist(), ids, strict=True):
                out[s].append(e)
            self._eligible = out
        return self._eligible

    def eligible_count(self) -> np.ndarray:
        return np.bincount(self.pair_slot, minlength=len(self.slots))

    def candidates(self, max_candidates: int | None) -> np.ndarray:
        """A mask over the eligible pairs: each slot's best ``max_candidates`` (affinity, then
        expert id), or all of them."""
        keep = np.ones(len(self.pair_slot), bool)
        if max_candidates is None:
            return keep
        score = np.where(self.pair_free, self.pair_value, -1.0)
        chosen = np.zeros(len(score), bool)
        for offset, rows, members in self.blocks:
            width = len(members)
            block = score[offset : offset + len(rows) * width].reshape(len(rows), width)
            if width <= max_candidates:
                chosen[offset : offset + block.size] = True
                continue
            best = np.argsort(-block, axis=1, kind="stable")[:, :max_candidates]
            sub = np.zeros(block.shape, bool)
            np.put_along_axis(sub, best, True, axis=1)
            chosen[offset : offset + block.size] = sub.ravel()
        return chosen[self.pair_free]


def _prepare(slots, reviewers, conflicts, existing, affinity=None) -> _Prepared:
    return _Prepared(slots, reviewers, conflicts, existing, affinity or {})


def _shortages(slots, prep: _Prepared, kept_of) -> list[Shortage]:
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


def structural_shortages(slots, prep: _Prepared) -> list[Shortage]:
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
                    existing: list[Existing], affinity=None) -> _Prepared:  # fmt: skip
    """The instance prepared for a solver; raises ``Infeasible`` when a slot is short whatever
    the solver does (application and panel shortages: ``structural_infeasible``)."""
    prep = _prepare(slots, reviewers, conflicts, existing, affinity)
    shortages = _shortages(slots, prep, lambda sid: prep.kept[sid])
    if shortages:
        raise Infeasible(shortages, _summary(shortages))
    return prep


def structural_infeasible(slots, prep: _Prepared) -> Infeasible:
    """Why a flow could not carry the need: application or panel shortages, or the general
    message (the interplay of capacity and the one-per-application rule)."""
    shortages = structural_shortages(slots, prep)
    if shortages:
        return Infeasible(shortages, _summary(shortages))
    return Infeasible([], GENERAL_SHORTAGE)


def load_bounds(prep: _Prepared, network_need: np.ndarray, arcs_expert: np.ndarray):
    """(a lower bound on the lowest maximum load, the highest load any bound needs): every
    group's slots must fit into its members filled up to the bound."""
    floor = int(prep.base_a.max()) if len(prep.base_a) else 0
    used = np.flatnonzero(np.bincount(arcs_expert, minlength=len(prep.base_a)))
    high = max([floor] + (prep.base_a[used] + prep.spare_a[used]).tolist())
    lower = floor
    for offset, rows, members in prep.blocks:
        need = int(network_need[rows].sum())
        lower = max(lower, fill_bound(prep.base_a[members], prep.spare_a[members], need, floor))
    return min(lower, high), high


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
    ``max_candidates`` keeps only each slot's best candidates (by affinity, then expert id): the
    optimum over that pruned network, not the exact one (the full network is solved when the
    pruned one cannot carry the need).
    """
    slots = list(slots)
    reviewers = list(reviewers)
    existing = list(existing)
    prep = prepare_checked(slots, reviewers, conflicts, existing, affinity)
    return solve_prepared(slots, prep, seed=seed, max_candidates=max_candidates)


def solve_prepared(slots, prep: _Prepared, *, seed: int = 0, max_candidates=None) -> Solution:
    """``solve`` on an instance ``prepare_checked`` has accepted."""
    result = None
    for limit in [max_candidates, None] if max_candidates is not None else [None]:
        keep = prep.candidates(limit) & (prep.need[prep.pair_slot] > 0)
        arc_slot, arc_expert = prep.pair_slot[keep], prep.pair_expert[keep]
        net = Network(prep.need, prep.app, prep.base_a, prep.spare_a, arc_slot, arc_expert,
                      costs_of(prep.affinity[keep]), seed=seed)  # fmt: skip
        result = net.solve(*load_bounds(prep, prep.need, arc_expert))
        if result is not None:
            break
    if result is None:
        raise structural_infeasible(slots, prep)
    taken = net.candidate_flows(result[1]) > 0
    values = prep.affinity[keep][taken]
    chosen = sorted(
        zip(prep.section_ids[arc_slot[taken]].tolist(), prep.expert_ids[arc_expert[taken]].tolist(),
            values.tolist(), strict=True)
    )  # fmt: skip
    loads = dict(prep.base)
    for _, e, _ in chosen:
        loads[e] += 1
    return Solution(
        assignments=[(sid, e) for sid, e, _ in chosen],
        max_load=max(loads.values(), default=0),
        total_affinity=round(sum(v for _, _, v in chosen), 6),
        loads=dict(sorted(loads.items())),
    )
