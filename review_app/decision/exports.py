"""Decision exports: 入库名单, 评审排名, 评审决定报告, one prefecture's results and the 评审结果
通知 to it, as pure functions from plain rows to the bytes of an .xlsx or .docx (no Flask, no
session). The look (titles, headers, borders, fonts, print setup) is in ``office.py``.

An unconfirmed (staged) run is marked （草稿，未经确认） in every export made from it. A row with
no rank counts as 否决 in the per-prefecture counts: vetoed and incomplete applications are both
left out of the ranking, and a row does not say which.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from . import office
from .office import DRAFT, Column


@dataclass(frozen=True)
class ResultRow:
    """One application's result in a decision run, flattened for export."""

    track: str  # "excellent" | "leading"
    track_name: str  # "卓越级培育" | "领航级培育"
    rank: int | None  # place in the track ranking; None = not ranked (vetoed/incomplete)
    anon_code: str
    enterprise: str
    uscc: str
    prefecture: str
    prefecture_order: int  # order of the prefecture in 附件3 (sort key)
    priority_rank: int | None  # the prefecture's recommendation order
    raw_score: float | None
    calibrated_score: float | None
    final_score: float | None
    section_scores: dict[str, float]  # section key -> section mean score (10-point scale)
    honours: str
    maturity_level: int | None
    inspection: str  # "未抽查" / "待核查" / "属实" / "基本属实" / "不属实"
    deduction: float
    outcome: str  # "admitted" | "rejected"
    explanation: str


@dataclass(frozen=True)
class RunSummary:
    """The parameters and counts of one decision run; ``confirmed_at`` None = staged (draft)."""

    program_name: str
    track: str
    track_name: str
    capacity: int
    min_score: float
    use_calibration: bool
    honours_mode: str  # "tiebreak" | "bonus"
    candidates: int
    admitted: int
    vetoed: int
    inspected: int
    cut_rank: int | None
    cut_score: float | None
    confirmed_by: str | None
    confirmed_at: str | None
    run_id: int


ISSUER = "河南省工业和信息化厅"
TRACK_ORDER = ("excellent", "leading")
OUTCOMES = {"admitted": "入库", "rejected": "未入库"}
HONOURS_MODES = {"tiebreak": "同分时作为排序依据", "bonus": "计入加分"}
NOT_INSPECTED = "未抽查"
CN_NUMBERS = "一二三四五六七八九十"

ADMISSION_COLUMNS: tuple[Column, ...] = (
    ("序号", 6, "int"), ("地市", 12, "centre"), ("企业名称", 36, "text"),
    ("统一社会信用代码", 22, "centre"), ("综合得分", 10, "score"), ("全省排名", 10, "int"),
)  # fmt: skip
PREFECTURE_COLUMNS: tuple[Column, ...] = (
    ("地市", 12, "centre"), ("推荐数", 8, "int"), ("入库数", 8, "int"), ("抽查数", 8, "int"),
    ("否决数", 8, "int"),
)  # fmt: skip
RESULT_COLUMNS: tuple[Column, ...] = (
    ("赛道", 14, "centre"), ("推荐顺序", 8, "int"), ("企业名称", 30, "text"),
    ("统一社会信用代码", 22, "centre"), ("综合得分", 10, "score"), ("全省排名", 8, "int"),
    ("结果", 8, "centre"), ("说明", 40, "text"),
)  # fmt: skip
LETTER_COLUMNS: tuple[Column, ...] = (
    ("序号", 6, "int"), ("企业名称", 30, "text"), ("结果", 8, "centre"),
    ("综合得分", 10, "score"), ("说明", 36, "text"),
)  # fmt: skip
NOTABLE_COLUMNS: tuple[Column, ...] = (
    ("排名", 6, "int"), ("企业名称", 24, "text"), ("地市", 10, "centre"), ("情形", 14, "centre"),
    ("说明", 36, "text"),
)  # fmt: skip
PARAMETER_COLUMNS: tuple[Column, ...] = (("参数", 16, "text"), ("值", 40, "text"))
_LAST = 10**9  # sorts a missing rank or order last


