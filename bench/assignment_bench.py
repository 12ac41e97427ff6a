"""Timings of the assignment solver (a script, not a test). Run from the project root:

    python bench/assignment_bench.py [--part side|province|randomised|national|simulated]
    python bench/assignment_bench.py --instance FILE [--seed N] [--no-balance]
    python bench/assignment_bench.py --write-instance FILE [--papers N --reviewers M ...]

Parts: ``side`` times ``solver.solve`` beside a bare OR-Tools ``SimpleMinCostFlow`` on the same
network at the same load bound (1200 one-section applications x 400 experts, 3 each, capacity
12, 5 % conflicts, uniform affinities; a warm-up, then five interleaved runs); ``province`` the
optimal solver at 200/400/800 applications; ``randomised`` the randomised mode; ``national`` a
plain instance of 35,000 papers x 3,000 reviewers (100 candidates each) and 5,000 applications x
11 sections with 3,000 experts in 12 panels through ``solver.solve`` (each slot pruned to its
best 100); ``simulated`` the shape ``review-app simulate`` gives it at 1,000 / 600 (also as
before: every pair listed) and 5,000 / 3,000, with affinities by class (not in the default run).

``--instance FILE`` reads a plain instance (``review_app/assignment/plain.py``) and prints one
JSON line ``{"seconds", "objective", "max_load", "violations", ...}``; a bad file exits 2.
"""

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.graph.python import min_cost_flow  # noqa: E402

from review_app.applications.catalogue import scored_sections  # noqa: E402
from review_app.assignment import plain  # noqa: E402
from review_app.assignment.affinity import affinity as affinity_of  # noqa: E402
from review_app.assignment.classes import ClassAffinity  # noqa: E402
from review_app.assignment.flow import SCALE, costs_of  # noqa: E402
from review_app.assignment.problem import Problem  # noqa: E402
from review_app.assignment.randomised import solve_randomised  # noqa: E402
from review_app.assignment.solver import Reviewer, Slot, solve  # noqa: E402
from tests.assignment.test_solver import province_instance  # noqa: E402


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def bare_flow(n_slots, n_experts, slot, expert, cost, demand, bound):
    """A bare OR-Tools min-cost flow: source -> slot (demand) -> expert (1) -> sink (bound).
    Returns (seconds, optimal cost, flows on the slot -> expert arcs)."""
    start = time.perf_counter()
    mcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.zeros(n_slots), 2 + slot, 2 + n_slots + np.arange(n_experts)])
    heads = np.concatenate([2 + np.arange(n_slots), 2 + n_slots + expert, np.ones(n_experts)])
    caps = np.concatenate([np.full(n_slots, demand), np.ones(len(slot)), np.full(n_experts, bound)])
    costs = np.concatenate([np.zeros(n_slots), cost, np.zeros(n_experts)])
    mcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64),
        costs.astype(np.int64),
    )  # fmt: skip
    mcf.set_node_supply(0, n_slots * demand)
    mcf.set_node_supply(1, -n_slots * demand)
    if mcf.solve() != mcf.OPTIMAL:
        raise RuntimeError("bare flow failed")
    took = time.perf_counter() - start
    flows = mcf.flows(np.arange(n_slots, n_slots + len(slot), dtype=np.int32))
    return took, mcf.optimal_cost(), flows


