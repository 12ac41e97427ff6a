"""Timings of the conflict matrix (回避检测) at province and national scale (a script, not a test).

Generated experts (units named as ``review-app simulate`` names them, 70% in a Henan prefecture,
a third with a declared relation) and enterprises (12 sections of about 900 characters, one in
ten naming some expert's unit as its supplier) go through
``review_app.assignment.conflict_index.matrix``: the index narrows the pairs, ``detect`` decides.
For comparison ``detect`` on every pair is timed on a sample of experts and scaled up to all of
them (the previous implementation; running it in full at 3,000 × 5,000 takes hours). Generating
the data is not timed. The two results are compared on the sample.

Run from the project root: ``python bench/conflicts_bench.py [--sizes 200x150 5000x3000]``.
"""

import argparse
import random
import sys
import time
from dataclasses import astuple
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_app.assignment.conflict_index import matrix  # noqa: E402
from review_app.assignment.conflicts import (  # noqa: E402
    EnterpriseFacts,
    ExpertFacts,
    Relation,
    detect,
)
from review_app.intake.reference import prefectures  # noqa: E402
from review_app.similarity.textgen import section_text  # noqa: E402
from review_app.simulate import TRADES, UNIT_CITIES, UNITS, WORDS  # noqa: E402

YEAR = 2026
SAMPLE = 40  # experts timed pairwise


def world(n_apps: int, n_experts: int, seed: int):
    rng = random.Random(seed)
    places = list(prefectures())
    employers = [f"{rng.choice(UNIT_CITIES)}{rng.choice(WORDS)}{rng.choice(WORDS)}"
                 f"{rng.choice(UNITS)}" for _ in range(n_experts)]  # fmt: skip
    names = [f"河南{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}"
             f"有限公司" for _ in range(n_apps)]  # fmt: skip
    enterprises = []
    for k, name in enumerate(names):
        texts = [section_text(rng, rng.randint(600, 1200)) for _ in range(12)]
        if rng.random() < 0.1:
            texts[rng.randrange(12)] += f"项目由{rng.choice(employers)}提供技术支持。"
        enterprises.append(EnterpriseFacts(k + 1, name, f"9141{k:014d}", rng.choice(places),
                                           tuple(texts)))  # fmt: skip
    experts = []
    for k, employer in enumerate(employers):
        relations = ()
        if rng.random() < 0.33:
            relations = (Relation(None, rng.choice(names), "cooperation", 2022, None),)
        place = rng.choice(places) if rng.random() < 0.7 else None
        experts.append(ExpertFacts(k + 1, f"专家{k:04d}", employer, place, relations))
    return experts, enterprises


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["200x150", "5000x3000"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for size in args.sizes:
        n_apps, n_experts = (int(x) for x in size.split("x"))
        experts, enterprises = world(n_apps, n_experts, args.seed)
        started = time.perf_counter()
        found = matrix(experts, enterprises, year=YEAR)
        indexed = time.perf_counter() - started
        sample = experts[:SAMPLE]
        fresh = [EnterpriseFacts(*astuple(e)) for e in enterprises]  # texts not yet normalised
        started = time.perf_counter()
        pairwise = {}
        for x in sample:
            for e in fresh:
                if hits := detect(x, e, year=YEAR):
                    pairwise[(x.expert_id, e.enterprise_id)] = hits
        per_expert = (time.perf_counter() - started) / len(sample)
        same = {k: v for k, v in found.items() if k[0] <= SAMPLE} == pairwise
        rules: dict[str, int] = {}
        for hits in found.values():
            for f in hits:
                rules[f.rule] = rules.get(f.rule, 0) + 1
        print(f"{n_apps} applications x {n_experts} experts: indexed matrix {indexed:.2f} s; "
              f"every pair (scaled from {SAMPLE} experts) {per_expert * n_experts:.1f} s; "
              f"same findings on the sample: {same}; pairs with findings {len(found)}; "
              f"by rule {dict(sorted(rules.items()))}")  # fmt: skip


if __name__ == "__main__":
    main()
