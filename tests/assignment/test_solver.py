"""The assignment solver: hard rules, the lexicographic objective, determinism, shortages."""

import itertools
import random
import time
from collections import Counter, defaultdict

import pytest

from review_app.applications.catalogue import scored_sections
from review_app.assignment.affinity import affinity as affinity_of
from review_app.assignment.solver import (
    Existing,
    Infeasible,
    Reviewer,
    Slot,
    solve,
)

LINKS = ("link.factory", "link.rnd", "link.production", "link.prod_mgmt", "link.operations")


def province_instance(n_apps=200, n_general=50, n_link=20, seed=1):
    """``n_apps`` 卓越级 applications (11 scored sections each, 3 reviewers), a 综合组 of
    ``n_general`` experts and five 环节 panels of ``n_link`` (150 experts at the defaults), about
    5 % conflicts, affinities from ``affinity.py``."""
    rng = random.Random(seed)
    sections = scored_sections("excellent")
    slots, divisions = [], {}
    sid = 0
    for app in range(1, n_apps + 1):
        divisions[app] = rng.choice(["13", "26", "34", "35", "38", "39"])
        for spec in sections:
            sid += 1
            slots.append(Slot(sid, app, spec.group))
    general_seats = 3 * sum(s.group == "general" for s in slots)
    reviewers, profiles = [], {}
    eid = 0
    for group, count in [("general", n_general)] + [(g, n_link) for g in LINKS]:
        seats = general_seats if group == "general" else 3 * n_apps
        for _ in range(count):
            eid += 1
            cap = seats // count + rng.randint(2, 12)
            reviewers.append(Reviewer(eid, frozenset({group}), cap, rng.randint(0, 2)))
            specialties = {rng.choice(LINKS)} if group == "general" else {group}
            industries = set(rng.sample(["13", "26", "34", "35", "38", "39"], 2))
            profiles[eid] = (specialties, industries)
    conflicts = {
        (r.expert_id, app) for r in reviewers for app in range(1, n_apps + 1) if rng.random() < 0.05
    }
    aff = {
        (r.expert_id, s.section_id): affinity_of(
            *profiles[r.expert_id], s.group, divisions[s.application_id]
        )
        for s in slots
        for r in reviewers
        if s.group in r.groups
    }
    return slots, reviewers, conflicts, aff


def check_rules(slots, reviewers, conflicts, existing, sol):
    """The hard rules, checked from scratch on a solution."""
    by_section = {s.section_id: s for s in slots}
    by_expert = {r.expert_id: r for r in reviewers}
    kept = Counter(e.section_id for e in existing)
    got = defaultdict(list)
    for sid, eid in sol.assignments:
        got[sid].append(eid)
    assert sol.assignments == sorted(sol.assignments)
    for s in slots:
        experts = got[s.section_id]
        assert len(experts) == len(set(experts))
        assert len(experts) + kept[s.section_id] == s.need
        for eid in experts:
            assert s.group in by_expert[eid].groups
            assert (eid, s.application_id) not in conflicts
    held = Counter((e.expert_id, e.application_id) for e in existing)
    held.update((eid, by_section[sid].application_id) for sid, eid in sol.assignments)
    assert max(held.values(), default=0) <= 1
    loads = Counter({r.expert_id: r.load for r in reviewers})
    loads.update(e.expert_id for e in existing if e.expert_id in by_expert)
    loads.update(eid for _, eid in sol.assignments)
    for r in reviewers:
        assert sol.loads[r.expert_id] == loads[r.expert_id]
        if any(eid == r.expert_id for _, eid in sol.assignments):
            assert loads[r.expert_id] <= r.capacity
    assert sol.max_load == max(loads.values())


def panel(group, ids, capacity=10, load=0):
    return [Reviewer(i, frozenset({group}), capacity, load) for i in ids]


# -- hard rules ---------------------------------------------------------------------------------


