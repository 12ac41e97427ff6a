"""Randomised assignment: the marginal LP, the cap q, the sampled assignments' hard rules."""

import math
import random
from collections import Counter, defaultdict
from fractions import Fraction

import pytest

from review_app.assignment.randomised import (
    fractional_plan,
    probability_fraction,
    solve_randomised,
)
from review_app.assignment.solver import Existing, Infeasible, Reviewer, Slot, solve
from tests.assignment.test_solver import province_instance


def panel(group, ids, capacity=10, load=0):
    return [Reviewer(i, frozenset({group}), capacity, load) for i in ids]


def check_sample(slots, reviewers, conflicts, existing, assignments):
    """The hard rules of solver.solve, checked from scratch on one sampled assignment."""
    by_section = {s.section_id: s for s in slots}
    by_expert = {r.expert_id: r for r in reviewers}
    kept = Counter(e.section_id for e in existing)
    assert assignments == sorted(assignments)
    assert len(assignments) == len(set(assignments))
    got = defaultdict(list)
    for sid, eid in assignments:
        got[sid].append(eid)
    for s in slots:
        assert len(got[s.section_id]) + kept[s.section_id] == s.need
        for eid in got[s.section_id]:
            assert s.group in by_expert[eid].groups
            assert (eid, s.application_id) not in conflicts
    held = Counter((e.expert_id, e.application_id) for e in existing)
    held.update((eid, by_section[sid].application_id) for sid, eid in assignments)
    assert max(held.values(), default=0) <= 1
    loads = Counter({r.expert_id: r.load for r in reviewers})
    loads.update(e.expert_id for e in existing if e.expert_id in by_expert)
    new = Counter(eid for _, eid in assignments)
    loads.update(new)
    for eid in new:
        assert loads[eid] <= by_expert[eid].capacity
    return loads


def check_marginals(slots, reviewers, existing, marginals, q):
    """The LP solution itself: slot sums, the cap q, one section per application, capacity."""
    by_section = {s.section_id: s for s in slots}
    kept = Counter(e.section_id for e in existing)
    per_slot = defaultdict(float)
    per_pair = defaultdict(float)
    per_expert = defaultdict(float)
    for (sid, eid), x in marginals.items():
        assert 0 < x <= q + 1e-12
        per_slot[sid] += x
        per_pair[(by_section[sid].application_id, eid)] += x
        per_expert[eid] += x
    for s in slots:
        assert per_slot[s.section_id] == pytest.approx(s.need - kept[s.section_id])
    assert all(v <= 1 + 1e-9 for v in per_pair.values())
    base = Counter({r.expert_id: r.load for r in reviewers})
    base.update(e.expert_id for e in existing)
    for r in reviewers:
        assert base[r.expert_id] + per_expert[r.expert_id] <= r.capacity + 1e-9


# -- the LP on hand instances ----------------------------------------------------------------


def test_four_equal_experts_q_half_spreads_the_slot_over_at_least_two():
    slots = [Slot(1, 10, "general", need=1)]
    reviewers = panel("general", [1, 2, 3, 4])
    sol = solve_randomised(slots, reviewers, conflicts=set(), affinity={}, q=0.5)
    assert sum(sol.marginals.values()) == pytest.approx(1.0)
    assert all(0 < x <= 0.5 for x in sol.marginals.values())
    assert len(sol.marginals) >= 2
    assert len(sol.assignments) == 1 and sol.assignments[0] in sol.marginals
    assert sol.q == 0.5


def test_four_equal_experts_q_quarter_gives_each_exactly_a_quarter():
    slots = [Slot(1, 10, "general", need=1)]
    reviewers = panel("general", [1, 2, 3, 4])
    sol = solve_randomised(slots, reviewers, conflicts=set(), affinity={}, q=0.25)
    assert sol.marginals == {(1, 1): 0.25, (1, 2): 0.25, (1, 3): 0.25, (1, 4): 0.25}


def test_lp_fills_the_best_experts_up_to_q():
    slots = [Slot(1, 10, "general", need=1)]
    reviewers = panel("general", [1, 2, 3, 4])
    aff = {(1, 1): 1.0, (2, 1): 0.8, (3, 1): 0.6, (4, 1): 0.2}
    half = solve_randomised(slots, reviewers, conflicts=set(), affinity=aff, q=0.5)
    assert half.marginals == {(1, 1): 0.5, (1, 2): 0.5}
    assert half.expected_affinity == pytest.approx(0.9)
    assert half.optimal_affinity == pytest.approx(1.0)
    assert half.sampled_affinity in (1.0, 0.8)
    low = solve_randomised(slots, reviewers, conflicts=set(), affinity=aff, q=0.4)
    assert low.marginals == {(1, 1): 0.4, (1, 2): 0.4, (1, 3): pytest.approx(0.2)}
    assert low.expected_affinity == pytest.approx(0.84)


