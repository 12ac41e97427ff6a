"""Affinities by class (``classes.ClassAffinity``): the same assignment as the pairs at province
scale, and the windowed pruning at national scale (best candidates, rules, determinism,
spread)."""

import random
from collections import Counter

import pytest

from review_app.assignment.classes import ClassAffinity
from review_app.assignment.instance import Prepared
from review_app.assignment.problem import NATIONAL_CANDIDATES, Problem
from review_app.assignment.randomised import solve_randomised
from review_app.assignment.solver import Infeasible, Reviewer, Slot, solve
from tests.assignment.test_solver import check_rules, province_instance


def by_class(slots, aff):
    """The pairs of ``province_instance`` (scores per expert, application and group) as classes
    of (application, group)."""
    slot_class = {s.section_id: (s.application_id, s.group) for s in slots}
    table = {(e, slot_class[sid]): v for (e, sid), v in aff.items()}
    return ClassAffinity(slot_class, table)


@pytest.mark.parametrize("seed", [0, 3])
def test_classes_give_the_pairs_assignment_at_province_scale(seed):
    slots, reviewers, conflicts, aff = province_instance(200, 50, 20, seed=seed + 1)
    classes = by_class(slots, aff)
    assert classes.pairs(slots, reviewers) == aff
    pairs = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=seed)
    assert solve(slots, reviewers, conflicts=conflicts, affinity=classes, seed=seed) == pairs
    # Pruning wider than every panel is no pruning: the same again.
    wide = solve(slots, reviewers, conflicts=conflicts, affinity=classes, seed=seed,
                 max_candidates=60)  # fmt: skip
    assert wide == pairs


def test_classes_give_the_pairs_randomised_assignment_and_shortages():
    slots, reviewers, conflicts, aff = province_instance(20, 30, 10, seed=7)
    classes = by_class(slots, aff)
    a = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, seed=2, q=0.5)
    b = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=classes, seed=2, q=0.5)
    assert a == b
    # A panel too small: the same explanation either way.
    small = [r for r in reviewers if "general" not in r.groups or r.expert_id % 10 == 0]
    with pytest.raises(Infeasible) as with_pairs:
        solve(slots, small, conflicts=conflicts, affinity=aff)
    with pytest.raises(Infeasible) as with_classes:
        solve(slots, small, conflicts=conflicts, affinity=classes)
    assert with_pairs.value.message == with_classes.value.message
    assert with_pairs.value.shortages == with_classes.value.shortages != []


