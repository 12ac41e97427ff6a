"""The decision engine (入库决定): rank one track's applications and admit up to capacity.

Pure functions over dataclasses: no Flask, no database. The service layer loads the candidates,
calls ``decide`` and stores the result as a staged ``DecisionRun``; ``compare`` shows who crosses
the cut line when a parameter changes. The rules (DESIGN.md section 7):

1. Only applications in state ``scored`` or ``spot_inspected`` are decidable; others are listed
   as ``not_decidable`` and block confirmation. A candidate without a base score (raw, or
   calibrated when calibration is on) is ``incomplete``. 不属实 vetoes when ``veto_untrue``.
2. Final score = base + honours bonus − inspection deduction, each rounded half up to 2 decimals.
   基本属实 (and 不属实 without veto, at the full cap) deducts points or a fraction of the base,
   capped by ``max_deduction`` (a points deduction never exceeds the base).
3. Rank by final score; equal scores are ordered by number of honours, then maturity level
   (higher first), then the prefecture's priority rank (lower first), then the anonymous code.
4. Walk in rank order: admit while fewer than ``capacity`` are admitted and the final score is
   at least ``min_score``.
5. A sampled application without a verdict (``pending``) is ranked but blocks confirmation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..errors import InvalidInput
from ..workflow.states import DECIDABLE_STATES

INSPECTION_VALUES = (None, "pending", "true", "mostly_true", "untrue")
HONOURS_MODES = ("tiebreak", "bonus")
DEDUCTION_MODES = ("points", "fraction")
CODE_ORDER = "编号顺序（同分且各项相同）"


@dataclass(frozen=True)
class Candidate:
    """One application as the engine sees it (scores already aggregated)."""

    application_id: int
    anon_code: str
    prefecture: str
    priority_rank: int | None
    raw_score: float | None
    calibrated_score: float | None
    honours: tuple[str, ...]
    maturity_level: int | None
    inspection: str | None
    deduction: float = 0.0
    state: str = "scored"
    section_scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DecisionParams:
    """The knobs of one decision run; stored with the run."""

    capacity: int
    min_score: float = 0.0
    use_calibration: bool = False
    honours_mode: str = "tiebreak"
    honours_bonus: float = 0.0
    deduction_mode: str = "points"
    max_deduction: float = 5.0
    veto_untrue: bool = True
    track_name: str = "卓越级培育"


@dataclass
class Entry:
    """One application's place in the result, with the numbers and a readable explanation."""

    application_id: int
    anon_code: str
    prefecture: str
    rank: int | None
    base_score: float | None
    bonus: float
    deduction: float
    final_score: float | None
    outcome: str
    reason: str
    tiebreak: str
    explanation: str
    numbers: dict


@dataclass
class Result:
    """A ranked track: entries in rank order, then the excluded ones by code."""

    entries: list[Entry]
    cut_rank: int | None
    cut_score: float | None
    admitted: int
    blocking: list[str]
    params: DecisionParams


@dataclass(frozen=True)
class Move:
    """An application whose outcome differs between two results."""

    application_id: int
    anon_code: str
    before_outcome: str
    before_rank: int | None
    before_score: float | None
    after_outcome: str
    after_rank: int | None
    after_score: float | None


