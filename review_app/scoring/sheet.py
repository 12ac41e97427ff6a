"""Offline scoring: a score sheet .xlsx with a fixed layout for one expert's assignments, and
reading it back cell by cell.

Sheet 评分: one row per criterion: 任务编号, 匿名编号, 章节, 要点代码, 评分要点, 满分, 得分, 不适用.
Sheet 评审意见: one row per assignment: 任务编号, 匿名编号, 章节, 评审意见.
Only 得分, 不适用 and 评审意见 are read; everything else identifies the row and is checked.
"""

import io
import math
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from ..forms_numeric import parse_decimal
from ..intake.filecheck import check_xlsx
from ..intake.parsed import UnreadableFile
from ..xlsx_safe import put

SCORE_SHEET = "评分"
COMMENT_SHEET = "评审意见"
SCORE_HEADERS = (
    "任务编号",
    "匿名编号",
    "章节",
    "要点代码",
    "评分要点",
    "满分",
    "得分",
    "不适用（填“是”）",
)
COMMENT_HEADERS = ("任务编号", "匿名编号", "章节", "评审意见（至少10字）")
FIRST_ROW = 3  # row 1: title, row 2: headers
EDITABLE = PatternFill("solid", fgColor="FFF7E0")
YES = {"是", "Y", "YES", "√", "✓", "1", "TRUE"}
# A row of a task that is not (or no longer) the expert's to score: submitted, withdrawn, or its
# section's anonymisation under review after an identifying edit.
NOT_SCORABLE = "不是您的评审任务或已不可评分（已提交、已撤销，或该章节的匿名化正在复核）。"


@dataclass
class SheetTask:
    """What the sheet knows about one assignment."""

    assignment_id: int
    code: str
    section_title: str
    criteria: list  # rubric Criterion objects, in order
    points: dict = field(default_factory=dict)  # code -> (points or None, not_applicable)
    comment: str = ""


def write_sheet(expert_name: str, tasks: list[SheetTask]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SCORE_SHEET
    put(ws, 1, 1, f"评分表 · {expert_name}（只填黄色格：得分、不适用；请勿改动其他单元格）")
    ws.cell(row=1, column=1).font = Font(bold=True)
    for col, header in enumerate(SCORE_HEADERS, start=1):
        put(ws, 2, col, header).font = Font(bold=True)
    row = FIRST_ROW
    for task in tasks:
        for c in task.criteria:
            points, na = task.points.get(c.code, (None, False))
            values = (task.assignment_id, task.code, task.section_title, c.code, c.title, c.max,
                      points, "是" if na else "")  # fmt: skip
            for col, value in enumerate(values, start=1):
                put(ws, row, col, value)
            for col in (7, 8):
                ws.cell(row=row, column=col).fill = EDITABLE
            row += 1
    for col, width in zip("ABCDEFGH", (10, 12, 18, 8, 40, 6, 8, 14), strict=True):
        ws.column_dimensions[col].width = width
    cs = wb.create_sheet(COMMENT_SHEET)
    for col, header in enumerate(COMMENT_HEADERS, start=1):
        put(cs, 1, col, header).font = Font(bold=True)
    for i, task in enumerate(tasks, start=2):
        for col, value in enumerate((task.assignment_id, task.code, task.section_title,
                                     task.comment), start=1):  # fmt: skip
            put(cs, i, col, value)
        cs.cell(row=i, column=4).fill = EDITABLE
    cs.column_dimensions["D"].width = 80
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class SheetImport:
    values: dict = field(default_factory=dict)  # assignment_id -> {code: (points, na)}
    comments: dict = field(default_factory=dict)  # assignment_id -> comment
    comment_rows: dict = field(default_factory=dict)  # assignment_id -> its 评审意见 row
    errors: list[str] = field(default_factory=list)


def _number(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    number = parse_decimal(str(value).replace("，", "."))  # NaN, Infinity, 1e309: refused
    if number is None:
        return None
    return float(number)


def read_sheet(data: bytes, tasks: dict[int, SheetTask]) -> SheetImport:
    """Check every cell against the expert's own tasks; collect every error (Chinese, with the
    sheet and cell)."""
    check_xlsx(data, "评分表.xlsx")
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise UnreadableFile("无法读取评分表：文件已损坏。", code="corrupt") from err
    if SCORE_SHEET not in wb.sheetnames or COMMENT_SHEET not in wb.sheetnames:
        raise UnreadableFile("这不是本系统导出的评分表（缺少“评分”或“评审意见”工作表）。",
                             code="not_score_sheet")  # fmt: skip
    result = SheetImport()
    seen: dict[int, set[str]] = {}
    for r, row in enumerate(wb[SCORE_SHEET].iter_rows(min_row=FIRST_ROW, values_only=True),
                            start=FIRST_ROW):  # fmt: skip
        row = tuple(row) + (None,) * (8 - len(row))
        if all(v in (None, "") for v in row[:8]):
            continue
        try:
            task_id = int(row[0])
        except (TypeError, ValueError):
            result.errors.append(f"评分!A{r}：任务编号“{row[0]}”无效。")
            continue
        task = tasks.get(task_id)
        if task is None:
            result.errors.append(f"评分!A{r}：任务{task_id}{NOT_SCORABLE}")
            continue
        criterion = next((c for c in task.criteria if c.code == str(row[3]).strip()), None)
        if criterion is None:
            result.errors.append(f"评分!D{r}：要点代码“{row[3]}”不属于该章节。")
            continue
        seen.setdefault(task_id, set()).add(criterion.code)
        na = str(row[7] or "").strip().upper() in YES
        try:
            points = _number(row[6])
        except ValueError:
            result.errors.append(f"评分!G{r}：“{row[6]}”不是数字。")
            continue
        if na and points is not None:
            result.errors.append(f"评分!G{r}：已填“不适用”的要点不能再给分。")
            continue
        if points is not None and not 0 <= points <= criterion.max:
            result.errors.append(f"评分!G{r}：{criterion.title}的得分应在0–{criterion.max:g}之间。")
            continue
        result.values.setdefault(task_id, {})[criterion.code] = (points, na)
    for task_id, codes in seen.items():
        missing = [c.code for c in tasks[task_id].criteria if c.code not in codes]
        if missing:
            result.errors.append(f"评分：任务{task_id}缺少要点{'、'.join(missing)}的行。")
    for r, row in enumerate(wb[COMMENT_SHEET].iter_rows(min_row=2, values_only=True), start=2):
        row = tuple(row) + (None,) * (4 - len(row))
        if all(v in (None, "") for v in row[:4]):
            continue
        try:
            task_id = int(row[0])
        except (TypeError, ValueError):
            result.errors.append(f"评审意见!A{r}：任务编号“{row[0]}”无效。")
            continue
        if task_id not in tasks:
            result.errors.append(f"评审意见!A{r}：任务{task_id}{NOT_SCORABLE}")
            continue
        result.comments[task_id] = str(row[3] or "").strip()
        result.comment_rows[task_id] = r
    wb.close()
    return result
