"""Choosing applications for site inspection (实地抽查): a pure function over dataclasses.

No Flask, no database. The service layer builds one ``SampleCandidate`` per application of a
track, calls ``draw_sample`` and stores each ``Sampled`` with the seed, so the coordinator can
show why an application was chosen and anyone can redo the draw.

Rules, applied in this order:

1. Chosen by rule (every matching rule is recorded, in ``RULES`` order):
   ``near_cut`` – ranked within ``near_cut`` places of the cut line (ranks
   ``cut_line - near_cut + 1 .. cut_line + near_cut``); ``dispersion`` – at least one 复议 flag;
   ``figures`` – the format check questioned its figures.
2. Then, per prefecture, a random draw among the candidates no rule chose: ``k`` =
   the larger of ``random_per_prefecture`` and ``ceil(random_rate × remaining)``, at most all.

Reproducibility: candidates are ordered by ``anon_code`` (database ids differ between
installations), prefectures are visited in sorted order, and one ``random.Random`` seeded from
the sha256 of the recorded seed drives every draw. The same seed and the same candidates give
the same sample, whatever the input order or the ids.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from ..errors import InvalidInput

#: Why an application was chosen. ``manual`` is recorded by the service layer when the
#: coordinator adds an application by hand; ``draw_sample`` never produces it.
RULES = {
    "near_cut": "临近入库线",
    "dispersion": "评分分歧大",
    "figures": "申报数据存疑",
    "random": "分层随机抽取",
    "manual": "协调员指定",
}


@dataclass(frozen=True)
class SampleCandidate:
    """One application of the track, as the sampler sees it."""

    application_id: int
    #: Stable key used for ordering (ids differ between databases).
    anon_code: str
    prefecture: str
    #: Place in the track's provisional ranking by score (1 = best); ``None`` = no score yet.
    rank: int | None
    #: 复议 flags raised on its sections.
    dispersion_flags: int = 0
    #: Chinese messages of format-check warnings about its figures.
    figure_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SampleParams:
    """How to draw. Recorded with the sample so the draw can be repeated."""

    #: Any non-empty string; the same seed and the same candidates give the same sample.
    seed: str
    #: The track capacity (100 for 卓越级, 5 for 领航级).
    cut_line: int
    #: Ranks ``cut_line - near_cut + 1 .. cut_line + near_cut`` are chosen (0 = rule off).
    near_cut: int = 3
    #: Choose every candidate with ``dispersion_flags >= dispersion_min``.
    dispersion: bool = True
    #: Choose every candidate with ``figure_flags``.
    figures: bool = True
    #: Random draws per prefecture among those no rule chose (0 = off).
    random_per_prefecture: int = 1
    #: Alternatively a share (0..1) of each prefecture's remaining candidates, rounded up; the
    #: larger of the two counts applies.
    random_rate: float = 0.0
    #: How many sections must carry a 复议 flag for the dispersion rule (1 = any).
    dispersion_min: int = 1


@dataclass(frozen=True)
class Sampled:
    """One chosen application, with the rules that chose it and a Chinese explanation."""

    application_id: int
    anon_code: str
    #: Codes from ``RULES``, in ``RULES`` order, e.g. ``("near_cut", "dispersion")``.
    rules: tuple[str, ...]
    #: e.g. "排名第 98 位，距入库线（第 100 位）2 位（线内）；2 个章节评分分歧大".
    detail: str


def seed_for(text: str) -> int:
    """The integer seed for ``text``: sha256, so it is the same in every process.

    Python's ``hash()`` of a string is salted per process and must not be used here.
    """
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def draw_sample(candidates: Iterable[SampleCandidate], params: SampleParams) -> list[Sampled]:
    """The inspection sample of one track, sorted by ``anon_code``.

    Rule-chosen candidates come first (each listed once, with every rule that matches), then a
    stratified random draw per prefecture among the remaining candidates. Raises
    ``InvalidInput`` for bad parameters or duplicate candidates.
    """
    _check_params(params)
    pool = sorted(candidates, key=lambda c: c.anon_code)
    _check_candidates(pool)

    sampled: list[Sampled] = []
    remaining: dict[str, list[SampleCandidate]] = defaultdict(list)
    for cand in pool:
        matches = _rule_matches(cand, params)
        if matches:
            rules = tuple(code for code, _ in matches)
            detail = "；".join(text for _, text in matches)
            sampled.append(Sampled(cand.application_id, cand.anon_code, rules, detail))
        else:
            remaining[cand.prefecture].append(cand)

    # A recorded seed must reproduce the draw, so a seeded PRNG is required, not a CSPRNG.
    rng = random.Random(seed_for(params.seed))  # noqa: S311 - reproducible from recorded seed
    detail = f"{RULES['random']}（种子 {params.seed}）"
    for prefecture in sorted(remaining):
        group = remaining[prefecture]
        k = _random_count(len(group), params)
        if k == 0:
            continue
        for cand in rng.sample(group, k):
            sampled.append(Sampled(cand.application_id, cand.anon_code, ("random",), detail))

    return sorted(sampled, key=lambda s: s.anon_code)


def _check_params(params: SampleParams) -> None:
    if not isinstance(params.seed, str) or not params.seed.strip():
        raise InvalidInput("抽查种子不能为空。", "empty_seed")
    if params.cut_line < 0:
        raise InvalidInput(f"入库线不能为负数（收到 {params.cut_line}）。", "bad_cut_line")
    if params.near_cut < 0:
        raise InvalidInput(
            f"临近入库线的名次范围不能为负数（收到 {params.near_cut}）。", "bad_near_cut"
        )
    if params.random_per_prefecture < 0:
        raise InvalidInput(
            f"每个地市的随机抽取数不能为负数（收到 {params.random_per_prefecture}）。",
            "bad_random_per_prefecture",
        )
    # Written so that NaN is refused too.
    if not 0 <= params.random_rate <= 1:
        raise InvalidInput(
            f"随机抽取比例应在 0 到 1 之间（收到 {params.random_rate}）。", "bad_random_rate"
        )
    if params.dispersion_min < 1:
        raise InvalidInput("评分分歧规则的章节数至少为 1。", "bad_dispersion_min")


def _check_candidates(pool: list[SampleCandidate]) -> None:
    ids: set[int] = set()
    codes: set[str] = set()
    for cand in pool:
        if cand.application_id in ids:
            raise InvalidInput(
                f"申报 {cand.application_id} 在抽查名单中重复出现。", "duplicate_application"
            )
        if cand.anon_code in codes:
            # The anonymous code orders the draw; a duplicate would make it depend on input order.
            raise InvalidInput(f"匿名编号 {cand.anon_code} 重复。", "duplicate_anon_code")
        if cand.rank is not None and cand.rank < 1:
            raise InvalidInput(
                f"申报 {cand.anon_code} 的排名应从 1 开始（收到 {cand.rank}）。", "bad_rank"
            )
        if cand.dispersion_flags < 0:
            raise InvalidInput(
                f"申报 {cand.anon_code} 的复议标记数不能为负数。", "bad_dispersion_flags"
            )
        ids.add(cand.application_id)
        codes.add(cand.anon_code)


def _rule_matches(cand: SampleCandidate, params: SampleParams) -> list[tuple[str, str]]:
    """(rule code, Chinese detail) for every rule that chooses ``cand``, in ``RULES`` order."""
    matches: list[tuple[str, str]] = []
    if params.near_cut > 0 and cand.rank is not None:
        low = params.cut_line - params.near_cut + 1
        high = params.cut_line + params.near_cut
        if low <= cand.rank <= high:
            matches.append(("near_cut", _near_cut_detail(cand.rank, params.cut_line)))
    if params.dispersion and cand.dispersion_flags >= params.dispersion_min:
        matches.append(("dispersion", f"{cand.dispersion_flags} 个章节{RULES['dispersion']}"))
    if params.figures and cand.figure_flags:
        quoted = "、".join(f"“{m.rstrip('。')}”" for m in cand.figure_flags)
        matches.append(("figures", f"{RULES['figures']}：{quoted}"))
    return matches


def _near_cut_detail(rank: int, cut_line: int) -> str:
    line = f"入库线（第 {cut_line} 位）"
    if rank == cut_line:
        return f"排名第 {rank} 位，恰为{line}末位（线内）"
    if rank < cut_line:
        return f"排名第 {rank} 位，距{line}{cut_line - rank} 位（线内）"
    return f"排名第 {rank} 位，距{line}{rank - cut_line} 位（线外）"


def _random_count(remaining: int, params: SampleParams) -> int:
    """How many to draw from a prefecture with ``remaining`` candidates left.

    The rate is read as the decimal it was written as, so 0.07 × 100 is 7, not 8 (the binary
    float product is 7.000000000000001).
    """
    by_rate = math.ceil(Fraction(str(params.random_rate)) * remaining)
    return min(remaining, max(params.random_per_prefecture, by_rate))
