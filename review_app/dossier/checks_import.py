"""Importing a batch of 信用 and 事故 check results from .xlsx (one row per enterprise and
check). All rows or none: any bad row refuses the whole file, naming each row and why."""

from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import select

from ..applications.models import Application
from ..clock import utcnow
from ..enterprises.models import Enterprise
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..intake.parsed import UnreadableFile
from ..programs.models import Program
from ..xlsx_safe import loose, put, read_first_matching_sheet
from .checks import CheckInput, record_check

HEADERS = ("统一社会信用代码", "企业名称", "核查类别", "核查结果", "核查人", "核查日期",
           "核查来源", "说明")  # fmt: skip
KIND_WORDS = {"信用": "credit", "信用核查": "credit", "失信": "credit",
              "事故": "accident", "事故核查": "accident", "安全环保事故": "accident",
              "安全环保事故核查": "accident"}  # fmt: skip
RESULT_WORDS = {"通过": "pass", "不通过": "fail", "未通过": "fail"}
MAX_ROWS = 2000
MAX_ERRORS_SHOWN = 20


def template() -> bytes:
    """The blank import sheet: its headers and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "核查结果"
    example = ("91410100MA00000000", "示例企业有限公司", "信用核查", "通过", "张三", utcnow().date().isoformat(),
               "信用中国", "未发现严重失信和经营异常记录")  # fmt: skip
    for col, (header, value) in enumerate(zip(HEADERS, example, strict=True), start=1):
        put(ws, 1, col, header)
        put(ws, 2, col, value)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = loose(value).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _read(ws):
    rows = ws.iter_rows(values_only=True)
    for header in rows:
        names = [loose(c) for c in header]
        if HEADERS[0] in names and "核查结果" in names:
            at = {name: names.index(name) for name in HEADERS if name in names}
            out = []
            for number, row in enumerate(rows, start=2):
                cells = {n: (row[i] if i < len(row) else None) for n, i in at.items()}
                if any(v not in (None, "") for v in cells.values()):
                    out.append((number, cells))
                if len(out) > MAX_ROWS:
                    raise UnreadableFile(f"核查结果表超过{MAX_ROWS}行，请分批导入。", "too_many")
            return out
    return None


def import_checks(program: Program, data: bytes, filename: str, actor) -> int:
    """Record every row of the sheet; the number recorded, or InvalidInput naming bad rows."""
    try:
        rows = read_first_matching_sheet(
            data,
            filename,
            _read,
            "核查结果表",
            "核查结果表中没有找到“统一社会信用代码”和“核查结果”表头。",
        )
    except UnreadableFile as err:
        raise InvalidInput(err.message, code=err.code) from err
    if not rows:
        raise InvalidInput("核查结果表没有数据行。", code="empty")
    apps = {
        a.enterprise.uscc: a
        for a in db.session.execute(
            select(Application).join(Enterprise).where(Application.program_id == program.id)
        ).scalars()
    }  # fmt: skip
    errors, done = [], 0
    for number, cells in rows:
        uscc = loose(cells.get("统一社会信用代码")).upper()
        app = apps.get(uscc)
        kind = KIND_WORDS.get(loose(cells.get("核查类别")))
        result = RESULT_WORDS.get(loose(cells.get("核查结果")))
        if app is None:
            errors.append(f"第{number}行：统一社会信用代码“{uscc}”不是本批次的申报企业")
        elif kind is None:
            errors.append(f"第{number}行：核查类别应为“信用核查”或“事故核查”")
        elif result is None:
            errors.append(f"第{number}行：核查结果应为“通过”或“不通过”")
        else:
            entry = CheckInput(kind, result, str(cells.get("核查人") or ""),
                               _date(cells.get("核查日期")), str(cells.get("核查来源") or ""),
                               str(cells.get("说明") or ""))  # fmt: skip
            try:
                record_check(app, entry, actor)
                done += 1
            except DomainError as err:
                errors.append(f"第{number}行：{err.message}")
    if errors:
        more = f"等{len(errors)}处" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise InvalidInput(
            "核查结果表未导入（须全部正确）：" + "；".join(errors[:MAX_ERRORS_SHOWN]) + more + "。",
            code="rows_invalid",
        )
    return done