def side_by_side(runs: int = 5):
    rng = np.random.default_rng(1)
    n_slots, n_experts, demand, capacity = 1200, 400, 3, 12
    aff = np.round(rng.random((n_slots, n_experts)), 6)
    free = rng.random((n_slots, n_experts)) >= 0.05
    slots = [Slot(i + 1, i + 1, "general", demand) for i in range(n_slots)]
    reviewers = [Reviewer(j + 1, frozenset({"general"}), capacity) for j in range(n_experts)]
    ci, cj = np.nonzero(~free)
    conflicts = set(zip((cj + 1).tolist(), (ci + 1).tolist(), strict=True))
    affinity = {(j + 1, i + 1): float(aff[i, j]) for i in range(n_slots) for j in range(n_experts)}
    si, sj = np.nonzero(free)
    cost = costs_of(aff[si, sj])
    # Warm up both (imports, first touches of memory) on the instance itself, untimed.
    warm = solve(slots, reviewers, conflicts=conflicts, affinity=affinity, seed=0)
    bare_flow(n_slots, n_experts, si, sj, cost, demand, warm.max_load)
    ours, bare = [], []
    for run in range(runs):
        start = time.perf_counter()
        sol = solve(slots, reviewers, conflicts=conflicts, affinity=affinity, seed=run)
        ours.append(time.perf_counter() - start)
        took, optimal_cost, flows = bare_flow(n_slots, n_experts, si, sj, cost, demand,
                                              sol.max_load)  # fmt: skip
        bare.append(took)
        bare_affinity = round(float(aff[si, sj][flows > 0].sum()), 6)
        from_cost = (n_slots * demand * SCALE - optimal_cost) / SCALE
        print(
            f"  run {run + 1}: solver.solve {ours[-1]:.3f}s, bare SimpleMinCostFlow "
            f"{took:.3f}s at max load {sol.max_load} (ratio {ours[-1] / took:.2f}); affinity "
            f"{sol.total_affinity:.6f} vs bare {bare_affinity:.6f} (from its cost "
            f"{from_cost:.6f}): {'equal' if abs(sol.total_affinity - from_cost) < 5e-7 else 'DIFFERENT'}"
        )
    print(
        f"side by side (1200 sections x 400 experts, 3 each, capacity 12, 5% conflicts): median "
        f"solver {statistics.median(ours):.3f}s, bare {statistics.median(bare):.3f}s, ratio "
        f"{statistics.median(ours) / statistics.median(bare):.2f} (target <= 2)"
    )


SIZES = [(200, 50, 20), (400, 80, 30), (800, 120, 50)]  # (applications, 综合组, per 环节 panel)


def province():
    for n_apps, n_general, n_link in SIZES:
        slots, reviewers, conflicts, aff = province_instance(n_apps, n_general, n_link)
        start = time.perf_counter()
        sol = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=0)
        took = time.perf_counter() - start
        print(
            f"{n_apps} applications, {len(slots)} slots, {len(reviewers)} experts, "
            f"{len(conflicts)} conflicts: solved in {took:.2f}s; {len(sol.assignments)} "
            f"assignments, max load {sol.max_load}, total affinity {sol.total_affinity:.2f}"
        )


def randomised(sizes=SIZES):
    for n_apps, n_general, n_link in sizes:
        slots, reviewers, conflicts, aff = province_instance(n_apps, n_general, n_link)
        for q in (0.5, 0.34):
            start = time.perf_counter()
            rsol = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, q=q,
                                    seed=0)  # fmt: skip
            took = time.perf_counter() - start
            lost = 100 * (rsol.optimal_affinity - rsol.expected_affinity) / rsol.optimal_affinity
            print(
                f"{n_apps} applications, q={q}: randomised in {took:.2f}s (includes the "
                f"deterministic solve); expected affinity {rsol.expected_affinity:.2f} (sampled "
                f"{rsol.sampled_affinity:.2f}), optimal {rsol.optimal_affinity:.2f}, {lost:.2f}% "
                f"lost; max load bound {rsol.max_load_bound}"
            )


def national_plain():
    inst = plain.generate(35_000, 3_000, candidates=100, demand=3, max_load=40,
                          conflict_rate=0.0, seed=1)  # fmt: skip
    cost = np.rint((inst.score.max() - inst.score) * SCALE).astype(np.int64)
    for balance in (True, False):
        start = time.perf_counter()
        paper, reviewer, max_load = plain.solve_plain(inst, balance=balance)
        took = time.perf_counter() - start
        violations = plain.check(inst, paper, reviewer)
        bare, _, _ = bare_flow(inst.papers, inst.reviewers, inst.pair_paper, inst.pair_reviewer,
                               cost, inst.demand, max_load)  # fmt: skip
        rule = "lowest max load first" if balance else "capacity 40 only (--no-balance)"
        print(
            f"national plain (35,000 papers x 3,000 reviewers, {len(inst.score):,} pairs, demand "
            f"3, capacity 40; {rule}): solved in {took:.2f}s (target < 10 s; bare flow at the "
            f"same bound {bare:.2f}s, ratio {took / bare:.2f}); max load {max_load}, objective "
            f"{plain.objective(inst, paper, reviewer):.2f}, violations {sum(violations.values())}; "
            f"peak memory {peak_gb():.1f} GB"
        )


