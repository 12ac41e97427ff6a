"""The flow network shared by the assignment solvers, built from numpy arrays.

An instance is a set of slots (each with a remaining ``need`` and an application), experts (each
with a ``base`` load and ``spare`` capacity) and candidate (slot, expert) arcs with an integer
cost. The network:

    source -> slot (need * unit) -> expert (spare * unit, at most bound - base) -> sink

where a candidate arc carries at most ``pair_cap`` (1 unit in the deterministic solver, ``p``
units of ``1/r`` in the randomised one). The one-section-per-application rule needs an
(application, expert) node with an arc of capacity ``unit`` to the expert, but only where the
expert is a candidate for two or more slots of the application; everywhere else the slot -> expert
arc already carries at most one section, so it goes straight to the expert. Integral flows are
assignments and conversely.

Every arc is added at once through OR-Tools' vectorised ``add_arcs_with_capacity(_and_unit_cost)``.
The lowest load bound is found without a search in the usual case: a lower bound (each group of
slots needs its experts filled to at least that level) is tried first with the min-cost flow
itself, whose feasibility check is a max flow; only when it fails does a binary search with max
flows run, followed by a second min-cost flow.
"""

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

SCALE = 1_000_000  # affinity resolution of the costs: 1e-6, that of affinity.py
SOURCE, SINK = 0, 1


def costs_of(affinities: np.ndarray) -> np.ndarray:
    """Integer costs (``SCALE`` - affinity in millionths): minimum cost = maximum affinity."""
    clipped = np.clip(np.asarray(affinities, dtype=np.float64), 0.0, 1.0)
    return SCALE - np.rint(clipped * SCALE).astype(np.int64)


def fill_bound(base: np.ndarray, spare: np.ndarray, need: int, floor: int) -> int:
    """The smallest bound ``B >= floor`` with ``sum(clip(B - base, 0, spare)) >= need`` (a lower
    bound on the maximum load), or ``floor`` when even the full capacity is short."""
    if need <= 0 or len(base) == 0 or int(spare.sum()) < need:
        return floor
    top = int((base + spare).max())  # here every expert is full: the need fits
    if top <= floor:
        return floor
    lo, hi = floor, top
    while lo < hi:
        mid = (lo + hi) // 2
        if int(np.clip(mid - base, 0, spare).sum()) >= need:
            hi = mid
        else:
            lo = mid + 1
    return lo