def test_every_slot_gets_need_distinct_panel_reviewers_without_conflicts():
    slots = [
        Slot(1, 100, "general"),
        Slot(2, 100, "general"),
        Slot(3, 100, "link.rnd"),
        Slot(4, 200, "general", need=2),
        Slot(5, 200, "link.rnd"),
    ]
    reviewers = panel("general", range(1, 9)) + panel("link.rnd", range(11, 16))
    reviewers.append(Reviewer(20, frozenset({"general", "link.rnd"}), 2))
    conflicts = {(1, 100), (2, 100), (11, 100), (12, 200), (20, 200)}
    sol = solve(slots, reviewers, conflicts=conflicts, affinity={})
    check_rules(slots, reviewers, conflicts, [], sol)
    assert len(sol.assignments) == 3 + 3 + 3 + 2 + 3


def test_capacity_including_existing_load_is_never_exceeded():
    # Experts 1-3 are full (load == capacity); only 4-6 may take the slots.
    reviewers = panel("general", [1, 2, 3], capacity=4, load=4) + panel("general", [4, 5, 6], 2)
    slots = [Slot(1, 10, "general"), Slot(2, 20, "general")]
    sol = solve(slots, reviewers, conflicts=set(), affinity={(1, 1): 1.0, (2, 2): 1.0})
    check_rules(slots, reviewers, set(), [], sol)
    assert {e for _, e in sol.assignments} == {4, 5, 6}
    assert sol.loads == {1: 4, 2: 4, 3: 4, 4: 2, 5: 2, 6: 2}


def test_one_section_per_application_per_expert():
    # Two sections of the same application, six experts: each expert takes exactly one.
    slots = [Slot(1, 7, "general"), Slot(2, 7, "general")]
    reviewers = panel("general", range(1, 7))
    aff = {(e, 1): 1.0 for e in range(1, 7)}  # tempts everybody towards section 1
    sol = solve(slots, reviewers, conflicts=set(), affinity=aff)
    check_rules(slots, reviewers, set(), [], sol)
    assert sorted(e for _, e in sol.assignments) == [1, 2, 3, 4, 5, 6]


def test_existing_assignments_count_toward_need_load_and_one_per_application():
    slots = [Slot(1, 7, "general"), Slot(2, 7, "general"), Slot(3, 8, "general", need=1)]
    reviewers = panel("general", range(1, 7), capacity=2)
    existing = [
        Existing(1, 7, 1),
        Existing(1, 7, 2),  # slot 1 needs only one more
        Existing(9, 9, 3),  # another program's slot: expert 3 carries one more load
        Existing(9, 9, 4),
    ]
    # Experts 1 and 2 would be perfect for section 2 but already hold section 1 of application 7.
    aff = {(1, 2): 1.0, (2, 2): 1.0, (1, 3): 1.0}
    sol = solve(slots, reviewers, conflicts=set(), affinity=aff, existing=existing)
    check_rules(slots, reviewers, set(), existing, sol)
    got = defaultdict(set)
    for sid, e in sol.assignments:
        got[sid].add(e)
    assert len(got[1]) == 1 and not got[1] & {1, 2}
    assert not got[2] & {1, 2}
    assert got[3] == {1}  # the best fit, and 1 holds nothing of application 8
    assert sol.loads[1] == 2 and sol.loads[3] <= 2 and sol.loads[4] <= 2


def test_existing_assignment_fills_a_slot_completely():
    slots = [Slot(1, 7, "link.rnd", need=2)]
    reviewers = panel("link.rnd", [1, 2, 3])
    existing = [Existing(1, 7, 1), Existing(1, 7, 2)]
    sol = solve(slots, reviewers, conflicts=set(), affinity={(3, 1): 1.0}, existing=existing)
    assert sol.assignments == []
    assert sol.loads == {1: 1, 2: 1, 3: 0}


# -- objective ----------------------------------------------------------------------------------


def test_max_load_is_minimal_on_an_evident_instance():
    # 6 one-reviewer slots of distinct applications, 3 experts: the optimum is 2 each, although
    # expert 1 fits every slot best.
    slots = [Slot(i, i, "general", need=1) for i in range(1, 7)]
    reviewers = panel("general", [1, 2, 3])
    aff = {(1, i): 1.0 for i in range(1, 7)}
    sol = solve(slots, reviewers, conflicts=set(), affinity=aff)
    assert sol.max_load == 2
    assert sol.loads == {1: 2, 2: 2, 3: 2}
    assert sol.total_affinity == pytest.approx(2.0)


