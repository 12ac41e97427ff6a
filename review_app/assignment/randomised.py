"""Randomised assignment of section slots to panel experts (pure: dataclasses in and out).

Why: a deterministic optimum is predictable. An expert (or an applicant colluding with one) who
knows how the solver works can shape bids and profiles to land on a chosen application. Following
Jecmen, Zhang, Liu, Shah, Conitzer and Fang, "Mitigating manipulation in peer review via
randomized reviewer assignments" (NeurIPS 2020), we cap the probability of every single
(section, expert) pair at ``q``: nobody can be sure of reviewing a given section, whatever they
do, at the price of a (usually small) loss of expected affinity.

The hard rules are those of ``solver.solve`` and hold in **every** sampled assignment: each slot
gets exactly its remaining need (need minus kept ``existing`` reviewers), never a conflicted
(expert, application) pair, never more than an expert's spare capacity, at most one section of
the same application per expert (kept assignments count). On top of that,
``P[(section, expert) assigned] <= q`` for every pair.

Algorithm (exact integer arithmetic throughout):

1. ``q`` is turned into a fraction ``p/r`` with ``r <= 1000`` that is not above ``q`` (float
   noise of at most 1e-12 excepted, so that ``1/3`` typed as ``0.333...`` means 1/3), and all
   flows are counted in units of ``1/r``.
2. The LP over marginals ``x[section, expert]`` -- maximise the total affinity subject to slot
   sums equal to the remaining need, ``x <= q`` per pair, at most one section per (application,
   expert), at most the capacity per expert -- is a flow problem on the network of
   ``solver.py``: source -> slot (need * r) -> (application, expert) node (arc capacity p, i.e.
   ``q``) -> expert (r: one section per application) -> sink (cap * r). All capacities are
   integral in units of ``1/r``, so the flow polytope is integral and an integral min-cost flow
   (OR-Tools ``SimpleMinCostFlow``) is an exact LP optimum. As in ``solver.py`` the maximum
   absolute load is minimised first (the smallest integer bound under which all the need is
   carried; each expert's cap is ``min(spare, bound - base)``). Costs are exact at 1e-6 of
   affinity; there is no seeded tie-break in the LP (the randomness lives in step 3), so the
   marginals depend on the input only.

   Below q = 1, the k sections of an application in one group with identical affinities,
   eligibility and need are one slot (``instance.py``) whose arc to an expert carries at most
   ``min(1, k q)``; step 3 hands the slot's experts to its sections' seats in a uniformly random
   order, so each (section, expert) pair is taken with probability ``y / k <= q`` (``y`` the
   expert's flow), and the LP optimum is the same as over the separate sections.
3. Sampling by dependent rounding on the flow (Gandhi, Khuller, Parthasarathy and Srinivasan
   2006; the bihierarchy/flow form of Budish, Che, Kojima and Milgrom, "Designing random
   allocation mechanisms", AER 2013, as used by Jecmen et al.): while some arc carries a
   flow that is not a multiple of ``r``, find a cycle in the undirected graph of such
   "fractional" arcs (one exists: source arcs are integral, and every node touching a
   fractional arc touches at least two, by conservation -- the sink included, as the total
   flow is a multiple of ``r``). Orient it; let ``alpha`` be the largest push along the
   orientation (forward arcs up, backward arcs down) before some arc reaches a multiple of
   ``r``, and ``beta`` the same the other way; push ``+alpha`` with probability
   ``beta / (alpha + beta)`` and ``-beta`` otherwise. Each step keeps conservation, makes at
   least one arc integral and leaves every arc's expectation unchanged; every arc ends at the
   floor or ceiling (to a multiple of ``r``) of its LP value. Hence a pair is taken with
   probability exactly its marginal (<= q), pair nodes carry at most one section, slot sums
   are exact and an expert's load never exceeds the ceiling of its fractional load (<= cap).
4. The arcs left with flow ``r`` are the assignment (a merged slot's experts shuffled over its
   seats with the same generator).

Determinism: one ``random.Random(seed)``, arcs and nodes in a fixed (sorted) order: the same
input and seed give the same sample.

When even the full capacities cannot carry the need, ``Infeasible`` is raised: first with the
shortages of ``solver.py`` (which ignore ``q``), otherwise with the ``q``-specific reasons --
a slot with fewer than ``ceil(need / q)`` eligible experts, or an application whose sections in a
panel cannot be covered when no pair may exceed ``q`` -- or a general message.
"""

import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import solver
from .flow import Network, costs_of
from .solver import (
    Existing,
    Infeasible,
    Reviewer,
    Shortage,
    Slot,
    group_name,
    prepare_checked,
)