# -- selecting and ordering ----------------------------------------------------------------------


def _n(value: int | None) -> int:
    return _LAST if value is None else value


def _cn_number(i: int) -> str:
    return CN_NUMBERS[i] if i < len(CN_NUMBERS) else str(i + 1)


def track_title(program_name: str, track_name: str) -> str:
    """The program named for one track: "<year>年卓越级领航级智能工厂培育" and "卓越级培育"
    give "<year>年卓越级智能工厂培育"; "<year>年河南省智能工厂培育" gives
    "<year>年河南省卓越级智能工厂培育"."""
    level = re.sub(r"(智能工厂)?培育$", "", track_name) or track_name
    if "卓越级领航级" in program_name:
        return program_name.replace("卓越级领航级", level, 1)
    if level in program_name:
        return program_name
    if "智能工厂" in program_name:
        return program_name.replace("智能工厂", level + "智能工厂", 1)
    return f"{program_name}（{track_name}）"


def _admission_values(rows: Iterable[ResultRow]) -> list[tuple]:
    """The admitted rows by prefecture (附件3 order), then by rank, numbered from 1."""
    chosen = sorted(
        (r for r in rows if r.outcome == "admitted"),
        key=lambda r: (r.prefecture_order, r.prefecture, _n(r.rank)),
    )
    return [
        (i, r.prefecture, r.enterprise, r.uscc, r.final_score, r.rank)
        for i, r in enumerate(chosen, start=1)
    ]


def _ranked(rows: Iterable[ResultRow]) -> list[ResultRow]:
    """Ranked rows by rank, then the unranked by prefecture and recommendation order."""
    return sorted(rows, key=lambda r: (r.rank is None, _n(r.rank), r.prefecture_order,
                                       _n(r.priority_rank), r.anon_code))  # fmt: skip


def _by_track(rows: Iterable[ResultRow]) -> list[ResultRow]:
    """Rows by track (卓越级 first), then by the prefecture's recommendation order."""
    order = {t: i for i, t in enumerate(TRACK_ORDER)}
    return sorted(rows, key=lambda r: (order.get(r.track, len(order)), r.track,
                                       _n(r.priority_rank), _n(r.rank), r.anon_code))  # fmt: skip


def _notable(row: ResultRow) -> list[str]:
    """Why a row deserves a second look in the report (empty: it does not)."""
    reasons = []
    if row.rank is None:
        reasons.append("否决/未排名")
    if row.inspection == "不属实":
        reasons.append("抽查不属实")
    if row.deduction > 0:
        reasons.append(f"扣{row.deduction:g}分")
    if "同分" in row.explanation:
        reasons.append("同分排序")
    return reasons


def _prefecture_counts(rows: Iterable[ResultRow]) -> list[tuple]:
    """(地市, 推荐数, 入库数, 抽查数, 否决数) per prefecture in 附件3 order, then 合计."""
    counts: dict[tuple[int, str], list[int]] = {}
    for r in rows:
        c = counts.setdefault((r.prefecture_order, r.prefecture), [0, 0, 0, 0])
        c[0] += 1
        c[1] += r.outcome == "admitted"
        c[2] += r.inspection != NOT_INSPECTED
        c[3] += r.rank is None
    lines = [(name, *c) for (_, name), c in sorted(counts.items())]
    return [*lines, ("合计", *(sum(line[i] for line in lines) for i in range(1, 5)))]


def _section_means(rows: list[ResultRow], sections: list[tuple[str, str]]) -> list[tuple]:
    def mean(chosen: list[ResultRow], key: str) -> float | None:
        scores = [r.section_scores[key] for r in chosen if key in r.section_scores]
        return sum(scores) / len(scores) if scores else None

    admitted = [r for r in rows if r.outcome == "admitted"]
    return [(title, mean(rows, key), mean(admitted, key)) for key, title in sections]