def national_instance(n_apps=5000, n_experts=3000, regions=2, best=100, seed=1):
    """``n_apps`` 卓越级 applications (11 sections: 6 综合组, one per 环节 panel), ``n_experts``
    in 12 panels (the six groups in ``regions`` regions), 5 % conflicts, uniform affinities per
    (expert, group, application), listed for each slot's best ``best`` panel members only."""
    rng = np.random.default_rng(seed)
    groups = [s.group for s in scored_sections("excellent")]
    names = sorted(set(groups))
    seats = {g: 3 * groups.count(g) * n_apps // regions for g in names}
    total = sum(seats.values())
    slots, reviewers, affinity, conflicts = [], [], {}, set()
    sid = eid = 0
    for region in range(regions):
        apps = list(range(region + 1, n_apps + 1, regions))
        for g in names:
            count = round(n_experts / regions * seats[g] / total)
            members = list(range(eid + 1, eid + count + 1))
            eid += count
            caps = seats[g] // count + rng.integers(2, 13, count)
            panel = f"{g}@{region + 1}"
            reviewers += [
                Reviewer(e, frozenset({panel}), int(c)) for e, c in zip(members, caps, strict=True)
            ]
            # Affinity depends on the expert, the group and the application (as affinity.py's
            # does), so an application's sections in one group score alike.
            scores = np.round(rng.random((len(apps), count)), 6)
            top = np.argpartition(-scores, min(best, count) - 1, axis=1)[:, :best]
            member_arr = np.array(members)
            for app, row, cols in zip(apps, scores, top, strict=True):
                experts, values = member_arr[cols].tolist(), row[cols].tolist()
                for _ in range(groups.count(g)):
                    sid += 1
                    slots.append(Slot(sid, app, panel))
                    affinity.update(
                        zip(zip(experts, [sid] * len(cols), strict=True), values, strict=True)
                    )
            hit = rng.random((len(apps), count)) < 0.05
            ai, mi = np.nonzero(hit)
            conflicts.update(zip(member_arr[mi].tolist(), np.array(apps)[ai].tolist(), strict=True))
    return slots, reviewers, conflicts, affinity


def national_application():
    start = time.perf_counter()
    slots, reviewers, conflicts, affinity = national_instance()
    built = time.perf_counter() - start
    start = time.perf_counter()
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=affinity, seed=0,
                max_candidates=100)  # fmt: skip
    took = time.perf_counter() - start
    print(
        f"national application path (5,000 applications x 11 sections x 3, {len(reviewers)} "
        f"experts in 12 panels, {len(conflicts):,} conflicts, candidates pruned to each slot's "
        f"best 100 in its panel): solved in {took:.2f}s (target < 30 s; instance built in "
        f"{built:.1f}s); {len(sol.assignments):,} assignments, max load {sol.max_load}, total "
        f"affinity {sol.total_affinity:.2f}; peak memory {peak_gb():.1f} GB"
    )


def simulated_instance(n_apps: int, n_experts: int, seed: int = 1):
    """The shape ``review-app simulate`` gives the solver: ``n_apps`` 卓越级 applications (11
    sections), one panel per group with experts shared out by the group's seats, each expert in
    one panel scoring its own group (affinity.py: 0.6 on a 环节, 0 on the 综合组), 70 % of
    experts and every application in one of 18 prefectures (同地市回避: a conflict for each such
    pair), affinities by (group, 大类)."""
    rng = np.random.default_rng(seed)
    specs = scored_sections("excellent")
    groups = sorted({s.group for s in specs})
    seats = {g: 3 * n_apps * sum(s.group == g for s in specs) for g in groups}
    counts = {g: max(10, round(n_experts * seats[g] / sum(seats.values()))) for g in groups}
    slots, slot_class, sid = [], {}, 0
    app_pref = rng.integers(0, 18, n_apps)
    division = rng.choice(["13", "26", "34", "35", "38", "39"], n_apps)
    for app in range(n_apps):
        for spec in specs:
            sid += 1
            slots.append(Slot(sid, app + 1, spec.group))
            slot_class[sid] = (spec.group, str(division[app]))
    reviewers, table, eid, pref = [], {}, 0, []
    for g in groups:
        cap = int(np.ceil(seats[g] / counts[g] * 1.25)) + 2
        for _ in range(counts[g]):
            eid += 1
            reviewers.append(Reviewer(eid, frozenset({g}), cap))
            pref.append(int(rng.integers(0, 18)) if rng.random() < 0.7 else -1)
            for d in set(division.tolist()):
                table[(eid, (g, d))] = affinity_of({g}, set(), g, d)
    by_pref = {}
    for k, p in enumerate(pref):
        by_pref.setdefault(p, []).append(k + 1)
    conflicts = {(e, app + 1) for app in range(n_apps) for e in by_pref.get(int(app_pref[app]), [])}
    return slots, reviewers, conflicts, ClassAffinity(slot_class, table)


