"""The array network under the solver: optimality against enumeration, equality with a bare
OR-Tools flow, merged slots, pruning, determinism."""

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.graph.python import min_cost_flow

from review_app.assignment.flow import SCALE, costs_of
from review_app.assignment.instance import Prepared
from review_app.assignment.randomised import solve_randomised
from review_app.assignment.solver import Infeasible, Reviewer, Slot, solve
from tests.assignment.test_randomised import check_marginals, check_sample
from tests.assignment.test_solver import _brute_force, check_rules, province_instance

GROUPS = ("general", "link.rnd")


@st.composite
def small_instances(draw):
    """Up to 3 applications with 1-2 sections each in two groups, 3-5 experts (some in both
    panels), needs 1-2, random capacities, loads and conflicts, and affinities with six
    decimals; half of the time an application's sections in a group score alike (merged)."""
    n_experts = draw(st.integers(3, 5))
    reviewers = []
    for e in range(1, n_experts + 1):
        groups = draw(st.sampled_from([{"general"}, {"link.rnd"}, {"general", "link.rnd"}]))
        reviewers.append(
            Reviewer(e, frozenset(groups), draw(st.integers(1, 3)), draw(st.integers(0, 1)))
        )
    slots, sid = [], 0
    for app in range(1, draw(st.integers(1, 3)) + 1):
        for _ in range(draw(st.integers(1, 2))):
            sid += 1
            slots.append(Slot(sid, app, draw(st.sampled_from(GROUPS)), draw(st.integers(1, 2))))
    conflicts = set(
        draw(st.lists(st.tuples(st.integers(1, n_experts), st.integers(1, 3)), max_size=3))
    )
    alike = draw(st.booleans())
    value = st.integers(0, 10**6).map(lambda v: v / 10**6)
    shared = {}
    affinity = {}
    for s in slots:
        for r in reviewers:
            key = (r.expert_id, s.application_id, s.group) if alike else (r.expert_id, s.section_id)
            if key not in shared:
                shared[key] = draw(value)
            affinity[(r.expert_id, s.section_id)] = shared[key]
    return slots, reviewers, conflicts, affinity


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(), st.integers(0, 3))
def test_lexicographic_optimum_equals_enumeration_at_the_affinity_resolution(instance, seed):
    slots, reviewers, conflicts, affinity = instance
    best = _brute_force(slots, reviewers, conflicts, affinity)
    if best is None:
        with pytest.raises(Infeasible):
            solve(slots, reviewers, conflicts=conflicts, affinity=affinity, seed=seed)
        return
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=affinity, seed=seed)
    check_rules(slots, reviewers, conflicts, [], sol)
    assert sol.max_load == best[0]
    assert abs(sol.total_affinity - best[1]) < 1e-9  # exact at 1e-6, not approximately


def bare_objective(slots, reviewers, conflicts, affinity, bound):
    """A bare SimpleMinCostFlow on one-section applications: source -> slot -> expert -> sink
    with the expert arcs capped at ``bound`` - load; the total affinity from its cost."""
    mcf = min_cost_flow.SimpleMinCostFlow()
    n = len(slots)
    node = {r.expert_id: 2 + n + k for k, r in enumerate(reviewers)}
    for i, s in enumerate(slots):
        mcf.add_arc_with_capacity_and_unit_cost(0, 2 + i, s.need, 0)
        for r in reviewers:
            if s.group in r.groups and (r.expert_id, s.application_id) not in conflicts:
                a = affinity.get((r.expert_id, s.section_id), 0.0)
                mcf.add_arc_with_capacity_and_unit_cost(
                    2 + i, node[r.expert_id], 1, int(costs_of(np.array([a]))[0])
                )
    for r in reviewers:
        cap = max(0, min(r.capacity, bound) - r.load)
        mcf.add_arc_with_capacity_and_unit_cost(node[r.expert_id], 1, cap, 0)
    total = sum(s.need for s in slots)
    mcf.set_node_supply(0, total)
    mcf.set_node_supply(1, -total)
    assert mcf.solve() == mcf.OPTIMAL
    return (total * SCALE - mcf.optimal_cost()) / SCALE


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_objective_equals_a_bare_min_cost_flow_at_the_same_bound(seed):
    rng = random.Random(seed)
    slots = [Slot(i, i, "general", need=3) for i in range(1, 121)]
    reviewers = [Reviewer(e, frozenset({"general"}), 12, rng.randint(0, 2)) for e in range(1, 41)]
    conflicts = {(e, s.application_id) for s in slots for e in range(1, 41) if rng.random() < 0.05}
    affinity = {
        (e, s.section_id): rng.randint(0, 10**6) / 10**6 for s in slots for e in range(1, 41)
    }
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=affinity, seed=seed)
    check_rules(slots, reviewers, conflicts, [], sol)
    assert sol.total_affinity == pytest.approx(
        bare_objective(slots, reviewers, conflicts, affinity, sol.max_load), abs=1e-9
    )
    # One less on the bound and the bare flow has no solution: the max load is the lowest.
    with pytest.raises(AssertionError):
        bare_objective(slots, reviewers, conflicts, affinity, sol.max_load - 1)