def _draft_note(summaries: Iterable[RunSummary]) -> str | None:
    return DRAFT if any(s.confirmed_at is None for s in summaries) else None


def _settings(summary: RunSummary) -> list[tuple[str, object]]:
    """The run's parameters and status, as (参数, 值) pairs."""
    return [
        ("计划名称", summary.program_name),
        ("赛道", summary.track_name),
        ("入库名额", summary.capacity),
        ("最低分数线", summary.min_score),
        ("使用校准得分", "是" if summary.use_calibration else "否"),
        ("荣誉称号", HONOURS_MODES.get(summary.honours_mode, summary.honours_mode)),
        ("决定编号", summary.run_id),
        ("状态", "草稿（未经确认）" if summary.confirmed_at is None else "已确认"),
        ("确认人", summary.confirmed_by or ""),
        ("确认时间", summary.confirmed_at or ""),
    ]


def _counts(summary: RunSummary) -> list[tuple[str, object]]:
    return [
        ("候选企业数", summary.candidates),
        ("入库数", summary.admitted),
        ("否决数", summary.vetoed),
        ("实地抽查数", summary.inspected),
        ("分数线名次", summary.cut_rank),
        ("分数线得分", summary.cut_score),
    ]


# -- workbooks -----------------------------------------------------------------------------------


def admission_list_xlsx(summary: RunSummary, rows: list[ResultRow]) -> bytes:
    """入库名单 as .xlsx: the admitted rows by prefecture (附件3 order), then by rank."""
    title = track_title(summary.program_name, summary.track_name) + "入库名单"
    wb = office.workbook(title, _draft_note([summary]), ADMISSION_COLUMNS,
                         _admission_values(rows), "入库名单")  # fmt: skip
    return office.to_bytes(wb)


def ranking_xlsx(
    summary: RunSummary, rows: list[ResultRow], sections: list[tuple[str, str]]
) -> bytes:
    """评审排名 as .xlsx: every row (ranked by rank, then the unranked) with each section's mean
    score, the raw and the calibrated score (both always, blank when absent), the adjustments
    and the outcome; a second sheet 参数 lists the run's parameters."""
    columns: list[Column] = [
        ("排名", 6, "int"), ("匿名编号", 12, "centre"), ("企业名称", 30, "text"),
        ("地市", 10, "centre"), ("推荐顺序", 8, "int"),
        *((title, 10, "score") for _, title in sections),
        ("评审得分(原始)", 10, "score"), ("评审得分(校准)", 10, "score"),
        ("荣誉称号", 24, "text"), ("成熟度等级", 8, "int"), ("实地抽查", 10, "centre"),
        ("扣分", 8, "score"), ("综合得分", 10, "score"), ("结果", 8, "centre"),
        ("说明", 40, "text"),
    ]  # fmt: skip
    values = [
        (r.rank, r.anon_code, r.enterprise, r.prefecture, r.priority_rank,
         *(r.section_scores.get(key) for key, _ in sections),
         r.raw_score, r.calibrated_score, r.honours, r.maturity_level, r.inspection,
         r.deduction, r.final_score, OUTCOMES.get(r.outcome, r.outcome), r.explanation)
        for r in _ranked(rows)
    ]  # fmt: skip
    note = _draft_note([summary])
    title = track_title(summary.program_name, summary.track_name)
    wb = office.workbook(title + "评审排名", note, columns, values, "评审排名", landscape=True)
    office.sheet(wb.create_sheet("参数"), title + "评审参数", note, PARAMETER_COLUMNS,
                 _settings(summary) + _counts(summary))  # fmt: skip
    return office.to_bytes(wb)