def round2(value: float) -> float:
    """Round half up to 2 decimals as people do (84.345 → 84.35), not banker's rounding."""
    return float(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _finite(value) -> bool:
    """A usable number: int, float or Decimal (as read from a Numeric column), not NaN/inf."""
    return (
        isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


def validate_params(params: DecisionParams) -> None:
    """Raise ``InvalidInput`` (Chinese message) for parameters the engine cannot use."""
    if isinstance(params.capacity, bool) or not isinstance(params.capacity, int):
        raise InvalidInput(f"入库名额必须是整数（收到 {params.capacity!r}）。", "bad_capacity")
    if params.capacity < 0:
        raise InvalidInput(f"入库名额不能为负数（收到 {params.capacity}）。", "bad_capacity")
    if not _finite(params.min_score) or not 0 <= params.min_score <= 100:
        raise InvalidInput(
            f"最低分数线应在 0 到 100 之间（收到 {params.min_score!r}）。", "bad_min_score"
        )
    if params.honours_mode not in HONOURS_MODES:
        raise InvalidInput(
            f"未知的荣誉称号处理方式 {params.honours_mode!r}（应为 tiebreak 或 bonus）。",
            "bad_honours_mode",
        )
    if not _finite(params.honours_bonus) or not 0 <= params.honours_bonus <= 100:
        raise InvalidInput(
            f"荣誉加分应在 0 到 100 之间（收到 {params.honours_bonus!r}）。", "bad_honours_bonus"
        )
    if params.deduction_mode not in DEDUCTION_MODES:
        raise InvalidInput(
            f"未知的扣分方式 {params.deduction_mode!r}（应为 points 或 fraction）。",
            "bad_deduction_mode",
        )
    upper = 1 if params.deduction_mode == "fraction" else 100
    if not _finite(params.max_deduction) or not 0 <= params.max_deduction <= upper:
        unit = "按比例扣分时应在 0 到 1 之间" if upper == 1 else "按分值扣分时应在 0 到 100 之间"
        raise InvalidInput(
            f"扣分上限{unit}（收到 {params.max_deduction!r}）。", "bad_max_deduction"
        )


def _validate_candidates(candidates: list[Candidate]) -> None:
    ids: set[int] = set()
    codes: set[str] = set()
    for c in candidates:
        if c.application_id in ids:
            raise InvalidInput(f"申报 {c.application_id} 重复出现。", "duplicate_application")
        if c.anon_code in codes:
            raise InvalidInput(f"匿名编号 {c.anon_code} 重复出现。", "duplicate_code")
        ids.add(c.application_id)
        codes.add(c.anon_code)
        if c.inspection not in INSPECTION_VALUES:
            raise InvalidInput(
                f"{c.anon_code} 的实地抽查结论 {c.inspection!r} 无法识别。", "bad_inspection"
            )
        if not _finite(c.deduction) or c.deduction < 0:
            raise InvalidInput(
                f"{c.anon_code} 的扣分不能为负数（收到 {c.deduction!r}）。", "bad_deduction"
            )
        for label, score in (("评审得分", c.raw_score), ("校准得分", c.calibrated_score)):
            if score is not None and not _finite(score):
                raise InvalidInput(f"{c.anon_code} 的{label}无效（{score!r}）。", "bad_score")


# --------------------------------------------------------------------------------------------
# Scores and ordering
# --------------------------------------------------------------------------------------------


def _base(c: Candidate, params: DecisionParams) -> float | None:
    score = c.calibrated_score if params.use_calibration else c.raw_score
    return None if score is None else round2(score)


def _deduction(c: Candidate, base: float, params: DecisionParams) -> float:
    if c.inspection == "mostly_true":
        asked = min(float(c.deduction), float(params.max_deduction))
    elif c.inspection == "untrue" and not params.veto_untrue:
        asked = float(params.max_deduction)
    else:
        return 0.0
    if params.deduction_mode == "fraction":
        return round2(base * asked)
    return round2(min(asked, max(base, 0.0)))


def _honour_count(c: Candidate) -> int:
    return len(set(c.honours))


@dataclass
class _Row:
    """A candidate while it is being scored and ranked."""

    c: Candidate
    base: float | None
    bonus: float = 0.0
    deduction: float = 0.0
    final: float | None = None
    reason: str = ""
    rank: int | None = None


def _sort_key(row: _Row) -> tuple:
    c = row.c
    return (
        -round(row.final * 100),
        -_honour_count(c),
        c.maturity_level is None,
        -(c.maturity_level or 0),
        c.priority_rank is None,
        c.priority_rank or 0,
        c.anon_code,
    )


def _level(level: int | None) -> str:
    return "未提供" if level is None else f" {level} 级"


def _separation(front: Candidate, behind: Candidate) -> tuple[str, str]:
    """Why ``front`` precedes ``behind`` at equal final score: (front's view, behind's view)."""
    hf, hb = _honour_count(front), _honour_count(behind)
    if hf != hb:
        return f"荣誉称号 {hf} 项多于 {hb} 项", f"荣誉称号 {hb} 项少于 {hf} 项"
    mf, mb = front.maturity_level, behind.maturity_level
    if mf != mb:
        if mb is None:
            return (
                f"智能制造能力成熟度{_level(mf)}，对方未提供",
                f"智能制造能力成熟度未提供，对方为{_level(mf)}",
            )
        return (
            f"智能制造能力成熟度{_level(mf)}高于{_level(mb)}",
            f"智能制造能力成熟度{_level(mb)}低于{_level(mf)}",
        )
    pf, pb = front.priority_rank, behind.priority_rank
    if pf != pb:
        if pb is None:
            return f"地市推荐顺序第 {pf} 位，对方未提供", f"地市推荐顺序未提供，对方为第 {pf} 位"
        return f"地市推荐顺序第 {pf} 位先于第 {pb} 位", f"地市推荐顺序第 {pb} 位后于第 {pf} 位"
    same = f"荣誉称号、成熟度和推荐顺序均相同，按{CODE_ORDER}"
    return same, same


# --------------------------------------------------------------------------------------------
# decide
# --------------------------------------------------------------------------------------------


def decide(candidates: Iterable[Candidate], params: DecisionParams) -> Result:
    """Rank the candidates of one track and admit up to ``params.capacity``.

    The result does not depend on the order of ``candidates``. ``blocking`` lists why the run
    cannot be confirmed yet (pending inspections, undecidable applications); staging a run with
    blocking lines is allowed.
    """
    validate_params(params)
    pool = list(candidates)
    _validate_candidates(pool)

    ranked: list[_Row] = []
    excluded: list[_Row] = []
    for c in pool:
        row = _Row(c, _base(c, params))
        if c.state not in DECIDABLE_STATES:
            row.reason = "not_decidable"
        elif row.base is None:
            row.reason = "incomplete"
        elif c.inspection == "untrue" and params.veto_untrue:
            row.reason = "vetoed"
        else:
            if params.honours_mode == "bonus" and _honour_count(c) > 0:
                row.bonus = round2(params.honours_bonus)
            row.deduction = _deduction(c, row.base, params)
            row.final = round2(row.base + row.bonus - row.deduction)
            ranked.append(row)
            continue
        excluded.append(row)
    ranked.sort(key=_sort_key)
    excluded.sort(key=lambda row: row.c.anon_code)

    admitted = 0
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
        if row.final < params.min_score:
            row.reason = "below_min"
        elif admitted < params.capacity:
            row.reason = "admitted"
            admitted += 1
        else:
            row.reason = "below_cut"
    cut_rank = admitted or None
    cut_score = ranked[admitted - 1].final if admitted else None

    entries = []
    for i, row in enumerate(ranked):
        tiebreak = _tiebreak_text(ranked, i)
        text = _ranked_explanation(row, params, len(ranked), tiebreak, cut_rank, cut_score)
        entries.append(_entry(row, tiebreak, text))
    entries += [_entry(row, "", _excluded_explanation(row, params)) for row in excluded]
    return Result(entries, cut_rank, cut_score, admitted, _blocking(pool), params)


def _entry(row: _Row, tiebreak: str, explanation: str) -> Entry:
    c = row.c
    return Entry(
        application_id=c.application_id,
        anon_code=c.anon_code,
        prefecture=c.prefecture,
        rank=row.rank,
        base_score=row.base,
        bonus=row.bonus,
        deduction=row.deduction,
        final_score=row.final,
        outcome="admitted" if row.reason == "admitted" else "rejected",
        reason=row.reason,
        tiebreak=tiebreak,
        explanation=explanation,
        numbers={
            "raw": _float(c.raw_score),
            "calibrated": _float(c.calibrated_score),
            "base": row.base,
            "bonus": row.bonus,
            "deduction": row.deduction,
            "final": row.final,
            "honours": list(c.honours),
            "maturity_level": c.maturity_level,
            "priority_rank": c.priority_rank,
            "inspection": c.inspection,
            "section_scores": {str(k): _float(v) for k, v in c.section_scores.items()},
            "state": c.state,
        },
    )


def _blocking(pool: list[Candidate]) -> list[str]:
    lines = []
    for c in sorted(pool, key=lambda c: c.anon_code):
        if c.state not in DECIDABLE_STATES:
            lines.append(f"{c.anon_code} 的申报状态不是“评分完成”或“已实地抽查”，不能参与入库决定")
        if c.inspection == "pending":
            lines.append(f"{c.anon_code} 已被抽中实地核查，尚未记录结论")
    return lines


def _tiebreak_text(ranked: list[_Row], i: int) -> str:
    """How ``ranked[i]`` was placed against its neighbours with the same final score."""
    row = ranked[i]
    parts = []
    if i > 0 and ranked[i - 1].final == row.final:
        other = ranked[i - 1].c
        why = _separation(other, row.c)[1]
        parts.append(f"与 {other.anon_code} 同分（{row.final:.2f}），{why}，排在后面")
    if i + 1 < len(ranked) and ranked[i + 1].final == row.final:
        other = ranked[i + 1].c
        why = _separation(row.c, other)[0]
        parts.append(f"与 {other.anon_code} 同分（{row.final:.2f}），{why}，排在前面")
    return "；".join(parts)


# --------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------


def _score_phrase(row: _Row, params: DecisionParams) -> str:
    if not params.use_calibration:
        return f"评审得分 {row.base:.2f}"
    if row.c.raw_score is None:
        return f"评审得分 {row.base:.2f}（经评审尺度校准）"
    return f"评审得分 {row.base:.2f}（经评审尺度校准，校准前 {round2(row.c.raw_score):.2f}）"


def _inspection_phrase(row: _Row) -> str:
    verdict = row.c.inspection
    if verdict == "pending":
        return "已被抽中实地核查但尚未记录结论"
    if verdict == "true":
        return "实地抽查属实"
    if verdict == "mostly_true":
        if row.deduction:
            return f"实地抽查基本属实扣 {row.deduction:.2f} 分"
        return "实地抽查基本属实，未扣分"
    if verdict == "untrue":
        return f"实地抽查不属实（未实行一票否决）扣 {row.deduction:.2f} 分"
    return ""


def _ranked_explanation(
    row: _Row,
    params: DecisionParams,
    total: int,
    tiebreak: str,
    cut_rank: int | None,
    cut_score: float | None,
) -> str:
    parts = [_score_phrase(row, params)]
    if row.bonus:
        parts.append(f"荣誉加分 {row.bonus:.2f} 分")
    if inspection := _inspection_phrase(row):
        parts.append(inspection)
    parts.append(f"综合得分 {row.final:.2f}")
    parts.append(f"在{params.track_name} {total} 家有效申报中排第 {row.rank} 位")
    text = "，".join(parts) + (f"；{tiebreak}；" if tiebreak else "，")
    if row.reason == "admitted":
        return text + f"入库线为第 {cut_rank} 位（{cut_score:.2f} 分），予以入库。"
    if row.reason == "below_min":
        return text + f"低于最低分数线 {params.min_score:.2f} 分，未予入库。"
    if cut_rank is None:
        return text + f"本次入库名额为 {params.capacity} 家，未予入库。"
    if row.final < cut_score:
        return text + f"低于入库线（第 {cut_rank} 位，{cut_score:.2f} 分），未予入库。"
    return text + f"同分排在入库线（第 {cut_rank} 位，{cut_score:.2f} 分）之后，未予入库。"


def _excluded_explanation(row: _Row, params: DecisionParams) -> str:
    if row.reason == "not_decidable":
        return "申报状态不是“评分完成”或“已实地抽查”，暂不参与排名，未予入库。"
    if row.reason == "incomplete":
        if params.use_calibration:
            return "评分未完成（缺少经评审尺度校准的得分），不参与排名。"
        return "评分未完成，不参与排名。"
    return f"{_score_phrase(row, params)}，实地抽查结论为“不属实”，一票否决，未予入库。"


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------


def compare(before: Result, after: Result) -> list[Move]:
    """Applications whose outcome differs between two results (who crosses the cut line),
    ordered by after rank (None last) then anon_code.

    An application present in only one result counts as ``"absent"`` in the other and is
    listed only when it is admitted in the result that has it.
    """
    b = {e.application_id: e for e in before.entries}
    a = {e.application_id: e for e in after.entries}
    moves = []
    for app_id in b.keys() | a.keys():
        eb, ea = b.get(app_id), a.get(app_id)
        was = eb is not None and eb.outcome == "admitted"
        now = ea is not None and ea.outcome == "admitted"
        if was == now:
            continue
        moves.append(
            Move(
                app_id,
                (ea or eb).anon_code,
                eb.outcome if eb else "absent",
                eb.rank if eb else None,
                eb.final_score if eb else None,
                ea.outcome if ea else "absent",
                ea.rank if ea else None,
                ea.final_score if ea else None,
            )
        )
    moves.sort(key=lambda m: (m.after_rank is None, m.after_rank or 0, m.anon_code))
    return moves
