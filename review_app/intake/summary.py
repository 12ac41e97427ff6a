"""附件2 推荐汇总表 from and against the stored applications."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..applications.models import Application
from ..extensions import db
from ..programs.models import TRACKS, Prefecture, Program
from ..programs.years import figure_years
from ..workflow.states import ENDORSED_STATES
from .service import ORDERED_STATES
from .summary_xlsx import SummaryRow, read_summary, write_summary

MATURITY_WORDS = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}


def _revenue_year(program: Program) -> int:
    """The figure year whose revenue 附件2 reports: the last of the program's figure years."""
    return figure_years(program.year)[-1]


def _last_revenue(app: Application) -> float | None:
    last = _revenue_year(app.program)
    row = next((f for f in app.figures if f.year == last), None)
    return None if row is None or row.revenue is None else float(row.revenue)


def _maturity(app: Application) -> str:
    if not app.maturity_level:
        return ""
    text = MATURITY_WORDS[app.maturity_level]
    if app.maturity_score is not None:
        text += f"（{float(app.maturity_score):g}分）"
    return text


def summary_row(seq: int, app: Application) -> SummaryRow:
    e = app.enterprise
    contact = " ".join(x for x in (e.contact_name, e.contact_phone) if x)
    return SummaryRow(
        seq=seq,
        prefecture=app.prefecture.name,
        name=e.name,
        nature=e.nature or "",
        main_business=e.main_business or "",
        revenue=_last_revenue(app),
        maturity=_maturity(app),
        honours=app.honours or "",
        contact=contact,
        note="",
        uscc=e.uscc,
    )


def export_summary(program: Program, unit: str, prefecture_ids: list[int] | None) -> bytes:
    """The recommended applications (endorsed or later), each track in priority order."""
    rows_by_track = {}
    for track in TRACKS:
        query = (
            select(Application)
            .join(Prefecture, Application.prefecture_id == Prefecture.id)
            .where(
                Application.program_id == program.id,
                Application.track_code == track,
                Application.state.in_(ENDORSED_STATES),
            )
            .order_by(Prefecture.sort_order, Application.priority_rank, Application.id)
        )
        if prefecture_ids is not None:
            query = query.where(Application.prefecture_id.in_(prefecture_ids))
        apps = db.session.execute(query).scalars().all()
        rows_by_track[track] = [summary_row(i, a) for i, a in enumerate(apps, start=1)]
    return write_summary(unit, rows_by_track, _revenue_year(program))


@dataclass
class MatchedRow:
    row: int
    track: str
    seq: int | None
    name: str
    application: Application | None = None
    matched_by: str = ""
    mismatches: list[str] = field(default_factory=list)


@dataclass
class MatchReport:
    rows: list[MatchedRow]
    missing: list[Application]
    errors: list[str]

    @property
    def matched(self) -> int:
        return sum(1 for r in self.rows if r.application is not None)

    @property
    def unmatched(self) -> int:
        return len(self.rows) - self.matched


def _norm(text: str | None) -> str:
    return "".join((text or "").split()).replace("（", "(").replace("）", ")")


def match_summary(program: Program, prefecture: Prefecture, data: bytes) -> MatchReport:
    """Match a filled 附件2 to the prefecture's applications by USCC, else by name."""
    parsed = read_summary(data, revenue_year=_revenue_year(program))
    apps = db.session.execute(
        select(Application).where(
            Application.program_id == program.id,
            Application.prefecture_id == prefecture.id,
            Application.state != "withdrawn",
        )
    ).scalars().all()  # fmt: skip
    by_uscc = {a.enterprise.uscc: a for a in apps}
    by_name = {_norm(a.enterprise.name): a for a in apps}
    rows, seen = [], set()
    for track, track_rows in parsed.rows.items():
        for item in track_rows:
            matched = MatchedRow(item.row, track, item.seq, item.name)
            uscc = (item.uscc or "").strip().upper()
            if uscc and uscc in by_uscc:
                matched.application, matched.matched_by = by_uscc[uscc], "信用代码"
            elif _norm(item.name) in by_name:
                matched.application, matched.matched_by = by_name[_norm(item.name)], "企业名称"
            if matched.application is not None:
                seen.add(matched.application.id)
                matched.mismatches = _mismatches(item, track, matched.application)
            rows.append(matched)
    missing = [
        a for a in apps if a.id not in seen and a.state in ENDORSED_STATES | set(ORDERED_STATES)
    ]
    return MatchReport(rows, missing, list(parsed.errors))


def _mismatches(item: SummaryRow, track: str, app: Application) -> list[str]:
    out = []
    if track != app.track_code:
        out.append("申报类别与系统中的申报不同。")
    if item.seq and app.priority_rank and item.seq != app.priority_rank:
        out.append(f"序号{item.seq}，系统中推荐顺序为{app.priority_rank}。")
    if item.nature and app.enterprise.nature and _norm(item.nature) != _norm(app.enterprise.nature):
        out.append(f"企业性质为“{item.nature}”，申报书为“{app.enterprise.nature}”。")
    revenue = _last_revenue(app)
    if item.revenue is not None and revenue is not None and abs(item.revenue - revenue) > 0.5:
        out.append(
            f"{_revenue_year(app.program)}年营收{item.revenue:g}万元，申报书为{revenue:g}万元。"
        )
    level = MATURITY_WORDS.get(app.maturity_level or 0, "")
    if item.maturity and level and level not in item.maturity:
        out.append(f"成熟度为“{item.maturity}”，申报书为“{level}”。")
    if _norm(item.name) != _norm(app.enterprise.name):
        out.append(f"企业名称为“{item.name}”，申报书为“{app.enterprise.name}”。")
    return out
