"""The 审核情况表: per prefecture, whether its 推荐函 is in, and per application its state,
priority and the 地市审核意见 (.xlsx). The rows are plain data so the page shows the same."""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select

from ..applications.models import Application
from ..extensions import db
from ..programs.models import TRACK_NAMES, Prefecture, Program
from ..workflow.states import STATE_NAMES
from ..xlsx_safe import put
from .models import EndorsementLetter, PrefectureOpinion

HEADERS = ("所在地市", "推荐函", "申报类别", "推荐顺序", "企业名称", "统一社会信用代码", "状态",
           "地市审核意见", "意见填写时间")  # fmt: skip
WIDTHS = (12, 28, 20, 9, 32, 22, 12, 60, 18)


@dataclass(frozen=True)
class SheetRow:
    prefecture: str
    letter: str  # "已上传（文件名，时间）" or "未上传"
    track: str
    rank: int | None
    enterprise: str
    uscc: str
    state: str
    opinion: str
    opinion_at: datetime | None
    application_id: int


def _stamp(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def rows(program: Program, prefecture: Prefecture | None = None) -> list[SheetRow]:
    """Every application of ``program`` (of ``prefecture`` if given), by prefecture, track and
    priority, with its opinion and its prefecture's letter."""
    query = (
        select(Application, PrefectureOpinion)
        .outerjoin(PrefectureOpinion, PrefectureOpinion.application_id == Application.id)
        .join(Prefecture, Prefecture.id == Application.prefecture_id)
        .where(Application.program_id == program.id)
        .order_by(Prefecture.id, Application.track_code,
                  Application.priority_rank.is_(None), Application.priority_rank, Application.id)
    )  # fmt: skip
    if prefecture is not None:
        query = query.where(Application.prefecture_id == prefecture.id)
    letters = {
        letter.prefecture_id: letter
        for letter in db.session.execute(
            select(EndorsementLetter).where(EndorsementLetter.program_id == program.id)
        ).scalars()
    }
    return [
        sheet_row(app, opinion, letters.get(app.prefecture_id))
        for app, opinion in db.session.execute(query).all()
    ]


def sheet_row(
    app: Application, opinion: PrefectureOpinion | None, letter: EndorsementLetter | None
) -> SheetRow:
    """One application's row (the page's list reads the same, without the letter)."""
    said = f"已上传（{letter.filename}，{_stamp(letter.uploaded_at)}）" if letter else "未上传"
    return SheetRow(
        app.prefecture.name, said, TRACK_NAMES.get(app.track_code, app.track_code),
        app.priority_rank, app.enterprise.name, app.enterprise.uscc,
        STATE_NAMES.get(app.state, app.state), opinion.text if opinion else "",
        opinion.written_at if opinion else None, app.id,
    )  # fmt: skip


def workbook(program: Program, prefecture: Prefecture | None = None) -> bytes:
    """The 审核情况表 as .xlsx; every user text written as text (xlsx_safe)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "审核情况表"
    who = prefecture.name if prefecture else "全省"
    put(ws, 1, 1, f"{program.year}年卓越级领航级智能工厂培育企业审核情况表（{who}）")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        put(ws, 2, col, header).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=2, column=col).column_letter].width = width
    for r, row in enumerate(rows(program, prefecture), start=3):
        values = (row.prefecture, row.letter, row.track, row.rank, row.enterprise, row.uscc,
                  row.state, row.opinion or "（未填写）", _stamp(row.opinion_at))  # fmt: skip
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
