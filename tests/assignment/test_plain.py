"""Plain instances: the reader, the independent checker, the solver on them, the bench's
``--instance`` and ``--write-instance``."""

import importlib.util
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from review_app.assignment import plain

BENCH = Path(__file__).resolve().parents[2] / "bench" / "assignment_bench.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("assignment_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def small():
    return {
        "papers": 3,
        "reviewers": 4,
        "demand": 2,
        "max_load": 2,
        "affinity": [
            [0, 0, 0.9], [0, 1, 0.8], [0, 2, 0.1],
            [1, 0, 0.7], [1, 1, 0.6], [1, 3, 0.5],
            [2, 0, 0.95], [2, 2, 0.4], [2, 3, 0.3],
        ],
        "conflicts": [[2, 0]],
    }  # fmt: skip


def brute(data):
    """The best total score with every paper staffed and every load <= max_load."""
    options = []
    for p in range(data["papers"]):
        cands = [
            (r, s)
            for q, r, s in data["affinity"]
            if q == p and [p, r] not in data["conflicts"]
        ]  # fmt: skip
        options.append(list(itertools.combinations(cands, data["demand"])))
    best = None
    for choice in itertools.product(*options):
        loads = np.bincount([r for combo in choice for r, _ in combo], minlength=data["reviewers"])
        if loads.max() <= data["max_load"]:
            total = round(sum(s for combo in choice for _, s in combo), 6)
            best = total if best is None else max(best, total)
    return best


def test_parse_and_solve_a_small_instance_to_its_optimum():
    data = small()
    inst = plain.parse_instance(data)
    paper, reviewer, max_load = plain.solve_plain(inst, balance=False)
    assert plain.check(inst, paper, reviewer) == dict.fromkeys(
        ["unknown_ids", "duplicate_pairs", "not_candidates", "conflicts", "missing_reviews",
         "extra_reviews", "over_max_load"], 0
    )  # fmt: skip
    assert plain.objective(inst, paper, reviewer) == pytest.approx(brute(data), abs=1e-9)
    assert (2, 0) not in set(zip(paper.tolist(), reviewer.tolist(), strict=True))
    assert max_load <= 2


def test_balance_lowers_the_max_load_first():
    # Two papers, three reviewers, demand 1: reviewer 0 is best for both.
    data = {"papers": 2, "reviewers": 3, "demand": 1, "max_load": 2,
            "affinity": [[0, 0, 1.0], [1, 0, 1.0], [0, 1, 0.2], [1, 2, 0.1]]}  # fmt: skip
    inst = plain.parse_instance(data)
    p, r, load = plain.solve_plain(inst, balance=False)
    assert load == 2 and plain.objective(inst, p, r) == 2.0
    p, r, load = plain.solve_plain(inst)
    assert load == 1 and plain.objective(inst, p, r) == pytest.approx(1.2)


def test_checker_counts_each_kind_of_violation():
    inst = plain.parse_instance(small())
    paper = np.array([0, 0, 0, 1, 2, 2, 2, 5])
    reviewer = np.array([0, 0, 3, 1, 0, 2, 3, 0])
    # (0,0) twice; (0,3) not listed; (2,0) a conflict; paper 1 one short; paper 2 one extra;
    # reviewer 0 holds papers 0 and 2 (2, fine), reviewer 3 holds 0 and 2 (fine); (5,0) unknown.
    assert plain.check(inst, paper, reviewer) == {
        "unknown_ids": 1,
        "duplicate_pairs": 1,
        "not_candidates": 1,
        "conflicts": 1,
        "missing_reviews": 1,
        "extra_reviews": 1,
        "over_max_load": 0,
    }
    over = plain.check(inst, np.array([0, 1, 2]), np.array([0, 0, 0]))
    assert over["over_max_load"] == 1 and over["missing_reviews"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"papers": -1}, "papers"),
        ({"demand": "3"}, "demand"),
        ({"max_load": True}, "max_load"),
        ({"affinity": {"0": 1}}, "affinity"),
        ({"affinity": [[0, 1]]}, "affinity"),
        ({"affinity": [[0, 9, 0.5]]}, "affinity"),
        ({"affinity": [[0, 1, "high"]]}, "affinity"),
        ({"affinity": [[0, 1, 0.5], [0, 1, 0.4]]}, "affinity"),
        ({"affinity": [[0.5, 1, 0.5]]}, "affinity"),
        ({"conflicts": [[0, 1, 2]]}, "conflicts"),
        ({"bids": []}, "bids"),
    ],
)
def test_bad_fields_are_named(change, field):
    data = small() | change
    with pytest.raises(plain.InstanceError) as info:
        plain.parse_instance(data)
    assert field in str(info.value)


def test_missing_affinity_is_an_error_and_missing_conflicts_is_none():
    data = small()
    del data["conflicts"]
    assert len(plain.parse_instance(data).conflict_paper) == 0
    del data["affinity"]
    with pytest.raises(plain.InstanceError, match="affinity"):
        plain.parse_instance(data)


def test_bench_reads_a_file_and_prints_one_json_line(tmp_path, capsys):
    bench = load_bench()
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small()), encoding="utf-8")
    assert bench.main(["--instance", str(path), "--no-balance"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert {"seconds", "objective", "max_load", "violations"} <= set(line)
    assert line["objective"] == pytest.approx(brute(small()), abs=1e-9)
    assert sum(line["violations"].values()) == 0


@pytest.mark.parametrize(
    "content", ['{"papers": 3, "reviewers": 4, "demand": 2, "max_load": "x"}', "{not json"]
)
def test_bench_exits_2_on_a_bad_file(tmp_path, capsys, content):
    bench = load_bench()
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert bench.main(["--instance", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "错误" in captured.err
    assert bench.main(["--instance", str(tmp_path / "absent.json")]) == 2


def test_written_instance_reads_back_and_solves_clean(tmp_path, capsys):
    bench = load_bench()
    path = tmp_path / "gen.json"
    args = ["--write-instance", str(path), "--papers", "60", "--reviewers", "30",
            "--candidates", "12", "--demand", "3", "--max-load", "8", "--conflict-rate", "0.1",
            "--seed", "4"]  # fmt: skip
    assert bench.main(args) == 0
    inst = plain.read_instance(path)
    assert (inst.papers, inst.reviewers, len(inst.score)) == (60, 30, 720)
    assert len(inst.conflict_paper) > 0
    capsys.readouterr()
    assert bench.main(["--instance", str(path)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["max_load"] == 6  # 180 reviews over 30 reviewers
    assert sum(line["violations"].values()) == 0
