"""Timings of the decision engine and of the score aggregation on synthetic data (a script, not
a test).

1. ``review_app.decision.engine.decide`` on 200 and 5000 synthetic candidates (target: 5000
   under 5 s).
2. The aggregation as ``review_app.scoring.service.track_scores`` does it, on synthetic 卓越级
   applications × 11 scored sections × 3 reviewers: ``fit_leniency`` per panel (综合组 + the five
   重点环节 groups), ``aggregate_section`` per section with the panel's biases, then
   ``application_score`` raw and calibrated. ``fit_leniency`` solves the reviewers × reviewers
   normal equations (the section means eliminated), so its cost grows with the reviews, not
   with reviews × section instances as the dense design matrix it replaced did.
3. Optionally (``--db PATH``) ``review_app.decision.service.evaluate`` on a simulated database
   (``review-app simulate --applications 200 --experts 150 --out /tmp/x`` writes
   /tmp/x/simulation.sqlite3).

Run from the project root: ``python bench/decision_bench.py [--db /tmp/x/simulation.sqlite3]``.
"""

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_app.applications.catalogue import BY_KEY, scored_sections  # noqa: E402
from review_app.decision.engine import Candidate, DecisionParams, decide  # noqa: E402
from review_app.scoring.aggregate import (  # noqa: E402
    SectionReview,
    aggregate_section,
    application_score,
    fit_leniency,
)
from review_app.scoring.rubric import rubric_for  # noqa: E402

DECISION_TARGET = 5.0
PREFECTURES = ("郑州市", "洛阳市", "新乡市", "南阳市", "开封市", "许昌市", "焦作市", "安阳市",
               "平顶山市", "商丘市", "周口市", "驻马店市", "信阳市", "濮阳市", "鹤壁市", "漯河市",
               "三门峡市", "济源示范区", "航空港区")  # fmt: skip
HONOURS = ("国家级专精特新“小巨人”企业", "制造业单项冠军企业", "省级智能工厂", "国家级绿色工厂")
TASKS_PER_REVIEWER = 60  # synthetic panels: one reviewer per 60 section reviews


def candidates(n: int, rng: random.Random) -> list[Candidate]:
    out = []
    for i in range(n):
        raw = round(rng.gauss(75, 8), 2) if rng.random() > 0.01 else None
        inspection = rng.choice((None, None, None, "true", "mostly_true", "untrue", "pending"))
        out.append(
            Candidate(
                application_id=i + 1,
                anon_code=f"ZY-26-{i:05d}",
                prefecture=rng.choice(PREFECTURES),
                priority_rank=rng.randint(1, 30),
                # coarse scores so many candidates tie and the tie-break text is exercised
                raw_score=None if raw is None else round(raw * 2) / 2,
                calibrated_score=None if raw is None else round(raw + rng.uniform(-2, 2), 2),
                honours=tuple(rng.sample(HONOURS, k=rng.choice((0, 0, 1, 2)))),
                maturity_level=rng.choice((3, 3, 4, None)),
                inspection=inspection,
                deduction=rng.choice((0.0, 1.0, 2.5)) if inspection == "mostly_true" else 0.0,
                state="scored" if rng.random() > 0.02 else "assigned",
            )
        )
    return out


def bench_decide(n: int) -> float:
    pool = candidates(n, random.Random(n))
    params = DecisionParams(capacity=100, min_score=60.0, use_calibration=True,
                            honours_mode="tiebreak", max_deduction=5.0)  # fmt: skip
    start = time.perf_counter()
    result = decide(pool, params)
    took = time.perf_counter() - start
    verdict = "MET" if took < DECISION_TARGET else "MISSED"
    print(f"decide: {n:5d} candidates in {took:7.3f}s ({result.admitted} admitted, "
          f"cut at rank {result.cut_rank}); target < {DECISION_TARGET:.0f}s: {verdict}")  # fmt: skip
    return took


def synthetic_reviews(n_apps: int, rng: random.Random) -> dict[str, list[SectionReview]]:
    rubric = rubric_for("excellent")
    maxima = {s.key: s.max for s in rubric.sections}
    sections = [s.key for s in scored_sections("excellent")]
    by_group: dict[str, list[tuple[int, str]]] = {}
    for app_id in range(1, n_apps + 1):
        for key in sections:
            by_group.setdefault(BY_KEY[key].group, []).append((app_id, key))
    reviews: dict[str, list[SectionReview]] = {}
    next_reviewer = 1
    for group, instances in by_group.items():
        n_reviewers = max(6, math.ceil(len(instances) * 3 / TASKS_PER_REVIEWER))
        ids = list(range(next_reviewer, next_reviewer + n_reviewers))
        next_reviewer += n_reviewers
        bias = {r: rng.gauss(0, 4) for r in ids}
        out = []
        for app_id, key in instances:
            quality = rng.uniform(55, 95)
            for reviewer in rng.sample(ids, 3):
                pct = min(100.0, max(0.0, quality + bias[reviewer] + rng.gauss(0, 5)))
                total = round(pct * maxima[key] / 100, 1)
                out.append(SectionReview(reviewer, key, app_id, total, maxima[key]))
        reviews[group] = out
    return reviews