MAX_DENOMINATOR = 1000

__all__ = [
    "FractionalPlan",
    "RandomisedSolution",
    "fractional_plan",
    "probability_fraction",
    "solve_randomised",
]


@dataclass
class RandomisedSolution:
    assignments: list[tuple[int, int]]  # (section_id, expert_id), new ones only, sorted: the sample
    marginals: dict[tuple[int, int], float]  # (section_id, expert_id) -> probability, only > 0
    expected_affinity: float  # sum of affinity * marginal (the LP objective), rounded 6
    sampled_affinity: float  # affinity of the sampled assignment, rounded 6
    optimal_affinity: float  # total_affinity of solver.solve on the same input
    max_load_bound: int  # the maximum absolute load bound used for every expert
    loads: dict[int, int]  # expert_id -> load + kept existing + new, for every reviewer
    q: float

    # The names of ``solver.Solution`` for the pages and the job.
    @property
    def max_load(self) -> int:
        return max(self.loads.values(), default=0)

    @property
    def total_affinity(self) -> float:
        return self.sampled_affinity

    @property
    def affinity_cost(self) -> float:
        """Expected affinity lost against the optimal assignment, as a share of it."""
        if not self.optimal_affinity:
            return 0.0
        return max(0.0, 1 - self.expected_affinity / self.optimal_affinity)


def probability_fraction(q: float) -> Fraction:
    """``q`` as a fraction ``p/r`` with ``r <= 1000`` and ``p/r <= q`` (up to 1e-12 of float
    noise). Raises ``ValueError`` unless ``0 < q <= 1``."""
    if isinstance(q, bool) or not isinstance(q, int | float | Fraction):
        raise ValueError(f"概率上限q必须是0到1之间的数（0<q≤1），收到{q!r}")
    if not 0 < q <= 1:
        raise ValueError(f"概率上限q必须满足0<q≤1，收到{q!r}")
    exact = Fraction(q) if isinstance(q, Fraction) else Fraction(str(q))
    near = exact.limit_denominator(MAX_DENOMINATOR)
    if near > exact and near - exact > Fraction(1, 10**12):
        # The best approximation from below with a denominator up to MAX_DENOMINATOR.
        near = max(Fraction(math.floor(exact * d), d) for d in range(1, MAX_DENOMINATOR + 1))
    if near <= 0:
        raise ValueError(f"概率上限q={q!r}过小：至少为1/{MAX_DENOMINATOR}")
    return near


class FractionalPlan:
    """The LP optimum as an integral flow in units of ``1/r``, ready for repeated sampling.

    ``arcs`` holds (tail, head, flow) for every arc with positive flow; ``pair_arcs`` maps the
    index of each slot -> expert arc to ((section_id, need), ...) and the expert id: one section,
    or the identical sections of an application merged into one slot.
    """

    def __init__(self, *, r, arcs, pair_arcs, base, bound, expected_affinity):
        self.r = r
        self.arcs = arcs
        self.pair_arcs = pair_arcs
        self.base = base
        self.max_load_bound = bound
        self.expected_affinity = expected_affinity

    @property
    def marginals(self) -> dict[tuple[int, int], float]:
        out = {}
        for i, (sections, e) in self.pair_arcs.items():
            total = sum(n for _, n in sections)
            for sid, n in sections:
                out[(sid, e)] = self.arcs[i][2] * n / (self.r * total)
        return dict(sorted(out.items()))

    def sample(self, rng: random.Random) -> list[tuple[int, int]]:
        """One assignment by dependent rounding (module docstring, step 3); sorted pairs."""
        r = self.r
        flow = [f for _, _, f in self.arcs]
        ends = [(t, h) for t, h, _ in self.arcs]
        live = [f % r != 0 for f in flow]  # fractional arcs
        adj: dict[int, list[int]] = defaultdict(list)  # node -> its fractional arcs, ascending
        for i, (t, h) in enumerate(ends):
            if live[i]:
                adj[t].append(i)
                adj[h].append(i)
        head = dict.fromkeys(adj, 0)  # adj[v][:head[v]] are integral already

        def smallest(v, skip):
            """The smallest fractional arc at ``v`` other than ``skip`` (None if none)."""
            arcs, j = adj[v], head[v]
            while j < len(arcs) and not live[arcs[j]]:
                j += 1
            head[v] = j
            for i in itertools.islice(arcs, j, None):
                if live[i] and i != skip:
                    return i
            return None

        for start in sorted(adj):
            if smallest(start, None) is None:
                continue
            path_nodes, path_arcs, pos = [start], [], {start: 0}
            while True:
                v = path_nodes[-1]
                a = smallest(v, path_arcs[-1] if path_arcs else None)
                if a is None:  # pragma: no cover - every node on a fractional arc has two
                    raise RuntimeError("dependent rounding: dangling fractional arc")
                t, h = ends[a]
                w = h if v == t else t
                if w not in pos:
                    pos[w] = len(path_nodes)
                    path_nodes.append(w)
                    path_arcs.append(a)
                    continue
                # A cycle: nodes path_nodes[k:], arcs path_arcs[k:] + [a], back to w.
                k = pos[w]
                cycle = list(zip(path_arcs[k:] + [a], path_nodes[k:], strict=True))
                alpha = beta = r
                for i, n in cycle:
                    down = flow[i] % r  # room to the previous multiple of r
                    up = r - down  # room to the next one
                    if ends[i][0] == n:  # forward along the orientation
                        alpha, beta = min(alpha, up), min(beta, down)
                    else:
                        alpha, beta = min(alpha, down), min(beta, up)
                delta = alpha if rng.randrange(alpha + beta) < beta else -beta
                for i, n in cycle:
                    flow[i] += delta if ends[i][0] == n else -delta
                    if flow[i] % r == 0:
                        live[i] = False
                # Back to w; the prefix arcs are untouched and still fractional.
                for n in path_nodes[k + 1 :]:
                    del pos[n]
                del path_nodes[k + 1 :]
                del path_arcs[k:]
                if k == 0 and smallest(w, None) is None:
                    break
        chosen, merged = [], defaultdict(list)
        for i, (sections, e) in self.pair_arcs.items():
            if flow[i] == r:
                if len(sections) == 1:
                    chosen.append((sections[0][0], e))
                else:
                    merged[sections].append(e)
        # A merged slot's experts take its sections' seats in a random order: each expert
        # lands on each section with probability need / total.
        for sections, experts in sorted(merged.items()):
            seats = [sid for sid, n in sections for _ in range(n)]
            rng.shuffle(seats)
            chosen += zip(seats, sorted(experts), strict=True)
        return sorted(chosen)