def test_max_load_counts_prior_load():
    # Expert 1 already carries 3: the other two take everything (max load 3, not 4).
    slots = [Slot(i, i, "general", need=1) for i in range(1, 5)]
    reviewers = [Reviewer(1, frozenset({"general"}), 10, 3)] + panel("general", [2, 3])
    sol = solve(slots, reviewers, conflicts=set(), affinity={(1, i): 1.0 for i in range(1, 5)})
    assert sol.max_load == 3
    assert sol.loads[2] + sol.loads[3] == 4


def test_among_equal_max_load_higher_affinity_wins():
    slots = [Slot(1, 1, "link.rnd", need=1), Slot(2, 2, "link.rnd", need=1)]
    reviewers = panel("link.rnd", [1, 2, 3])
    # Max load 1 forces two different experts; the best pair is 2 on slot 1 and 3 on slot 2.
    aff = {(1, 1): 0.5, (1, 2): 0.5, (2, 1): 0.9, (2, 2): 0.1, (3, 1): 0.2, (3, 2): 0.8}
    sol = solve(slots, reviewers, conflicts=set(), affinity=aff)
    assert sol.max_load == 1
    assert sol.assignments == [(1, 2), (2, 3)]
    assert sol.total_affinity == pytest.approx(1.7)


def _brute_force(slots, reviewers, conflicts, aff):
    """(lowest max load, highest total affinity under it) by enumeration."""
    by_expert = {r.expert_id: r for r in reviewers}
    options = [
        [
            combo
            for combo in itertools.combinations(sorted(by_expert), s.need)
            if all(
                s.group in by_expert[e].groups and (e, s.application_id) not in conflicts
                for e in combo
            )
        ]
        for s in slots
    ]
    best = None
    for choice in itertools.product(*options):
        loads = Counter({e: r.load for e, r in by_expert.items()})
        held = Counter()
        for s, combo in zip(slots, choice, strict=True):
            loads.update(combo)
            held.update((e, s.application_id) for e in combo)
        if max(held.values()) > 1 or any(loads[e] > r.capacity for e, r in by_expert.items()):
            continue
        total = sum(
            aff.get((e, s.section_id), 0.0) for s, c in zip(slots, choice, strict=True) for e in c
        )
        key = (max(loads.values()), -round(total, 6))
        if best is None or key < best:
            best = key
    return None if best is None else (best[0], -best[1])


@pytest.mark.parametrize("instance_seed", range(1, 9))
def test_matches_brute_force_lexicographic_optimum(instance_seed):
    rng = random.Random(instance_seed)
    slots = []
    for app in range(1, 4):
        slots.append(Slot(2 * app - 1, app, "general", need=2))
        slots.append(Slot(2 * app, app, "general", need=1))
    reviewers = [
        Reviewer(e, frozenset({"general"}), rng.randint(2, 4), rng.randint(0, 1))
        for e in range(1, 6)
    ]
    conflicts = {(rng.randint(1, 5), rng.randint(1, 3)) for _ in range(2)}
    aff = {(e, s.section_id): rng.randint(0, 100) / 100 for e in range(1, 6) for s in slots}
    best = _brute_force(slots, reviewers, conflicts, aff)
    if best is None:
        with pytest.raises(Infeasible):
            solve(slots, reviewers, conflicts=conflicts, affinity=aff)
        return
    max_load, total = best
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=instance_seed)
    check_rules(slots, reviewers, conflicts, [], sol)
    assert sol.max_load == max_load
    assert sol.total_affinity == pytest.approx(total)


# -- determinism --------------------------------------------------------------------------------


def _tied_instance():
    slots = [Slot(i, i, "general", need=1) for i in range(1, 4)]
    return slots, panel("general", range(1, 7), capacity=1)


def test_same_seed_gives_identical_results():
    slots, reviewers, conflicts, aff = province_instance(n_apps=20, n_general=25, n_link=6)
    first = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=42)
    second = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=42)
    assert first == second
    check_rules(slots, reviewers, conflicts, [], first)


def test_different_seeds_can_pick_different_equally_good_answers():
    slots, reviewers = _tied_instance()
    results = {
        tuple(solve(slots, reviewers, conflicts=set(), affinity={}, seed=seed).assignments)
        for seed in range(8)
    }
    assert len(results) > 1
    for assignments in results:
        assert len({e for _, e in assignments}) == 3  # each still optimal: max load 1