def test_merged_sections_of_one_application_give_the_same_optimum_as_separate_ones():
    slots, reviewers, conflicts, aff = province_instance(12, 30, 10, seed=4)
    prep = Prepared(slots, reviewers, conflicts, [], aff)
    merged = prep.arcs()
    assert len(merged.need) < len(slots)  # the 综合组 sections of an application are one slot
    assert max(len(rows) for rows in merged.slots) == 6
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=0)
    check_rules(slots, reviewers, conflicts, [], sol)
    # Tell the sections apart by a tiny affinity difference: nothing merges, the same optimum
    # up to the differences.
    nudged = {k: v - (1e-6 if k[1] % 2 and v else 0.0) for k, v in aff.items()}
    assert len(Prepared(slots, reviewers, conflicts, [], nudged).arcs().need) == len(slots)
    apart = solve(slots, reviewers, conflicts=conflicts, affinity=nudged, seed=0)
    check_rules(slots, reviewers, conflicts, [], apart)
    assert apart.max_load == sol.max_load
    assert abs(apart.total_affinity - sol.total_affinity) <= len(sol.assignments) * 1e-6


def test_pruned_candidates_keep_the_rules_and_each_slots_best():
    # 40 综合组 experts, each application's six 综合组 sections (one merged slot needing 18)
    # pruned to their best 25; the 环节 panels (12) are not pruned.
    slots, reviewers, conflicts, aff = province_instance(10, 40, 12, seed=2)
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=0, max_candidates=25)
    check_rules(slots, reviewers, conflicts, [], sol)
    full = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=0)
    assert sol.max_load >= full.max_load
    by_section = {s.section_id: s for s in slots}
    for sid, e in sol.assignments:
        s = by_section[sid]
        better = [
            r
            for r in reviewers
            if s.group in r.groups
            and (r.expert_id, s.application_id) not in conflicts
            and r.load < r.capacity
            and aff.get((r.expert_id, sid), 0.0) > aff.get((e, sid), 0.0)
        ]
        assert len(better) < 25  # among the best 25 eligible (ties decided by a hash)
    # Pruning wider than every panel changes nothing.
    assert (
        solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=0, max_candidates=99)
        == full
    )


def test_too_tight_pruning_falls_back_to_the_full_network():
    slots = [Slot(i, i, "general", need=1) for i in range(1, 7)]
    reviewers = [Reviewer(e, frozenset({"general"}), 2) for e in range(1, 5)]
    aff = {(1, i): 1.0 for i in range(1, 7)} | {(2, i): 0.9 for i in range(1, 7)}
    # The best candidate of every slot is 1 then 2, who can take 4 of the 6 slots.
    sol = solve(slots, reviewers, conflicts=set(), affinity=aff, max_candidates=2)
    check_rules(slots, reviewers, set(), [], sol)
    assert len(sol.assignments) == 6


def test_same_input_in_another_order_and_seed_gives_the_same_solution():
    slots, reviewers, conflicts, aff = province_instance(15, 30, 10, seed=6)
    first = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=9)
    rng = random.Random(1)
    shuffled_slots, shuffled_reviewers = slots[:], reviewers[:]
    rng.shuffle(shuffled_slots)
    rng.shuffle(shuffled_reviewers)
    again = solve(shuffled_slots, shuffled_reviewers, conflicts=set(conflicts),
                  affinity=dict(reversed(list(aff.items()))), seed=9)  # fmt: skip
    assert again == first
    r1 = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, q=0.5, seed=3)
    r2 = solve_randomised(shuffled_slots, shuffled_reviewers, conflicts=conflicts, affinity=aff,
                          q=0.5, seed=3)  # fmt: skip
    assert (r1.assignments, r1.marginals) == (r2.assignments, r2.marginals)


def test_randomised_merged_slots_keep_every_pair_below_q():
    slots, reviewers, conflicts, aff = province_instance(8, 30, 16, seed=7)
    sol = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, q=0.25, seed=1)
    check_marginals(slots, reviewers, [], sol.marginals, 0.25)
    check_sample(slots, reviewers, conflicts, [], sol.assignments)
    assert max(sol.marginals.values()) <= 0.25