def bench_aggregate(n_apps: int) -> None:
    rubric = rubric_for("excellent")
    settings = rubric.aggregation
    weights = {s.key: s.weight for s in rubric.sections}
    maxima = {s.key: s.max for s in rubric.sections}
    by_group = synthetic_reviews(n_apps, random.Random(n_apps))
    n_reviews = sum(len(v) for v in by_group.values())

    start = time.perf_counter()
    biases: dict[str, dict[int, float]] = {}
    fit_lines = []
    for group, reviews in by_group.items():
        reviewers = {r.reviewer_id for r in reviews}
        t = time.perf_counter()
        biases[group] = fit_leniency(reviews, min_reviews=settings.calibration_min_reviews)
        fit_lines.append(f"{group} {time.perf_counter() - t:.2f}s ({len(reviewers)} reviewers)")
    fitted = time.perf_counter() - start

    start = time.perf_counter()
    per_section: dict[tuple[int, str], list[SectionReview]] = {}
    for reviews in by_group.values():
        for r in reviews:
            per_section.setdefault((r.application_id, r.section_key), []).append(r)
    aggregates: dict[int, dict] = {}
    for (app_id, key), reviews in per_section.items():
        group_biases = biases.get(BY_KEY[key].group)
        aggregates.setdefault(app_id, {})[key] = aggregate_section(
            reviews, trim_when_at_least=settings.trim_when_at_least,
            dispersion_range=settings.dispersion_range,
            dispersion_deviation=settings.dispersion_deviation,
            biases=group_biases if group_biases is not None else {},
        )  # fmt: skip
    aggregated = time.perf_counter() - start

    start = time.perf_counter()
    scores = {
        app_id: (
            application_score(aggs, weights, maxima, application_id=app_id),
            application_score(aggs, weights, maxima, application_id=app_id, calibrated=True),
        )
        for app_id, aggs in aggregates.items()
    }
    scored = time.perf_counter() - start
    print(f"aggregate: {n_apps} applications x 11 sections x 3 reviewers = {n_reviews} reviews: "
          f"fit_leniency {fitted:.2f}s, aggregate_section {aggregated:.2f}s "
          f"({len(per_section)} sections), application_score {scored:.2f}s "
          f"({len(scores)} applications x raw+calibrated); total "
          f"{fitted + aggregated + scored:.2f}s")  # fmt: skip
    print("  fit_leniency per panel: " + "; ".join(fit_lines))


def fit_scaling() -> None:
    """``fit_leniency`` on the 综合组 panel alone at growing sizes, to extrapolate."""
    settings = rubric_for("excellent").aggregation
    points = []
    for n_apps in (50, 100, 200, 400):
        reviews = synthetic_reviews(n_apps, random.Random(n_apps))["general"]
        reviewers = len({r.reviewer_id for r in reviews})
        start = time.perf_counter()
        fit_leniency(reviews, min_reviews=settings.calibration_min_reviews)
        took = time.perf_counter() - start
        points.append((n_apps, took))
        print(
            f"fit_leniency, 综合组 panel of {n_apps} applications: {len(reviews)} reviews, "
            f"{reviewers} reviewers: {took:.3f}s"
        )
    (n1, t1), (n2, t2) = points[1], points[-1]
    k = math.log(max(t2, 1e-6) / max(t1, 1e-6)) / math.log(n2 / n1)
    print(f"  grows as n^{k:.1f} between {n1} and {n2} applications")


def bench_evaluate(path: str) -> None:
    # The simulation ends with every application decided (admitted / rejected), which gather
    # leaves out: work on a copy with them put back to 已评分 so that decide sees them all.
    import shutil
    import sqlite3
    import tempfile

    from review_app import create_app
    from review_app.decision import service
    from review_app.programs.service import current_program

    copy = Path(tempfile.mkdtemp(prefix="decision_bench_")) / "simulation.sqlite3"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as conn:
        reset = conn.execute(
            "UPDATE application SET state = 'scored' WHERE state IN ('admitted', 'rejected')"
        ).rowcount
    print(f"{path}: copied, {reset} decided applications put back to 'scored'")
    path = str(copy)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x"},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"},
    )
    with app.app_context():
        program = current_program()
        for track in ("excellent", "leading"):
            params = service.default_params(program, track)
            start = time.perf_counter()
            candidates_, _ = service.gather(program, track)
            gathered = time.perf_counter() - start
            start = time.perf_counter()
            result = service.evaluate(program, track, params)
            took = time.perf_counter() - start
            print(f"decision.service.evaluate({track}): {took:.3f}s "
                  f"({len(result.entries)} entries; gather alone {gathered:.3f}s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a simulated SQLite database for decision.service.evaluate")
    parser.add_argument("--sizes", default="200,5000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    decide(candidates(50, random.Random(0)), DecisionParams(capacity=10))  # warm-up
    for n in sizes:
        bench_decide(n)
    for n in sizes:
        bench_aggregate(n)
    fit_scaling()
    if args.db:
        bench_evaluate(args.db)


if __name__ == "__main__":
    main()
