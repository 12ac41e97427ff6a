"""Aggregation of review scores (评分汇总): pure functions over dataclasses.

No Flask, no database. The service layer loads reviews, calls these functions and stores or shows
the results. The rules, each documented on the function that applies it:

1. A review's section total is the sum of its criterion points. Criteria marked not applicable
   (不适用) are left out and the total is rescaled to the section maximum
   (``review_total``).
2. Per section and application, the reviewers' totals are combined by a trimmed mean (drop one
   highest and one lowest) when there are at least ``trim_when_at_least`` reviews, else by the
   plain mean (``aggregate_section``).
3. A section is flagged for reconsideration (复议) when the spread of its totals on the 0–100 scale
   exceeds a threshold, by range or by one reviewer's deviation from the others
   (``aggregate_section``).
4. Optionally, reviewer leniency is estimated as an additive bias by least squares within a panel
   and subtracted (``fit_leniency``, ``calibrate``); raw and calibrated figures are kept side by
   side.
5. The application score is the weighted sum of the section fractions on a 100-point scale
   (``application_score``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InvalidInput

#: Differences within this tolerance of a threshold count as "at the threshold" (not flagged), so
#: that float noise such as 73.00000000000001 does not flip a flag.
EPS = 1e-9


# --------------------------------------------------------------------------------------------
# 1. One review's section total
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionScore:
    """Points one reviewer gave for one criterion (评分细则条目).

    ``points`` is ``None`` only when ``not_applicable`` is set (不适用); otherwise it must lie
    in ``[0, max]``.
    """

    code: str
    points: float | None
    max: float
    not_applicable: bool = False


def review_total(scores: list[CriterionScore], section_max: float) -> float | None:
    """A review's section total, with not-applicable criteria rescaled away.

    Rules:

    - Applicable criteria are summed; a criterion marked not applicable is left out of both the
      points and the maxima, never counted as 0.
    - The total is rescaled to the section maximum:
      ``total = sum(applicable points) * section_max / sum(applicable maxima)``.
      With no criterion marked not applicable and maxima adding up to ``section_max``, this is
      the plain sum.
    - When every criterion is not applicable (or there are none) there is no score: the result
      is ``None``. Callers that need a number use ``require_review_total``, which raises.
    - An applicable criterion without points, points outside ``[0, max]``, a criterion maximum
      that is not positive, or a ``section_max`` that is not positive raise ``InvalidInput``.
      Points on a not-applicable criterion are ignored.
    """
    if not section_max > 0:
        raise InvalidInput(f"板块满分必须大于 0（收到 {section_max}）。", "bad_section_max")
    points_sum = 0.0
    max_sum = 0.0
    for score in scores:
        if not score.max > 0:
            raise InvalidInput(
                f"评分项 {score.code} 的满分必须大于 0（收到 {score.max}）。", "bad_criterion_max"
            )
        if score.not_applicable:
            continue
        if score.points is None:
            raise InvalidInput(f"评分项 {score.code} 尚未打分。", "criterion_unscored")
        if not 0 <= score.points <= score.max:
            raise InvalidInput(
                f"评分项 {score.code} 的得分 {score.points} 超出 0–{score.max} 的范围。",
                "criterion_out_of_range",
            )
        points_sum += score.points
        max_sum += score.max
    if max_sum == 0:
        return None
    return points_sum * section_max / max_sum


def require_review_total(scores: list[CriterionScore], section_max: float) -> float:
    """``review_total``, raising ``InvalidInput`` (code ``all_not_applicable``) when it is None."""
    total = review_total(scores, section_max)
    if total is None:
        raise InvalidInput("该板块所有评分项均标记为不适用，无法计算得分。", "all_not_applicable")
    return total


# --------------------------------------------------------------------------------------------
# 2–3. Combining reviewers for one section of one application
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionReview:
    """One reviewer's total for one section of one application, on the section's own scale."""

    reviewer_id: int
    section_key: str
    application_id: int
    total: float
    section_max: float

    @property
    def percent(self) -> float:
        """The total on the 0–100 scale: ``total / section_max * 100``."""
        return self.total / self.section_max * 100.0


@dataclass
class SectionAggregate:
    """The combined score of one section of one application.

    ``raw_mean`` and ``calibrated_mean`` are on the section's own scale; ``stdev`` and ``range``
    are on the 0–100 scale, like the dispersion thresholds. ``reasons`` (Chinese) explain a flag
    for 复议; ``outliers`` are the reviewer ids that deviate from the others.
    """

    application_id: int
    section_key: str
    n: int
    raw_mean: float
    trimmed: bool
    stdev: float
    range: float
    flagged: bool
    reasons: list[str] = field(default_factory=list)
    outliers: list[int] = field(default_factory=list)
    calibrated_mean: float | None = None


def _combine(values: list[float], trim_when_at_least: int) -> tuple[float, bool]:
    """Trimmed mean (one highest and one lowest dropped) from ``trim_when_at_least`` values on,
    else the plain mean. Trimming needs at least 3 values whatever the setting."""
    if len(values) >= max(trim_when_at_least, 3):
        kept = sorted(values)[1:-1]
        return sum(kept) / len(kept), True
    return sum(values) / len(values), False


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def aggregate_section(
    reviews: list[SectionReview],
    *,
    trim_when_at_least: int = 5,
    dispersion_range: float = 20.0,
    dispersion_deviation: float = 15.0,
    biases: dict[int, float] | None = None,
) -> SectionAggregate:
    """Combine the reviewers' totals for one section of one application.

    Rules:

    - All reviews must be for the same application and section, with the same ``section_max``,
      and at most one per reviewer; there must be at least one. Otherwise ``InvalidInput``.
    - Mean: with ``n >= trim_when_at_least`` reviews (and at least 3), the single highest and
      the single lowest total are dropped and the rest averaged (``trimmed=True``); otherwise
      the plain mean of all totals. ``raw_mean`` is on the section scale.
    - Dispersion is judged on the 0–100 scale (``total / section_max * 100``) over all raw
      totals (trimmed or not, and never the calibrated ones):

      * ``range = max − min``; ``stdev`` is the population standard deviation.
      * flagged when ``range > dispersion_range``;
      * flagged when some reviewer deviates from the mean of the *other* reviewers by more than
        ``dispersion_deviation``; those reviewers are listed in ``outliers`` (sorted by id).
        Needs at least 2 reviews; with exactly 2, both deviate by the range.
      * a value exactly at a threshold (within ``EPS``) is not flagged.

      Each cause adds a Chinese sentence to ``reasons``.
    - When ``biases`` (reviewer id → bias on the 0–100 scale, from ``fit_leniency``) is given,
      ``calibrated_mean`` is the same mean rule applied to ``calibrate(reviews, biases)``;
      otherwise it is ``None``.
    """
    if not reviews:
        raise InvalidInput("该板块没有评分，无法汇总。", "no_reviews")
    first = reviews[0]
    seen: set[int] = set()
    for r in reviews:
        if (r.application_id, r.section_key) != (first.application_id, first.section_key):
            raise InvalidInput("汇总的评分必须属于同一申报和同一板块。", "mixed_sections")
        if r.section_max != first.section_max or not r.section_max > 0:
            raise InvalidInput("同一板块的评分满分必须一致且大于 0。", "bad_section_max")
        if r.reviewer_id in seen:
            raise InvalidInput(
                f"评审专家 {r.reviewer_id} 对同一板块有多份评分。", "duplicate_review"
            )
        seen.add(r.reviewer_id)

    raw_mean, trimmed = _combine([r.total for r in reviews], trim_when_at_least)

    pct = [r.percent for r in reviews]
    n = len(pct)
    mean_pct = sum(pct) / n
    stdev = math.sqrt(sum((p - mean_pct) ** 2 for p in pct) / n)
    spread = max(pct) - min(pct)

    reasons: list[str] = []
    if spread > dispersion_range + EPS:
        reasons.append(
            f"评分极差 {_fmt(spread)} 分（百分制）超过阈值 {_fmt(dispersion_range)} 分，需复议。"
        )
    outliers: list[int] = []
    if n >= 2:
        total_pct = sum(pct)
        deviations = []
        for r, p in zip(reviews, pct, strict=True):
            others_mean = (total_pct - p) / (n - 1)
            deviation = abs(p - others_mean)
            if deviation > dispersion_deviation + EPS:
                deviations.append((r.reviewer_id, deviation))
        for reviewer_id, deviation in sorted(deviations):
            outliers.append(reviewer_id)
            reasons.append(
                f"评审专家 {reviewer_id} 的评分与其他专家均值相差 {_fmt(deviation)} 分（百分制），"
                f"超过阈值 {_fmt(dispersion_deviation)} 分，需复议。"
            )

    calibrated_mean = None
    if biases is not None:
        calibrated_mean, _ = _combine(
            [r.total for r in calibrate(reviews, biases)], trim_when_at_least
        )

    return SectionAggregate(
        application_id=first.application_id,
        section_key=first.section_key,
        n=n,
        raw_mean=raw_mean,
        trimmed=trimmed,
        stdev=stdev,
        range=spread,
        flagged=bool(reasons),
        reasons=reasons,
        outliers=outliers,
        calibrated_mean=calibrated_mean,
    )


# --------------------------------------------------------------------------------------------
# 4. Leniency calibration
# --------------------------------------------------------------------------------------------


def _components(edges: Iterable[tuple[int, tuple[int, str]]]) -> list[set[int]]:
    """Reviewer groups connected through shared section instances (union-find)."""
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for reviewer, instance in edges:
        parent[find(("r", reviewer))] = find(("i", instance))
    groups: dict[object, set[int]] = {}
    for node in list(parent):
        if isinstance(node, tuple) and node[0] == "r":
            groups.setdefault(find(node), set()).add(node[1])
    return list(groups.values())


def fit_leniency(reviews: list[SectionReview], *, min_reviews: int = 3) -> dict[int, float]:
    """Additive leniency bias per reviewer (宽严度校准), on the 0–100 scale.

    Rules:

    - ``reviews`` are all the scores of one panel. A section instance is one
      ``(application_id, section_key)``; each reviewer scores it at most once (else
      ``InvalidInput``).
    - Model: ``percent[r, s] = mu_s + b_r + error``, fitted by ordinary least squares over every
      (reviewer, section instance) score, with ``sum(b_r) = 0`` to make it identifiable.
    - Reviewers with fewer than ``min_reviews`` scores get ``b = 0`` and their scores are left
      out of the fit (so they do not pull on the others either).
    - If the remaining reviewers fall into groups that share no section instance, biases are not
      comparable across groups: each group is fitted with its own ``sum(b_r) = 0``. A reviewer
      alone in a group therefore gets 0.
    - Every reviewer in ``reviews`` appears in the result.
    """
    counts: dict[int, int] = {}
    pairs: set[tuple[int, tuple[int, str]]] = set()
    for r in reviews:
        key = (r.reviewer_id, (r.application_id, r.section_key))
        if key in pairs:
            raise InvalidInput(
                f"评审专家 {r.reviewer_id} 对同一板块有多份评分。", "duplicate_review"
            )
        pairs.add(key)
        counts[r.reviewer_id] = counts.get(r.reviewer_id, 0) + 1

    biases = {reviewer: 0.0 for reviewer in counts}
    used = [r for r in reviews if counts[r.reviewer_id] >= min_reviews]
    for group in _components((r.reviewer_id, (r.application_id, r.section_key)) for r in used):
        if len(group) < 2:
            continue
        reviewers = sorted(group)
        index = {rid: i for i, rid in enumerate(reviewers)}
        by_instance: dict[tuple[int, str], list[tuple[int, float]]] = {}
        for r in used:
            if r.reviewer_id in index:
                by_instance.setdefault((r.application_id, r.section_key), []).append(
                    (index[r.reviewer_id], r.percent)
                )
        biases.update(zip(reviewers, _solve_biases(len(reviewers), by_instance), strict=True))
    return biases


def _solve_biases(n: int, by_instance: dict) -> list[float]:
    """Least squares for ``percent = mu_s + b_r`` with ``sum(b) = 0`` in one connected group.

    Eliminating each instance's ``mu_s`` (the mean of its scores less the biases) leaves the
    normal equations ``M b = c`` over the reviewers only, where every instance adds its centring
    matrix ``I − J/n_s`` on its reviewers and ``c_r`` sums the reviewer's deviations from the
    instance means. ``M`` has the constant vector as its only null direction in a connected
    group, so ``(M + J) b = c`` gives the solution with ``sum(b) = 0``. The system is reviewers ×
    reviewers however many applications there are (the dense design matrix it replaces grew
    with reviews × instances).
    """
    m = np.zeros((n, n))
    c = np.zeros(n)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for members in by_instance.values():
        k = len(members)
        mean = sum(y for _, y in members) / k
        for ri, y in members:
            c[ri] += y - mean
            for rj, _ in members:
                rows.append(ri)
                cols.append(rj)
                vals.append((1.0 if ri == rj else 0.0) - 1.0 / k)
    np.add.at(m, (rows, cols), vals)
    return [float(b) for b in np.linalg.solve(m + np.ones((n, n)), c)]


def calibrate(reviews: list[SectionReview], biases: dict[int, float]) -> list[SectionReview]:
    """The reviews with each reviewer's bias removed.

    ``calibrated total = total − b_r × section_max / 100`` (the bias is on the 0–100 scale). A
    reviewer missing from ``biases`` counts as 0. Results are not clipped to ``[0, section_max]``
    so that calibration stays a pure shift. The input reviews are not modified.
    """
    return [
        replace(r, total=r.total - biases.get(r.reviewer_id, 0.0) * r.section_max / 100.0)
        for r in reviews
    ]


# --------------------------------------------------------------------------------------------
# 5. Application score
# --------------------------------------------------------------------------------------------


@dataclass
class ApplicationScore:
    """An application's score on the 100-point scale, or ``None`` with the reason.

    ``missing`` names the sections without a usable aggregate; ``flagged`` names sections still
    flagged for 复议 (the score is computed regardless; the workflow decides what a flag blocks).
    """

    application_id: int
    score: float | None
    sections: dict[str, SectionAggregate]
    missing: list[str] = field(default_factory=list)
    reason: str | None = None
    flagged: list[str] = field(default_factory=list)


def application_score(
    aggregates: dict[str, SectionAggregate],
    weights: dict[str, float],
    section_max: dict[str, float],
    *,
    calibrated: bool = False,
    application_id: int | None = None,
) -> ApplicationScore:
    """Weighted application score on a 100-point scale.

    Rules:

    - The sections that count are the keys of ``weights``. Weights are non-negative with a
      positive sum; every weighted section needs a positive ``section_max``. An aggregate for a
      section without a weight, or aggregates of different applications, raise ``InvalidInput``.
    - ``score = 100 × Σ_s weight_s × (mean_s / section_max_s) / Σ_s weight_s``, where ``mean_s``
      is ``raw_mean`` or, with ``calibrated=True``, ``calibrated_mean``. When the weights add up
      to 100 this is exactly ``Σ weight × fraction``; weights that add up to 1 give the same
      result.
    - If any weighted section has no aggregate (or no calibrated mean when one is asked for),
      ``score`` is ``None``, ``missing`` lists those section keys in ``weights`` order and
      ``reason`` names them in Chinese. No partial score is produced.
    - ``application_id`` is taken from the aggregates; pass it when there may be none.
    """
    ids = {agg.application_id for agg in aggregates.values()}
    if application_id is not None:
        ids.add(application_id)
    if len(ids) != 1:
        raise InvalidInput("无法确定申报：板块汇总须属于同一申报。", "mixed_applications")
    (app_id,) = ids
    unknown = sorted(set(aggregates) - set(weights))
    if unknown:
        raise InvalidInput(f"板块 {'、'.join(unknown)} 没有权重。", "unweighted_section")
    if any(w < 0 for w in weights.values()) or not sum(weights.values()) > 0:
        raise InvalidInput("板块权重必须非负且总和大于 0。", "bad_weights")
    for key in weights:
        if not section_max.get(key, 0) > 0:
            raise InvalidInput(f"板块 {key} 的满分缺失或不大于 0。", "bad_section_max")

    missing: list[str] = []
    weighted = 0.0
    for key, weight in weights.items():
        agg = aggregates.get(key)
        mean = None if agg is None else (agg.calibrated_mean if calibrated else agg.raw_mean)
        if mean is None:
            missing.append(key)
            continue
        weighted += weight * mean / section_max[key]

    flagged = [key for key, agg in aggregates.items() if agg.flagged]
    if missing:
        kind = "校准后得分" if calibrated else "汇总得分"
        return ApplicationScore(
            application_id=app_id,
            score=None,
            sections=dict(aggregates),
            missing=missing,
            reason=f"板块 {'、'.join(missing)} 缺少{kind}，无法计算总分。",
            flagged=flagged,
        )
    return ApplicationScore(
        application_id=app_id,
        score=100.0 * weighted / sum(weights.values()),
        sections=dict(aggregates),
        flagged=flagged,
    )
