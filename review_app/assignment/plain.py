"""Plain assignment instances: a file format to set the solver beside other matchers.

A plain instance is JSON::

    {"papers": 3, "reviewers": 4, "demand": 2, "max_load": 2,
     "affinity": [[0, 1, 0.9], [0, 2, 0.4], ...], "conflicts": [[0, 3], ...]}

Papers are numbered ``0 .. papers - 1`` and reviewers ``0 .. reviewers - 1``. Each paper is one
slot of its own application needing ``demand`` distinct reviewers; every reviewer sits in one
panel with capacity ``max_load``. A (paper, reviewer) pair absent from ``affinity`` is not a
candidate (a file may list only each paper's best candidates), and a pair in ``conflicts`` never
is. Scores are any finite numbers; the objective is their total over the assignment.

``solve_plain`` runs the solver's own network (``flow.Network``): the lowest maximum load first
(unless ``balance=False``), then the highest total score under it, exact at 1e-6 of a score.
``check`` counts the violations of an assignment with plain set arithmetic, independently of
the solver.
"""

import itertools
import json
import math

import numpy as np

from .flow import SCALE, Network, fill_bound

FIELDS = ("papers", "reviewers", "demand", "max_load", "affinity", "conflicts")


class InstanceError(ValueError):
    """A plain instance that cannot be read; the message names the field."""


class PlainInstance:
    def __init__(self, papers, reviewers, demand, max_load, pair_paper, pair_reviewer, score,
                 conflict_paper, conflict_reviewer):  # fmt: skip
        self.papers, self.reviewers = papers, reviewers
        self.demand, self.max_load = demand, max_load
        self.pair_paper, self.pair_reviewer, self.score = pair_paper, pair_reviewer, score
        self.conflict_paper, self.conflict_reviewer = conflict_paper, conflict_reviewer

    def to_json(self) -> dict:
        return {
            "papers": self.papers,
            "reviewers": self.reviewers,
            "demand": self.demand,
            "max_load": self.max_load,
            "affinity": [
                [p, r, s]
                for p, r, s in zip(
                    self.pair_paper.tolist(),
                    self.pair_reviewer.tolist(),
                    self.score.tolist(),
                    strict=True,
                )  # fmt: skip
            ],
            "conflicts": [
                [p, r]
                for p, r in zip(
                    self.conflict_paper.tolist(), self.conflict_reviewer.tolist(), strict=True
                )  # fmt: skip
            ],
        }