def prefecture_results_xlsx(
    summary_by_track: list[RunSummary], prefecture: str, rows: list[ResultRow]
) -> bytes:
    """One prefecture's results on every track (rows of other prefectures are left out), by
    track, then by its recommendation order; marked draft if any of the runs is staged."""
    values = [
        (r.track_name, r.priority_rank, r.enterprise, r.uscc, r.final_score, r.rank,
         OUTCOMES.get(r.outcome, r.outcome), r.explanation)
        for r in _by_track(r for r in rows if r.prefecture == prefecture)
    ]  # fmt: skip
    program = summary_by_track[0].program_name if summary_by_track else ""
    title = f"{program}评审结果（{prefecture}）"
    wb = office.workbook(title, _draft_note(summary_by_track), RESULT_COLUMNS, values,
                         "评审结果", landscape=True)  # fmt: skip
    return office.to_bytes(wb)


# -- documents -----------------------------------------------------------------------------------


def admission_list_docx(summary: RunSummary, rows: list[ResultRow]) -> bytes:
    """入库名单 as .docx: the table of the .xlsx (地市 as a column) under the title."""
    title = track_title(summary.program_name, summary.track_name) + "入库名单"
    doc = office.document(title, draft=summary.confirmed_at is None)
    office.table(doc, ADMISSION_COLUMNS, _admission_values(rows))
    return office.to_bytes(doc)


def decision_report_docx(
    summary: RunSummary,
    rows: list[ResultRow],
    sections: list[tuple[str, str]],
    opinions: tuple[tuple, list[tuple]] | None = None,
) -> bytes:
    """评审决定报告: parameters, counts and the cut line, section means, per-prefecture counts,
    the admitted list, the cases to look at twice (否决, 抽查不属实, 扣分, 同分排序) and whether
    the decision is confirmed."""
    draft = summary.confirmed_at is None
    doc = office.document(
        track_title(summary.program_name, summary.track_name) + "评审决定报告", draft
    )
    headings = iter(f"{n}、" for n in CN_NUMBERS)
    office.heading(doc, next(headings) + "评审参数")
    office.table(doc, PARAMETER_COLUMNS, _settings(summary))  # the counts follow as text
    office.heading(doc, next(headings) + "总体情况")
    cut = (
        f"入库分数线为第{summary.cut_rank}名、综合得分{summary.cut_score:.2f}分。"
        if summary.cut_rank is not None and summary.cut_score is not None
        else "未形成入库分数线。"
    )
    office.paragraph(
        doc,
        f"本赛道候选企业{summary.candidates}家，入库{summary.admitted}家（名额{summary.capacity}"
        f"家），否决{summary.vetoed}家，实地抽查{summary.inspected}家。{cut}",
        indent=True,
    )
    if sections:
        columns = (("评审部分", 3, "text"), ("全部企业平均分", 2, "score"),
                   ("入库企业平均分", 2, "score"))  # fmt: skip
        office.table(doc, columns, _section_means(rows, sections))
    office.heading(doc, next(headings) + "分地市情况")
    office.table(doc, PREFECTURE_COLUMNS, _prefecture_counts(rows))
    office.heading(doc, next(headings) + "入库企业名单")
    office.table(doc, ADMISSION_COLUMNS, _admission_values(rows))
    office.heading(doc, next(headings) + "需关注的情形")
    notable = [
        (r.rank, r.enterprise, r.prefecture, "、".join(why), r.explanation)
        for r in _ranked(rows)
        if (why := _notable(r))
    ]
    if notable:
        office.table(doc, NOTABLE_COLUMNS, notable)
    else:
        office.paragraph(doc, "无否决、抽查不属实、扣分或同分排序情形。", indent=True)
    if opinions is not None and opinions[1]:  # (columns, rows) of the signed 专家组意见
        office.heading(doc, next(headings) + "专家组意见")
        office.table(doc, *opinions)
    office.heading(doc, next(headings) + "决定状态")
    status = (
        "本报告为草稿，评审决定尚未确认，不得作为正式结果对外公布。"
        if draft
        else f"本评审决定已于{summary.confirmed_at}由{summary.confirmed_by or '—'}确认。"
    )
    office.paragraph(doc, f"{status}（决定编号：{summary.run_id}）", indent=True)
    return office.to_bytes(doc)