def fractional_plan(
    slots: Iterable[Slot],
    reviewers: Iterable[Reviewer],
    *,
    conflicts: set[tuple[int, int]],
    affinity: Mapping[tuple[int, int], float],
    q: float,
    existing: Iterable[Existing] = (),
) -> FractionalPlan:
    """Solve the marginal LP (module docstring, step 2). Raises ``ValueError`` for a bad ``q``
    and ``Infeasible`` when no assignment respects the rules and the cap ``q``."""
    frac = probability_fraction(q)
    slots = list(slots)
    reviewers = list(reviewers)
    existing = list(existing)
    prep = prepare_checked(slots, reviewers, conflicts, existing, affinity)
    return _plan(slots, prep, frac)


def _plan(slots, prep, frac: Fraction) -> FractionalPlan:
    p, r = frac.numerator, frac.denominator
    # Below q = 1, identical sections of an application are one slot (instance.py): the arc
    # carries at most min(1, k q) of an expert over its k sections, spread at random later.
    arcs = prep.arcs(merge=p < r)
    k = np.array([len(rows) for rows in arcs.slots], np.int64)
    net = Network(arcs.need, arcs.app, prep.base_a, prep.spare_a, arcs.arc_slot,
                  arcs.arc_expert, costs_of(arcs.value), unit=r,
                  pair_cap=np.minimum(r, k[arcs.arc_slot] * p), every_arc=True)  # fmt: skip
    result = net.solve(*solver.load_bounds(prep, arcs))
    if result is None:  # the solver's reasons (which ignore q) first, then those of q
        if solver.structural_shortages(slots, prep):
            raise solver.structural_infeasible(slots, prep)
        raise _q_infeasible(prep.slots, prep, p, r, frac)
    bound, flows = result
    tails, heads = net.all_arcs()
    live = np.flatnonzero(flows > 0)
    kept_arcs = list(zip(tails[live].tolist(), heads[live].tolist(), flows[live].tolist(),
                         strict=True))  # fmt: skip
    sections = [tuple((int(prep.section_ids[i]), int(prep.need[i])) for i in rows)
                for rows in arcs.slots]  # fmt: skip
    # Candidate arcs with flow, renumbered among the kept arcs.
    cand = np.flatnonzero(net.candidate_flows(flows) > 0)
    renumber = np.searchsorted(live, net.first_candidate + cand)
    pair_arcs = dict(
        zip(renumber.tolist(), zip([sections[j] for j in arcs.arc_slot[cand].tolist()],
            prep.expert_ids[arcs.arc_expert[cand]].tolist(), strict=True), strict=True)
    )  # fmt: skip
    values = arcs.value[cand]
    expected = math.fsum((net.candidate_flows(flows)[cand] * values).tolist()) / r
    return FractionalPlan(
        r=r,
        arcs=kept_arcs,
        pair_arcs=pair_arcs,
        base=dict(prep.base),
        bound=bound,
        expected_affinity=round(float(expected), 6),
    )


