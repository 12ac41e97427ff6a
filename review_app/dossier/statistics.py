"""统计 for the 厅's report: endorsed, scored and admitted applications by prefecture, 产业链,
行业大类, size, maturity level and track; the tables, an .xlsx and a paragraph of report text.

``facts`` reads the database once; ``tabulate`` and ``paragraph`` are pure."""

import re
from collections import Counter
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ..applications.models import Application
from ..assignment.models import Assignment
from ..extensions import db
from ..intake import reference as ref
from ..programs.models import TRACK_NAMES, Program
from ..scoring.models import Review
from ..workflow.states import DECIDABLE_STATES, ENDORSED_STATES, RESULT_STATES
from ..xlsx_safe import put

# Columns of the tables: recommended (推荐), rated by the experts (完成评分), admitted (入库).
STAGES = {"recommended": "推荐", "rated": "完成评分", "included": "入库"}
DIMENSIONS = {"prefecture": "地市", "chain": "产业链", "division": "行业大类", "size": "企业规模",
              "maturity": "成熟度等级", "track": "申报类别"}  # fmt: skip
LEVELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
UNKNOWN = "未填写"
_SEPARATORS = re.compile(r"[、，,；;/／]+")


@dataclass(frozen=True)
class Fact:
    """One recommended application as the statistics see it."""

    scored: bool
    admitted: bool
    labels: dict  # dimension -> label (产业链: a tuple, an application may name several)


def _chains(text: str | None) -> tuple[str, ...]:
    out = []
    for part in (p.strip() for p in _SEPARATORS.split(text or "") if p.strip()):
        alias = ref.match_chain_alias(part)
        out.append(ref.match_chain(part) or (alias[0] if alias else part))
    return tuple(dict.fromkeys(out)) or (UNKNOWN,)


def _division(code: str | None) -> str:
    digits = (code or "")[:2]
    name = ref.industry_name(digits) if digits else None
    return f"{digits} {name}" if name else UNKNOWN


def facts(program: Program) -> list[Fact]:
    """Every application of ``program`` recommended by its prefecture (endorsed or beyond)."""
    apps = db.session.execute(
        select(Application).where(Application.program_id == program.id,
                                  Application.state.in_(ENDORSED_STATES))
        .order_by(Application.id)
    ).scalars().all()  # fmt: skip
    reviewed = set(
        db.session.execute(
            select(Assignment.application_id).join(Review, Review.assignment_id == Assignment.id)
            .where(Review.status == "submitted")
        ).scalars()
    )  # fmt: skip
    out = []
    for a in apps:
        e = a.enterprise
        scored = (
            a.state in DECIDABLE_STATES
            or a.state == "admitted"
            or (a.state in RESULT_STATES and a.id in reviewed)
        )
        maturity = LEVELS.get(a.maturity_level) or ("其他能力证明" if a.other_evidence else UNKNOWN)
        out.append(Fact(scored, a.state == "admitted", {
            "prefecture": a.prefecture.name, "chain": _chains(e.chain),
            "division": _division(e.industry_division), "size": e.size or UNKNOWN,
            "maturity": maturity, "track": TRACK_NAMES.get(a.track_code, a.track_code),
        }))  # fmt: skip
    return out


@dataclass(frozen=True)
class Row:
    label: str
    endorsed: int
    scored: int
    admitted: int


def tabulate(rows: list[Fact]) -> dict[str, list[Row]]:
    """Per dimension, one row per label with its counts, the most endorsed first."""
    out = {}
    for dim in DIMENSIONS:
        counts = {stage: Counter() for stage in STAGES}
        for fact in rows:
            labels = fact.labels[dim]
            for label in labels if isinstance(labels, tuple) else (labels,):
                counts["recommended"][label] += 1
                counts["rated"][label] += fact.scored
                counts["included"][label] += fact.admitted
        order = sorted(counts["recommended"], key=lambda k: (-counts["recommended"][k], k))
        if dim == "prefecture":
            known = list(ref.prefectures())
            order = sorted(order, key=lambda k: known.index(k) if k in known else len(known))
        out[dim] = [Row(k, *(counts[stage][k] for stage in STAGES)) for k in order]
    return out


def _top(rows: list[Row], n: int = 3) -> str:
    best = sorted((r for r in rows if r.label != UNKNOWN), key=lambda r: (-r.endorsed, r.label))
    return "、".join(f"{r.label}（{r.endorsed}家）" for r in best[:n])


def paragraph(rows: list[Fact], tables: dict[str, list[Row]]) -> str:
    """The report text, every figure from ``tables``."""
    total = len(rows)
    if not total:
        return "目前尚无地市推荐的企业。"
    tracks = "、".join(f"{r.label}{r.endorsed}家" for r in tables["track"])
    prefs = tables["prefecture"]
    most = max(prefs, key=lambda r: r.endorsed)
    sizes = sorted(tables["size"], key=lambda r: -r.endorsed)[0]
    high = sum(r.endorsed for r in tables["maturity"] if r.label in ("三级", "四级", "五级"))
    scored = sum(f.scored for f in rows)
    admitted = sum(f.admitted for f in rows)
    text = (
        f"全省共推荐{total}家企业，其中{tracks}，来自{len(prefs)}个地市，推荐数量最多的是"
        f"{most.label}（{most.endorsed}家）。按行业大类，推荐企业主要集中在{_top(tables['division'])}；"
        f"按产业链，主要分布在{_top(tables['chain'])}。企业规模以{sizes.label}为主（{sizes.endorsed}家，"
        f"占{sizes.endorsed / total:.0%}）；智能制造能力成熟度三级及以上的{high}家，占{high / total:.0%}。"
    )
    if scored:
        text += f"经专家评审，完成评分{scored}家"
        text += f"，入库{admitted}家。" if admitted else "，入库名单尚未确定。"
        if admitted:
            text += f"入库企业分布在{sum(1 for r in prefs if r.admitted)}个地市。"
    return text


def workbook(program: Program) -> bytes:
    """统计表 (.xlsx): the paragraph, then one sheet per dimension."""
    rows = facts(program)
    tables = tabulate(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    put(ws, 1, 1, f"{program.year}年卓越级领航级智能工厂培育统计").font = Font(bold=True, size=14)
    put(ws, 3, 1, paragraph(rows, tables))
    ws.column_dimensions["A"].width = 120
    for dim, name in DIMENSIONS.items():
        sheet = wb.create_sheet(name)
        for col, header in enumerate((name, *STAGES.values()), start=1):
            put(sheet, 1, col, header).font = Font(bold=True)
        for r, row in enumerate(tables[dim], start=2):
            for col, value in enumerate((row.label, row.endorsed, row.scored, row.admitted), 1):
                put(sheet, r, col, value)
        sheet.column_dimensions["A"].width = 36
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
