"""Timings of the 雷同检测 detector on generated text (a script, not a test).

For 200 and for 5,000 generated 卓越级 applications (12 sections of about 900 characters each),
with a few planted copies (across applications, edited: sentences reordered, figures changed,
traditional characters), ``review_app.similarity.detect.find_pairs`` is timed: candidates by
MinHash/LSH over the sentences, then the exact check. Targets: 200 under 10 s, 5,000 under
2 minutes on 2 cores. ``--words`` also runs the candidate stage on jieba word pairs instead of
character shingles, to compare their precision and recall on the same planted copies;
``--reword`` also replaces one object of the field in every copied sentence.
Generating the text is not timed.

Run from the project root:
``python bench/similarity_bench.py [--sizes 200 5000] [--words] [--reword]``.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_app.similarity.candidates import Doc  # noqa: E402
from review_app.similarity.detect import find_pairs  # noqa: E402
from review_app.similarity.textgen import plant, section_text  # noqa: E402

TARGETS = {200: 10.0, 5000: 120.0}
SECTIONS = 12
EDITS = (("reorder",), ("numbers",), ("traditional",), ("reorder", "numbers", "traditional"))
# --reword: every copied sentence also has one of its objects replaced (harder to find)
REWORDED = tuple((*e, "reword") for e in EDITS)


def corpus(n_apps: int, seed: int, edits=EDITS) -> tuple[list[Doc], set[tuple[int, int]]]:
    """Generated sections of ``n_apps`` applications, with planted copies between a few."""
    rng = random.Random(seed)
    docs = [Doc(section_text(rng, rng.randint(600, 1200)), app)
            for app in range(n_apps) for _ in range(SECTIONS)]  # fmt: skip
    planted = set()
    n_planted = max(8, n_apps // 25)
    for k in range(n_planted):
        a, b = rng.sample(range(n_apps), 2)
        section = rng.randrange(SECTIONS)
        i, j = a * SECTIONS + section, b * SECTIONS + section
        text = plant(docs[i].text, docs[j].text, rng, share=rng.uniform(0.3, 0.6),
                     edits=edits[k % len(edits)])  # fmt: skip
        docs[j] = Doc(text, b)
        planted.add((min(i, j), max(i, j)))
    return docs, planted


def run(n_apps: int, mode: str, seed: int, edits=EDITS) -> None:
    docs, planted = corpus(n_apps, seed, edits)
    chars = sum(len(d.text) for d in docs)
    started = time.perf_counter()
    found = {(f.a, f.b) for f in find_pairs(docs, mode=mode)}
    seconds = time.perf_counter() - started
    target = TARGETS.get(n_apps)
    verdict = ""
    if target is not None:
        verdict = f"（目标 <{target:g}s：{'达到' if seconds < target else '未达到'}）"
    label = mode + ("，改写" if edits is REWORDED else "")
    print(f"{n_apps} 份申报 × {SECTIONS} 章节（{chars / 1e6:.1f} 百万字），{label}: {seconds:.1f}s"
          f"{verdict}；植入 {len(planted)}，找到 {len(found & planted)}，"
          f"误报 {len(found - planted)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 5000])
    parser.add_argument("--words", action="store_true", help="也用 jieba 词对做候选（对比）")
    parser.add_argument("--reword", action="store_true", help="植入的文字每句再改一个词")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    edits = REWORDED if args.reword else EDITS
    for n in args.sizes:
        run(n, "chars", args.seed, edits)
        if args.words:
            run(n, "words", args.seed, edits)


if __name__ == "__main__":
    main()