def _q_infeasible(ordered, prep, p: int, r: int, frac: Fraction) -> Infeasible:
    shortages = _q_shortages(ordered, prep, p, r)
    head = f"概率上限q={float(frac):g}下无法满足所有章节："
    if shortages:
        msg = (
            head
            + "；".join(s.message for s in shortages[:10])
            + ("……" if len(shortages) > 10 else "")
            + "。请提高q或增加专家。"
        )
    else:
        msg = (
            head + "各章节可选专家数量足够，但在容量上限、“同一申报书每名专家只评一个章节”"
            "和每对专家与章节的概率不超过q的限制下无法同时满足所有章节，"
            "请提高q、增加专家或提高容量。"
        )
    return Infeasible(shortages, msg)


def _q_shortages(ordered_slots, prep, p: int, r: int) -> list[Shortage]:
    """Reasons why no pair may stay below q = p/r: slots with fewer than ceil(need/q) eligible
    experts, then applications whose sections in a panel cannot be covered."""
    q_text = f"{p / r:g}"
    out = []
    for s in ordered_slots:
        m = prep.remaining[s.section_id]
        have = len(prep.eligible[s.section_id])
        wanted = -(-m * r // p)  # ceil(m / q)
        if m and have < wanted:
            out.append(
                Shortage(
                    s.section_id,
                    s.application_id,
                    s.group,
                    have,
                    wanted,
                    f"章节#{s.section_id}（{group_name(s.group)}）还需{m}名专家，在概率上限"
                    f"q={q_text}下至少要有{wanted}名可选专家（need/q），但只有{have}名，"
                    f"还差{wanted - have}名",
                    kind="slot",
                )
            )
    if out:
        return out
    per_app = defaultdict(list)
    for s in ordered_slots:
        per_app[(s.application_id, s.group)].append(s)
    for (app, group), group_slots in sorted(per_app.items()):
        need = sum(prep.remaining[s.section_id] for s in group_slots)
        count = defaultdict(int)  # expert -> sections of this application they may take
        for s in group_slots:
            if prep.remaining[s.section_id]:
                for e in prep.eligible[s.section_id]:
                    count[e] += 1
        reach = sum(min(r, p * k) for k in count.values())  # in units of 1/r
        if need and reach < need * r:
            out.append(
                Shortage(
                    None,
                    app,
                    group,
                    len(count),
                    need,
                    f"申报书#{app}在{group_name(group)}的章节共需{need}名专家，在概率上限"
                    f"q={q_text}且每名专家同一申报书只评一个章节的限制下，"
                    f"{len(count)}名可选专家不足以覆盖",
                    kind="application",
                )
            )
    return out


def solve_randomised(
    slots: Iterable[Slot],
    reviewers: Iterable[Reviewer],
    *,
    conflicts: set[tuple[int, int]],
    affinity: Mapping[tuple[int, int], float],
    q: float,
    existing: Iterable[Existing] = (),
    seed: int = 0,
) -> RandomisedSolution:
    """A random assignment with ``P[pair] <= q`` for every (section, expert) pair, drawn from
    the affinity-maximising distribution (see the module docstring).

    ``conflicts`` holds (expert_id, application_id); ``affinity`` maps (expert_id, section_id)
    to 0..1 (missing pairs count 0). Raises ``ValueError`` for a ``q`` outside (0, 1] and
    ``Infeasible`` when no assignment exists under the cap.
    """
    frac = probability_fraction(q)
    slots = list(slots)
    prep = prepare_checked(slots, list(reviewers), conflicts, list(existing), affinity)
    plan = _plan(slots, prep, frac)
    chosen = plan.sample(random.Random(seed))
    loads = dict(plan.base)
    for _, e in chosen:
        loads[e] += 1
    optimal = solver.solve_prepared(slots, prep, seed=seed)
    return RandomisedSolution(
        assignments=chosen,
        marginals=plan.marginals,
        expected_affinity=plan.expected_affinity,
        sampled_affinity=round(sum(affinity.get((e, sid), 0.0) for sid, e in chosen), 6),
        optimal_affinity=optimal.total_affinity,
        max_load_bound=plan.max_load_bound,
        loads=dict(sorted(loads.items())),
        q=float(q),
    )