def simulated(sizes=((1000, 600), (5000, 3000)), pairs_up_to: int = 1000):
    """The simulation's shape solved as the application solves it: affinities by class, each
    slot pruned to its best 100 above a million pairs; up to ``pairs_up_to`` applications also
    as before (every (section, panel member) pair in a dictionary, the full network)."""
    for n_apps, n_experts in sizes:
        start = time.process_time()
        slots, reviewers, conflicts, classes = simulated_instance(n_apps, n_experts)
        built = time.process_time() - start
        k = Problem(slots, reviewers, conflicts, classes, []).max_candidates()
        start = time.process_time()
        sol = solve(slots, reviewers, conflicts=conflicts, affinity=classes, seed=1,
                    max_candidates=k)  # fmt: skip
        took = time.process_time() - start
        line = (f"simulated {n_apps:,} / {n_experts:,} ({len(slots):,} sections, "
                f"{len(conflicts):,} conflicts): by class, candidates {k or 'all'}: "
                f"{took:.2f} s CPU (instance {built:.2f} s), max load {sol.max_load}, "
                f"affinity {sol.total_affinity:.1f}")  # fmt: skip
        if n_apps <= pairs_up_to:
            start = time.process_time()
            pairs = classes.pairs(slots, reviewers)
            listed = time.process_time() - start
            start = time.process_time()
            old = solve(slots, reviewers, conflicts=conflicts, affinity=pairs, seed=1)
            line += (f"; as before ({len(pairs):,} pairs listed in {listed:.2f} s): "
                     f"{time.process_time() - start:.2f} s CPU, max load {old.max_load}, "
                     f"affinity {old.total_affinity:.1f}")  # fmt: skip
        print(line + f"; peak memory {peak_gb():.1f} GB", flush=True)


def run_instance(args) -> int:
    start = time.perf_counter()
    try:
        inst = plain.read_instance(args.instance)
    except plain.InstanceError as err:
        print(f"错误：{err}", file=sys.stderr)
        return 2
    read = time.perf_counter() - start
    start = time.perf_counter()
    result = plain.solve_plain(inst, seed=args.seed, balance=not args.no_balance)
    took = time.perf_counter() - start
    if result is None:
        print(json.dumps({"seconds": round(took, 3), "objective": None, "max_load": None,
                          "violations": None, "error": "infeasible"}))  # fmt: skip
        return 1
    paper, reviewer, max_load = result
    line = {
        "seconds": round(took, 3),
        "objective": plain.objective(inst, paper, reviewer),
        "max_load": max_load,
        "violations": plain.check(inst, paper, reviewer),
        "read_seconds": round(read, 3),
        "assignments": len(paper),
    }
    print(json.dumps(line, ensure_ascii=False))
    return 0


def write_instance(args) -> int:
    inst = plain.generate(args.papers, args.reviewers, candidates=args.candidates,
                          demand=args.demand, max_load=args.max_load,
                          conflict_rate=args.conflict_rate, seed=args.seed)  # fmt: skip
    with open(args.write_instance, "w", encoding="utf-8") as f:
        json.dump(inst.to_json(), f, separators=(",", ":"))
    print(f"wrote {args.write_instance}: {inst.papers} papers, {inst.reviewers} reviewers, "
          f"{len(inst.score)} pairs, {len(inst.conflict_paper)} conflicts")  # fmt: skip
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--part", choices=["side", "province", "randomised", "national", "simulated"]
    )
    parser.add_argument("--instance", help="a plain instance file to solve")
    parser.add_argument("--write-instance", help="write a random plain instance to this file")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--no-balance",
        action="store_true",
        help="maximise the score under max_load only (no lowest-load step)",
    )
    parser.add_argument("--papers", type=int, default=35_000)
    parser.add_argument("--reviewers", type=int, default=3_000)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--demand", type=int, default=3)
    parser.add_argument("--max-load", type=int, default=40)
    parser.add_argument("--conflict-rate", type=float, default=0.0)  # fmt: skip
    args = parser.parse_args(argv)
    if args.instance:
        return run_instance(args)
    if args.write_instance:
        return write_instance(args)
    parts = [args.part] if args.part else ["side", "province", "randomised", "national"]
    if "side" in parts:
        side_by_side()
    if "province" in parts:
        province()
    if "randomised" in parts:
        randomised()
    if "national" in parts:
        national_plain()
        national_application()
    if "simulated" in parts:
        simulated()
    return 0


if __name__ == "__main__":
    sys.exit(main())