def national_shaped(n_apps=300, n_general=240, n_link=40, divisions=4, seed=1):
    """6 综合组 sections and one per 环节 (five) per application, affinities by (group, 大类),
    a tenth of the experts scoring 0.7 for a class, the others 0.3, conflicts about 5 %."""
    rng = random.Random(seed)
    links = [f"link.{k}" for k in range(5)]
    slots, slot_class, sid = [], {}, 0
    for app in range(1, n_apps + 1):
        division = rng.randrange(divisions)
        for group in ["general"] * 6 + links:
            sid += 1
            slots.append(Slot(sid, app, group))
            slot_class[sid] = (group, division)
    reviewers, table, eid = [], {}, 0
    for group, count in [("general", n_general)] + [(g, n_link) for g in links]:
        seats = 3 * n_apps * (6 if group == "general" else 1)
        for _ in range(count):
            eid += 1
            reviewers.append(Reviewer(eid, frozenset({group}), seats // count + 4))
            for d in range(divisions):
                table[(eid, (group, d))] = 0.7 if rng.random() < 0.1 else 0.3
    conflicts = {
        (r.expert_id, app) for r in reviewers for app in range(1, n_apps + 1) if rng.random() < 0.05
    }
    return slots, reviewers, conflicts, ClassAffinity(slot_class, table)


def test_window_pruning_keeps_the_rules_each_slots_best_and_is_deterministic():
    slots, reviewers, conflicts, classes = national_shaped()
    k = 60  # of 240: each expert among about 3x as many candidate lists as its load
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=classes, seed=4, max_candidates=k)
    check_rules(slots, reviewers, conflicts, [], sol)
    full = solve(slots, reviewers, conflicts=conflicts, affinity=classes, seed=4)
    assert sol.max_load == full.max_load  # the pruned network carries the lowest bound here
    assert sol.total_affinity <= full.total_affinity
    # The solution is the pruned network's: every pair among the candidates kept.
    prep = Prepared(slots, reviewers, conflicts, [], classes)
    arcs = prep.arcs(max_candidates=k, seed=4)
    kept = {
        (int(prep.section_ids[row]), int(prep.expert_ids[e]))
        for net_slot, e in zip(arcs.arc_slot.tolist(), arcs.arc_expert.tolist(), strict=True)
        for row in arcs.slots[net_slot]
    }
    assert set(sol.assignments) <= kept and len(kept) < len(classes.pairs(slots, reviewers)) / 2
    pairs = classes.pairs(slots, reviewers)
    by_section = {s.section_id: s for s in slots}
    for sid, e in sol.assignments:
        s = by_section[sid]
        better = [
            r
            for r in reviewers
            if s.group in r.groups
            and (r.expert_id, s.application_id) not in conflicts
            and pairs[(r.expert_id, sid)] > pairs[(e, sid)]
        ]
        assert len(better) < k  # among the k best free ones
    # The same input in another order, the same seed: the same assignment; another seed may
    # choose otherwise among equally good ones.
    shuffled = solve(list(reversed(slots)), list(reversed(reviewers)), conflicts=conflicts,
                     affinity=classes, seed=4, max_candidates=k)  # fmt: skip
    assert shuffled == sol
    other = solve(slots, reviewers, conflicts=conflicts, affinity=classes, seed=5,
                  max_candidates=k)  # fmt: skip
    assert other.assignments != sol.assignments and other.max_load == sol.max_load


def test_window_candidates_are_the_best_free_ones_and_spread_over_the_tier():
    slots, reviewers, conflicts, classes = national_shaped(n_apps=200)
    k = 25
    prep = Prepared(slots, reviewers, conflicts, [], classes)
    arcs = prep.arcs(max_candidates=k, seed=0)
    values = classes.table
    per_slot = Counter(arcs.arc_slot.tolist())
    general_members = [r.expert_id for r in reviewers if "general" in r.groups]
    tier_use = Counter()
    for net_slot, rows in enumerate(arcs.slots):
        head = prep.slots[rows[0]]
        cls = classes.slot_class[head.section_id]
        mine = prep.expert_ids[arcs.arc_expert[arcs.arc_slot == net_slot]].tolist()
        free = [
            e
            for e in (general_members if head.group == "general" else [])
            if (e, head.application_id) not in conflicts
        ]
        if head.group != "general":
            continue
        assert per_slot[net_slot] == min(k, len(free))
        assert all((e, head.application_id) not in conflicts for e in mine)
        cutoff = min(values[(e, cls)] for e in mine)
        # every free member scoring above the lowest kept one is kept
        assert {e for e in free if values[(e, cls)] > cutoff} <= set(mine)
        tier_use.update(e for e in mine if values[(e, cls)] == cutoff)
    # Rotated windows: the slots of a class do not all take the same members of the cut tier.
    assert len(tier_use) > 3 * k


def test_the_service_prunes_only_above_the_national_size():
    def problem(n_apps, n_general):
        slots = [Slot(i, i, "general") for i in range(n_apps * 6)]
        reviewers = [Reviewer(e, frozenset({"general"}), 10) for e in range(n_general)]
        return Problem(slots, reviewers, set(), ClassAffinity({}, {}), [])

    assert problem(216, 300).max_candidates() is None  # a province: 0.4 million pairs
    assert problem(1000, 330).max_candidates() == NATIONAL_CANDIDATES  # 2 million


def test_window_pruning_falls_back_when_the_window_is_too_tight():
    slots = [Slot(i, i, "general", need=1) for i in range(1, 7)]
    reviewers = [Reviewer(e, frozenset({"general"}), 2) for e in range(1, 5)]
    table = {(1, "c"): 1.0, (2, "c"): 0.9}
    classes = ClassAffinity({s.section_id: "c" for s in slots}, table)
    # Every slot's best two are 1 and 2, who can take 4 of the 6 slots: the full network.
    sol = solve(slots, reviewers, conflicts=set(), affinity=classes, max_candidates=2)
    check_rules(slots, reviewers, set(), [], sol)
    assert len(sol.assignments) == 6
    taken = Counter(e for _, e in sol.assignments)
    assert sol.max_load == 2 and taken[1] == taken[2] == 2