class Network:
    """The network of one instance; ``unit`` and ``pair_cap`` scale it for fractional plans.

    ``seed`` (None: the input order) shuffles the numbering of the expert nodes: the flow
    algorithms are deterministic, so a seed picks one of several equally good optima, and the
    same seed always the same one. ``app`` holds application indices 0..n-1.
    """

    def __init__(self, need, app, base, spare, arc_slot, arc_expert, arc_cost, *,
                 unit: int = 1, pair_cap: int = 1, seed: int | None = None,
                 every_arc: bool = False):  # fmt: skip
        self.need = np.asarray(need, dtype=np.int64)
        self.base = np.asarray(base, dtype=np.int64)
        self.spare = np.asarray(spare, dtype=np.int64)
        self.unit = unit
        self.every_arc = every_arc
        n_slots, n_experts = len(self.need), len(self.base)
        arc_slot = np.asarray(arc_slot, dtype=np.int64)
        arc_expert = np.asarray(arc_expert, dtype=np.int64)
        arc_cost = np.asarray(arc_cost, dtype=np.int64)
        app = np.asarray(app, dtype=np.int64)
        self.total = int(self.need.sum()) * unit

        expert_rank = np.arange(n_experts, dtype=np.int64)
        if seed is not None:
            expert_rank = np.random.default_rng(seed).permutation(n_experts).astype(np.int64)

        self.expert_node = (2 + n_slots + expert_rank).astype(np.int32)
        # (application, expert) nodes where the expert is a candidate for 2+ of its slots; only
        # arcs from applications with two or more slots can share one.
        n_apps = int(app.max()) + 1 if len(app) else 0
        first_pair = 2 + n_slots + n_experts
        slots_per_app = np.bincount(app, minlength=n_apps)
        if len(arc_slot) and slots_per_app.max() > 1:
            multi = np.flatnonzero(slots_per_app[app[arc_slot]] > 1)
            key = app[arc_slot[multi]] * max(1, n_experts) + arc_expert[multi]
        else:
            multi = key = np.zeros(0, np.int64)
        if len(key) == 0:
            shared_keys = key
        elif n_apps * n_experts <= 30_000_000:
            shared_keys = np.flatnonzero(np.bincount(key, minlength=n_apps * n_experts) > 1)
        else:
            uniq, counts = np.unique(key, return_counts=True)
            shared_keys = uniq[counts > 1]
        pair_expert = shared_keys % max(1, n_experts)

        # Arcs, written into arrays of their final types (large temporaries are slow to fault in):
        # source -> slot, the candidates, (application, expert) -> expert.
        live = np.flatnonzero(self.need > 0)
        n_src, n_cand, n_pair = len(live), len(arc_slot), len(shared_keys)
        cand = slice(n_src, n_src + n_cand)
        self.tails = np.empty(n_src + n_cand + n_pair, np.int32)
        self.heads = np.empty_like(self.tails)
        self.tails[:n_src] = SOURCE
        self.heads[:n_src] = 2 + live
        np.add(arc_slot, 2, out=self.tails[cand], casting="unsafe")
        self.heads[cand] = self.expert_node[arc_expert]
        if n_pair:
            pos = np.minimum(np.searchsorted(shared_keys, key), n_pair - 1)
            hit = shared_keys[pos] == key
            self.heads[n_src + multi[hit]] = first_pair + pos[hit]
            self.tails[n_src + n_cand :] = first_pair + np.arange(n_pair)
            self.heads[n_src + n_cand :] = self.expert_node[pair_expert]
        self.caps = np.empty(len(self.tails), np.int64)
        self.caps[:n_src] = self.need[live] * unit
        self.caps[cand] = pair_cap
        self.caps[n_src + n_cand :] = unit
        # Costs divided by their common divisor: the same optimum, fewer cost-scaling phases
        # (affinity.py's scores are multiples of 0.1, so its costs shrink from 1e6 to 10).
        divisor = int(np.gcd.reduce(arc_cost)) if n_cand else 1
        self.costs = np.zeros(len(self.tails), np.int64)
        if divisor > 1:
            np.floor_divide(arc_cost, divisor, out=self.costs[cand])
        else:
            self.costs[cand] = arc_cost
        self.first_candidate = n_src
        self.n_candidates = n_cand
        self.arc_slot, self.arc_expert = arc_slot, arc_expert

    def sink_caps(self, bound: int) -> np.ndarray:
        return np.clip(bound - self.base, 0, self.spare) * self.unit

    def _sink_arcs(self, bound: int):
        return (
            self.expert_node,
            np.full(len(self.base), SINK, np.int32),
            self.sink_caps(bound),
        )

    def max_carried(self, bound: int) -> int:
        """The most need the network carries with every load at most ``bound``."""
        if self.total == 0:
            return 0
        flow = max_flow.SimpleMaxFlow()
        flow.add_arcs_with_capacity(self.tails, self.heads, self.caps)
        flow.add_arcs_with_capacity(*self._sink_arcs(bound))
        if flow.solve(SOURCE, SINK) != flow.OPTIMAL:  # pragma: no cover - bad input
            raise RuntimeError("max flow failed")
        return flow.optimal_flow()

    def min_cost(self, bound: int) -> np.ndarray | None:
        """Flows of a min-cost flow carrying all the need under ``bound`` (None when it cannot
        be carried): on the candidate arcs, or with ``every_arc`` on every arc (those of
        ``tails``/``heads``, then the expert -> sink arcs)."""
        n_arcs = len(self.tails) + len(self.base)
        if self.total == 0:
            return np.zeros(n_arcs if self.every_arc else self.n_candidates, np.int64)
        mcf = min_cost_flow.SimpleMinCostFlow()
        mcf.add_arcs_with_capacity_and_unit_cost(self.tails, self.heads, self.caps, self.costs)
        tails, heads, caps = self._sink_arcs(bound)
        mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, np.zeros(len(caps), np.int64))
        mcf.set_node_supply(SOURCE, self.total)
        mcf.set_node_supply(SINK, -self.total)
        status = mcf.solve()
        if status == mcf.INFEASIBLE:
            return None
        if status != mcf.OPTIMAL:  # pragma: no cover - bad input
            raise RuntimeError(f"min cost flow failed: {status}")
        if not self.every_arc:
            first = self.first_candidate
            return mcf.flows(np.arange(first, first + self.n_candidates, dtype=np.int32))
        return mcf.flows(np.arange(n_arcs, dtype=np.int32))

    def candidate_flows(self, flows: np.ndarray) -> np.ndarray:
        """The part of ``min_cost``'s flows on the candidate arcs, in the input order."""
        if not self.every_arc:
            return flows
        return flows[self.first_candidate : self.first_candidate + self.n_candidates]

    def all_arcs(self) -> tuple[np.ndarray, np.ndarray]:
        """(tails, heads) of every arc, in the order of ``min_cost``'s flows."""
        return (
            np.concatenate([self.tails, self.expert_node]),
            np.concatenate([self.heads, np.full(len(self.base), SINK, np.int32)]),
        )

    def solve(self, lower: int, high: int) -> tuple[int, np.ndarray] | None:
        """(the lowest load bound under which all the need is carried, ``min_cost``'s flows
        under it), trying ``lower`` first; None when even ``high`` is short."""
        flows = self.min_cost(lower)
        if flows is not None:
            return lower, flows
        if lower >= high or self.max_carried(high) < self.total:
            return None
        lo, hi = lower + 1, high
        while lo < hi:
            mid = (lo + hi) // 2
            if self.max_carried(mid) >= self.total:
                hi = mid
            else:
                lo = mid + 1
        flows = self.min_cost(hi)
        if flows is None:  # pragma: no cover - the max flow proved feasibility
            raise RuntimeError("min cost flow infeasible under a feasible bound")
        return hi, flows