def _count(data, name: str, minimum: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InstanceError(f"字段“{name}”须为不小于{minimum}的整数，收到{value!r}")
    return value


def _rows(data, name: str, width: int, n: int, m: int):
    rows = data.get(name, [] if name == "conflicts" else None)
    if not isinstance(rows, list):
        raise InstanceError(f"字段“{name}”须为列表，收到{type(rows).__name__}")
    bad = next((i for i, row in enumerate(rows) if not isinstance(row, list) or len(row) != width),
               None)  # fmt: skip
    if bad is not None:
        raise InstanceError(f"字段“{name}”第{bad + 1}项须为{width}个元素的列表，收到{rows[bad]!r}")
    try:
        flat = np.fromiter(itertools.chain.from_iterable(rows), np.float64, count=width * len(rows))
    except (TypeError, ValueError) as err:
        raise InstanceError(f"字段“{name}”含非数字的元素") from err
    table = flat.reshape(len(rows), width)
    ids = table[:, :2]
    if not np.all(np.isfinite(table)) or np.any(ids != np.floor(ids)):
        raise InstanceError(f"字段“{name}”的编号须为整数、分数须为有限数")
    paper, reviewer = ids[:, 0].astype(np.int64), ids[:, 1].astype(np.int64)
    out = np.flatnonzero((paper < 0) | (paper >= n) | (reviewer < 0) | (reviewer >= m))
    if len(out):
        raise InstanceError(f"字段“{name}”第{out[0] + 1}项的编号超出范围：{rows[out[0]]!r}"
                            f"（论文0..{n - 1}，评审0..{m - 1}）")  # fmt: skip
    return paper, reviewer, table


def parse_instance(data) -> PlainInstance:
    """A ``PlainInstance`` from decoded JSON; raises ``InstanceError`` naming the bad field."""
    if not isinstance(data, dict):
        raise InstanceError("实例须为JSON对象")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InstanceError(f"未知字段：{'、'.join(unknown)}（可用字段：{'、'.join(FIELDS)}）")
    n, m = _count(data, "papers", 0), _count(data, "reviewers", 0)
    demand, max_load = _count(data, "demand", 0), _count(data, "max_load", 0)
    paper, reviewer, table = _rows(data, "affinity", 3, n, m)
    key = paper * max(1, m) + reviewer
    if len(np.unique(key)) != len(key):
        raise InstanceError("字段“affinity”含重复的（论文，评审）对")
    score = table[:, 2].copy()
    if len(score) and (score.max() - score.min()) * SCALE > 2**40:
        raise InstanceError("字段“affinity”的分数跨度过大（须不超过10^6）")
    c_paper, c_reviewer, _ = _rows(data, "conflicts", 2, n, m)
    return PlainInstance(n, m, demand, max_load, paper, reviewer, score, c_paper, c_reviewer)


def read_instance(path) -> PlainInstance:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as err:
        raise InstanceError(f"无法读取实例文件{path}：{err.strerror}") from err
    except json.JSONDecodeError as err:
        raise InstanceError(f"实例文件{path}不是有效的JSON：第{err.lineno}行：{err.msg}") from err
    return parse_instance(data)


def generate(papers: int, reviewers: int, *, candidates: int = 100, demand: int = 3,
             max_load: int = 40, conflict_rate: float = 0.05, seed: int = 0) -> PlainInstance:  # fmt: skip
    """A random plain instance: each paper lists ``candidates`` distinct reviewers with uniform
    scores (1e-6 resolution); ``conflict_rate`` of the listed pairs are conflicts too."""
    rng = np.random.default_rng(seed)
    k = min(candidates, reviewers)
    # k distinct reviewers per paper: the first k of a random key per (paper, reviewer) block.
    chosen = np.empty((papers, k), np.int64)
    for start in range(0, papers, 2000):
        block = rng.random((min(2000, papers - start), reviewers))
        chosen[start : start + len(block)] = np.argpartition(block, k - 1, axis=1)[:, :k]
    chosen.sort(axis=1)
    paper = np.repeat(np.arange(papers, dtype=np.int64), k)
    reviewer = chosen.ravel()
    score = np.round(rng.random(len(paper)), 6)
    conflict = rng.random(len(paper)) < conflict_rate
    return PlainInstance(papers, reviewers, demand, max_load, paper, reviewer, score,
                         paper[conflict], reviewer[conflict])  # fmt: skip


def solve_plain(inst: PlainInstance, *, seed: int | None = None, balance: bool = True):
    """(papers, reviewers) arrays of the assignment and its max load, or None when the
    candidates cannot staff every paper."""
    paper, reviewer, score = inst.pair_paper, inst.pair_reviewer, inst.score
    if len(inst.conflict_paper):
        m = max(1, inst.reviewers)
        ok = ~np.isin(paper * m + reviewer, inst.conflict_paper * m + inst.conflict_reviewer)
        paper, reviewer, score = paper[ok], reviewer[ok], score[ok]
    top = score.max() if len(score) else 0.0
    cost = np.rint((top - score) * SCALE).astype(np.int64)
    base = np.zeros(inst.reviewers, np.int64)
    spare = np.full(inst.reviewers, inst.max_load, np.int64)
    need = np.full(inst.papers, inst.demand, np.int64)
    net = Network(need, np.arange(inst.papers), base, spare, paper, reviewer, cost, seed=seed)
    high = inst.max_load
    lower = fill_bound(base, spare, int(need.sum()), 0) if balance else high
    result = net.solve(min(lower, high), high)
    if result is None:
        return None
    taken = net.candidate_flows(result[1]) > 0
    chosen_paper, chosen_reviewer = paper[taken], reviewer[taken]
    loads = np.bincount(chosen_reviewer, minlength=inst.reviewers)
    return chosen_paper, chosen_reviewer, int(loads.max()) if len(loads) else 0


def objective(inst: PlainInstance, paper: np.ndarray, reviewer: np.ndarray) -> float:
    """Total score of the assigned pairs (pairs without a score count 0)."""
    m = max(1, inst.reviewers)
    key = inst.pair_paper * m + inst.pair_reviewer
    order = np.argsort(key)
    want = paper * m + reviewer
    pos = np.minimum(np.searchsorted(key[order], want), max(0, len(key) - 1))
    hit = key[order][pos] == want if len(key) else np.zeros(len(want), bool)
    return round(math.fsum(inst.score[order][pos[hit]].tolist()), 6)


def check(inst: PlainInstance, paper, reviewer) -> dict[str, int]:
    """Violations of an assignment, counted from the instance alone (Python sets)."""
    pairs = list(zip(np.asarray(paper).tolist(), np.asarray(reviewer).tolist(), strict=True))
    listed = set(zip(inst.pair_paper.tolist(), inst.pair_reviewer.tolist(), strict=True))
    conflicts = set(zip(inst.conflict_paper.tolist(), inst.conflict_reviewer.tolist(),
                        strict=True))  # fmt: skip
    known = [(p, r) for p, r in pairs if 0 <= p < inst.papers and 0 <= r < inst.reviewers]
    distinct = set(known)
    per_paper = [0] * inst.papers
    per_reviewer = [0] * inst.reviewers
    for p, r in distinct:
        per_paper[p] += 1
        per_reviewer[r] += 1
    return {
        "unknown_ids": len(pairs) - len(known),
        "duplicate_pairs": len(known) - len(distinct),
        "not_candidates": sum(1 for pair in distinct if pair not in listed),
        "conflicts": sum(1 for pair in distinct if pair in conflicts),
        "missing_reviews": sum(max(0, inst.demand - c) for c in per_paper),
        "extra_reviews": sum(max(0, c - inst.demand) for c in per_paper),
        "over_max_load": sum(max(0, c - inst.max_load) for c in per_reviewer),
    }