# -- infeasibility ------------------------------------------------------------------------------


def _raises(slots, reviewers, conflicts=frozenset(), existing=()):
    with pytest.raises(Infeasible) as info:
        solve(slots, reviewers, conflicts=set(conflicts), affinity={}, existing=existing)
    return info.value


def test_too_few_panel_members_names_the_slot():
    slots = [Slot(12, 5, "link.prod_mgmt"), Slot(13, 5, "general", need=1)]
    reviewers = panel("link.prod_mgmt", [1, 2]) + panel("general", [3])
    err = _raises(slots, reviewers)
    assert len(err.shortages) == 1
    s = err.shortages[0]
    assert (s.section_id, s.application_id, s.group, s.eligible, s.need, s.kind) == (
        12,
        5,
        "link.prod_mgmt",
        2,
        3,
        "slot",
    )
    assert s.message == "章节#12（生产管理组）只有2名无冲突且有余量的专家，还差1名"
    assert "章节#12" in err.message and str(err) == err.message


def test_all_conflicted_slot_has_no_eligible_experts():
    slots = [Slot(1, 5, "link.rnd"), Slot(2, 6, "link.rnd")]
    reviewers = panel("link.rnd", [1, 2, 3])
    err = _raises(slots, reviewers, conflicts={(1, 5), (2, 5), (3, 5)})
    assert [(s.section_id, s.eligible, s.need) for s in err.shortages] == [(1, 0, 3)]
    assert "只有0名" in err.shortages[0].message and "还差3名" in err.shortages[0].message


def test_exhausted_capacity_counts_as_ineligible():
    slots = [Slot(1, 5, "general")]
    reviewers = panel("general", [1, 2], capacity=3) + panel("general", [3], capacity=3, load=3)
    err = _raises(slots, reviewers)
    assert [(s.section_id, s.eligible, s.need) for s in err.shortages] == [(1, 2, 3)]


def test_kept_reviewers_count_as_eligible_in_shortages():
    slots = [Slot(1, 5, "general")]
    reviewers = panel("general", [1, 2])
    err = _raises(slots, reviewers, existing=[Existing(1, 5, 1)])
    # Expert 1 is kept; only 2 is eligible for the two open places: 2 of 3, one missing.
    assert [(s.eligible, s.need) for s in err.shortages] == [(2, 3)]
    assert err.shortages[0].message.endswith("还差1名")


def test_panel_capacity_shortage_when_every_slot_has_enough_experts():
    slots = [Slot(1, 1, "link.rnd"), Slot(2, 2, "link.rnd")]
    reviewers = panel("link.rnd", [1, 2, 3, 4], capacity=1)
    err = _raises(slots, reviewers)
    assert [(s.kind, s.group, s.eligible, s.need) for s in err.shortages] == [
        ("panel", "link.rnd", 4, 6)
    ]
    assert "研发设计组" in err.shortages[0].message and "还差2份" in err.shortages[0].message


def test_one_per_application_shortage():
    slots = [Slot(1, 9, "general"), Slot(2, 9, "general")]
    reviewers = panel("general", [1, 2, 3, 4, 5])
    err = _raises(slots, reviewers)
    assert [(s.kind, s.application_id, s.eligible, s.need) for s in err.shortages] == [
        ("application", 9, 5, 6)
    ]


def test_general_message_when_only_the_interplay_is_infeasible():
    # Expert 1 sits on two panels with room for one section; each panel alone looks fine.
    slots = [Slot(1, 1, "general", need=1), Slot(2, 2, "link.rnd", need=1)]
    reviewers = [Reviewer(1, frozenset({"general", "link.rnd"}), 1)]
    err = _raises(slots, reviewers)
    assert err.shortages == []
    assert "容量" in err.message


# -- scale --------------------------------------------------------------------------------------


def test_province_sized_instance_solves_within_the_time_limit():
    slots, reviewers, conflicts, aff = province_instance()
    assert len(slots) == 2200 and len(reviewers) == 150
    start = time.monotonic()
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=3, time_limit=20.0)
    elapsed = time.monotonic() - start
    check_rules(slots, reviewers, conflicts, [], sol)
    assert len(sol.assignments) == 6600
    assert elapsed < 20.0
