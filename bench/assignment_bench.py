"""Timings of the assignment solver on province-sized instances (a script, not a test).

Run from the project root: ``python bench/assignment_bench.py``.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_app.assignment.randomised import solve_randomised  # noqa: E402
from review_app.assignment.solver import solve  # noqa: E402
from tests.assignment.test_solver import province_instance  # noqa: E402

SIZES = [
    # (applications, 综合组 experts, experts per 环节 panel)
    (200, 50, 20),
    (400, 80, 30),
    (800, 120, 50),
]

for n_apps, n_general, n_link in SIZES:
    start = time.monotonic()
    slots, reviewers, conflicts, aff = province_instance(n_apps, n_general, n_link)
    built = time.monotonic() - start
    start = time.monotonic()
    sol = solve(slots, reviewers, conflicts=conflicts, affinity=aff, seed=0)
    took = time.monotonic() - start
    print(
        f"{n_apps} applications, {len(slots)} slots, {len(reviewers)} experts, "
        f"{len(conflicts)} conflicts: solved in {took:.2f}s (instance built in {built:.2f}s); "
        f"{len(sol.assignments)} assignments, max load {sol.max_load}, "
        f"total affinity {sol.total_affinity:.2f}"
    )

# -- randomised assignment (randomised.py): P[pair] <= q, expected vs optimal affinity ----------
for n_apps, n_general, n_link in SIZES:
    slots, reviewers, conflicts, aff = province_instance(n_apps, n_general, n_link)
    for q in (0.5, 0.34):
        start = time.monotonic()
        rsol = solve_randomised(slots, reviewers, conflicts=conflicts, affinity=aff, q=q, seed=0)
        took = time.monotonic() - start
        lost = 100 * (rsol.optimal_affinity - rsol.expected_affinity) / rsol.optimal_affinity
        print(
            f"{n_apps} applications, q={q}: randomised in {took:.2f}s (includes the deterministic "
            f"solve); expected affinity {rsol.expected_affinity:.2f} (sampled "
            f"{rsol.sampled_affinity:.2f}), optimal {rsol.optimal_affinity:.2f}, "
            f"{lost:.2f}% lost; max load bound {rsol.max_load_bound}"
        )