def letter_explanation(explanation: str) -> str:
    """The 说明 of a result letter: what happened last first. An explanation keeps its history
    line by line (the ranking's sentence, then 撤销拟入库, 递补拟入库 or 复核); the letter states the
    latest and gives the ranking's sentence as the original conclusion, so it never opens with
    "予以入库" for an enterprise the letter reports as 未入库."""
    first, *later = [line for line in (explanation or "").split("\n") if line.strip()] or [""]
    if not later:
        return first
    return "；".join(reversed(later)) + f"（原评审结论：{first}）"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def prefecture_letter_docx(
    program_name: str,
    prefecture: str,
    rows: list[ResultRow],
    issued_on: date,
    issuer: str = ISSUER,
    advice: dict[str, str] | None = None,
    official: bool = False,
) -> bytes:
    """评审结果通知 to one prefecture's department: what it recommended and what was admitted,
    a table per track (rows of other prefectures are left out), then the issuer and the date,
    right-aligned above the seal. ``official`` (letters drafted at 正式发文) adds the GB/T 9704
    版头: the issuer's name in red over the red line."""
    tracks: dict[str, list[ResultRow]] = {}
    for r in _by_track(r for r in rows if r.prefecture == prefecture):
        tracks.setdefault(r.track_name, []).append(r)

    def counts(chosen: Iterable[ResultRow]) -> str:
        chosen = list(chosen)
        return f"推荐{len(chosen)}家、入库{sum(r.outcome == 'admitted' for r in chosen)}家"

    doc = office.document(f"关于{program_name}评审结果的通知", draft=False)
    if official:
        office.red_head(doc, issuer)
    office.paragraph(doc, f"{prefecture}工业和信息化主管部门：")
    total = counts(r for chosen in tracks.values() for r in chosen)
    detail = "；".join(f"{name}{counts(chosen)}" for name, chosen in tracks.items())
    office.paragraph(
        doc,
        f"按照{program_name}工作安排，我厅组织专家对各地推荐企业进行了评审，结合实地抽查情况，"
        f"综合评定确定了入库企业名单。你单位共{total}"
        + (f"（其中{detail}）" if len(tracks) > 1 else "")
        + "。现将你单位推荐企业的评审结果通知如下：",
        indent=True,
    )
    for i, (name, chosen) in enumerate(tracks.items()):
        office.heading(doc, f"{_cn_number(i)}、{name}（{counts(chosen)}）")
        office.table(doc, LETTER_COLUMNS, [
            (n, r.enterprise, OUTCOMES.get(r.outcome, r.outcome), r.final_score,
             letter_explanation(r.explanation))
            for n, r in enumerate(chosen, start=1)
        ])  # fmt: skip
        for r in chosen:  # the signed 专家组意见 the coordinator put in the letter
            if advice and advice.get(r.anon_code):
                office.paragraph(doc, f"{r.enterprise}主要问题与改进建议：{advice[r.anon_code]}",
                                 indent=True)  # fmt: skip
    closing = office.paragraph(
        doc,
        "请及时将评审结果告知相关企业。入库企业须按计划推进智能化升级，配合开展现场核查、技术推广"
        "和典型案例交流等工作；未入库企业可对照评审意见补齐短板，持续提升智能制造水平。",
        indent=True,
    )
    closing.paragraph_format.space_before = Pt(16)
    office.paragraph(doc, "特此通知。", indent=True)
    for i, text in enumerate((issuer, _cn_date(issued_on))):
        p = office.paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(64)  # four characters in, as official letters are
        if i == 0:
            p.paragraph_format.space_before = Pt(56)  # room for the seal
    return office.to_bytes(doc)