def test_q_one_gives_the_deterministic_optimum():
    slots, reviewers, conflicts, aff = province_instance(6, 24, 8, seed=3)
    sol = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, q=1.0)
    opt = solve(slots, reviewers, conflicts=conflicts, affinity=aff)
    assert sol.expected_affinity == pytest.approx(opt.total_affinity)
    assert sol.optimal_affinity == opt.total_affinity
    assert set(sol.marginals.values()) == {1.0}
    assert sol.assignments == sorted(sol.marginals)
    assert sol.sampled_affinity == pytest.approx(sol.expected_affinity)
    assert sol.max_load_bound == opt.max_load


def test_lower_q_costs_affinity_but_respects_the_cap():
    slots, reviewers, conflicts, aff = province_instance(6, 24, 8, seed=3)
    sol = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, q=0.5)
    check_marginals(slots, reviewers, [], sol.marginals, 0.5)
    assert max(sol.marginals.values()) <= 0.5
    assert sol.expected_affinity < sol.optimal_affinity
    exp = sum(aff.get((e, sid), 0.0) * x for (sid, e), x in sol.marginals.items())
    assert sol.expected_affinity == pytest.approx(exp)


# -- sampled assignments ----------------------------------------------------------------------


def test_every_sample_keeps_the_hard_rules():
    slots, reviewers, conflicts, aff = province_instance(6, 24, 8, seed=5)
    assert conflicts  # the instance does exercise conflicts
    plan = fractional_plan(slots, reviewers, conflicts=conflicts, affinity=aff, q=0.5)
    check_marginals(slots, reviewers, [], plan.marginals, 0.5)
    caps = {r.expert_id: r.capacity for r in reviewers}
    seen = set()
    for seed in range(300):
        sample = plan.sample(random.Random(seed))
        loads = check_sample(slots, reviewers, conflicts, [], sample)
        assert set(sample) <= set(plan.marginals)
        assert all(loads[e] <= min(caps[e], plan.max_load_bound) for _, e in sample)
        seen.add(tuple(sample))
    assert len(seen) > 250  # genuinely random
    # solve_randomised draws exactly plan.sample(Random(seed)).
    for seed in (0, 7):
        sol = solve_randomised(
            slots, reviewers, conflicts=conflicts, affinity=aff, q=0.5, seed=seed
        )
        assert sol.assignments == plan.sample(random.Random(seed))
        assert sol.marginals == plan.marginals
        loads = check_sample(slots, reviewers, conflicts, [], sol.assignments)
        assert sol.loads == {r.expert_id: loads[r.expert_id] for r in reviewers}
        assert sol.sampled_affinity == pytest.approx(
            sum(aff.get((e, sid), 0.0) for sid, e in sol.assignments)
        )


def test_empirical_frequencies_match_the_marginals_and_stay_below_q():
    # Two applications, one panel; capacities and affinities make the LP uneven.
    slots = [
        Slot(1, 10, "general", need=2),
        Slot(2, 10, "general", need=1),
        Slot(3, 20, "general", need=2),
    ]
    reviewers = [
        Reviewer(1, frozenset({"general"}), 2),
        Reviewer(2, frozenset({"general"}), 1),
        Reviewer(3, frozenset({"general"}), 2, load=1),
        Reviewer(4, frozenset({"general"}), 3),
        Reviewer(5, frozenset({"general"}), 2),
        Reviewer(6, frozenset({"general"}), 2),
        Reviewer(7, frozenset({"general"}), 2),
    ]
    conflicts = {(1, 20), (6, 10)}
    aff = {(1, 1): 1.0, (2, 1): 0.9, (3, 2): 0.7, (4, 3): 1.0, (5, 3): 0.6, (7, 1): 0.3}
    q = 0.6
    plan = fractional_plan(slots, reviewers, conflicts=conflicts, affinity=aff, q=q)
    marg = plan.marginals
    check_marginals(slots, reviewers, [], marg, q)
    assert any(0 < x < q for x in marg.values())  # a non-trivial distribution
    n = 2000
    counts = Counter()
    for seed in range(n):
        sample = plan.sample(random.Random(seed))
        check_sample(slots, reviewers, conflicts, [], sample)
        counts.update(sample)
    assert set(counts) <= set(marg)
    for pair in set(marg) | set(counts):
        x = marg.get(pair, 0.0)
        sd = math.sqrt(x * (1 - x) / n)
        freq = counts[pair] / n
        assert abs(freq - x) <= 4 * sd + 1e-9, (pair, freq, x)
        assert freq <= q + 4 * math.sqrt(q * (1 - q) / n)


def test_same_seed_same_sample_different_seeds_differ():
    slots = [Slot(1, 10, "general"), Slot(2, 20, "general")]
    reviewers = panel("general", range(1, 9), capacity=1)
    args = dict(conflicts={(1, 10)}, affinity={(2, 1): 0.5}, q=0.5)
    first = solve_randomised(slots, reviewers, **args, seed=11)
    again = solve_randomised(slots, reviewers, **args, seed=11)
    assert first.assignments == again.assignments
    assert first.marginals == again.marginals
    others = {
        tuple(solve_randomised(slots, reviewers, **args, seed=s).assignments) for s in range(20)
    }
    assert len(others) > 1


def test_existing_assignments_are_kept_and_counted():
    slots = [Slot(1, 7, "general"), Slot(2, 7, "general"), Slot(3, 8, "general", need=1)]
    reviewers = panel("general", range(1, 11), capacity=2)
    existing = [
        Existing(1, 7, 1),
        Existing(1, 7, 2),  # slot 1 needs one more; experts 1, 2 may not take section 2
        Existing(9, 9, 3),  # another program's slot: expert 3 has one spare place left
        Existing(19, 19, 3),  # ... now none
    ]
    aff = {(1, 2): 1.0, (2, 2): 1.0, (3, 3): 1.0, (3, 1): 1.0}
    plan = fractional_plan(
        slots, reviewers, conflicts=set(), affinity=aff, q=0.5, existing=existing
    )
    check_marginals(slots, reviewers, existing, plan.marginals, 0.5)
    assert not any(e in (1, 2) and sid in (1, 2) for sid, e in plan.marginals)
    assert not any(e == 3 for _, e in plan.marginals)
    for seed in range(100):
        sample = plan.sample(random.Random(seed))
        check_sample(slots, reviewers, set(), existing, sample)
        assert len(sample) == 1 + 3 + 1
    sol = solve_randomised(
        slots, reviewers, conflicts=set(), affinity=aff, q=0.5, existing=existing, seed=4
    )
    loads = check_sample(slots, reviewers, set(), existing, sol.assignments)
    assert sol.loads == {r.expert_id: loads[r.expert_id] for r in reviewers}
    assert sol.loads[3] == 2 and sol.loads[1] >= 1 and sol.loads[2] >= 1


# -- q: validation, rounding, infeasibility ---------------------------------------------------


@pytest.mark.parametrize("q", [0, -0.1, 1.5, float("nan"), "0.5", True, None, 0.0001])
def test_invalid_q_raises_value_error(q):
    with pytest.raises(ValueError, match="概率上限q"):
        solve_randomised(
            [Slot(1, 10, "general", need=1)],
            panel("general", [1, 2]),
            conflicts=set(),
            affinity={},
            q=q,
        )


def test_q_becomes_a_fraction_not_above_q():
    assert probability_fraction(0.34) == Fraction(17, 50)
    assert probability_fraction(1 / 3) == Fraction(1, 3)
    assert probability_fraction(1) == 1
    odd = probability_fraction(0.3337)
    assert odd <= Fraction("0.3337") and odd.denominator <= 1000
    assert Fraction("0.3337") - odd < Fraction(1, 1000)


def test_too_low_q_names_the_short_slot():
    slots = [Slot(1, 10, "general", need=2), Slot(2, 10, "link.rnd", need=1)]
    reviewers = panel("general", [1, 2, 3]) + panel("link.rnd", [4, 5, 6])
    # Slot 1 needs 2 of 3 experts: any q >= 2/3 works, q = 0.5 needs ceil(2 / 0.5) = 4.
    solve_randomised(slots, reviewers, conflicts=set(), affinity={}, q=0.7)
    with pytest.raises(Infeasible) as err:
        solve_randomised(slots, reviewers, conflicts=set(), affinity={}, q=0.5)
    assert "概率上限q=0.5" in err.value.message and "章节#1" in err.value.message
    assert "章节#2" not in err.value.message
    (short,) = err.value.shortages
    assert (short.section_id, short.kind, short.eligible, short.need) == (1, "slot", 3, 4)


def test_shortage_without_q_uses_the_solver_diagnostics():
    slots = [Slot(1, 10, "general", need=3)]
    reviewers = panel("general", [1, 2, 3])
    with pytest.raises(Infeasible) as err:
        solve_randomised(slots, reviewers, conflicts={(3, 10)}, affinity={}, q=0.9)
    assert "只有2名无冲突且有余量的专家" in err.value.message
    assert err.value.shortages[0].section_id == 1
