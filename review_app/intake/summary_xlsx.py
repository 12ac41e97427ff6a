"""附件2 卓越级领航级智能工厂培育企业推荐汇总表 as .xlsx: writing it and reading it back.

Layout (as in the notice): title row, 推荐单位（盖章） row, then per track a heading
(一、卓越级智能工厂培育企业 / 二、领航级智能工厂培育企业), the ten official columns and the rows in
priority order, and the footnote 注：推荐各级智能工厂培育企业按优先次序排名.

The USCC is not an official column. It is written to an 11th column 统一社会信用代码 that is
hidden, so the printed and stamped table shows exactly the notice's columns while an exported and
re-imported table still matches enterprises by code; 备注 stays the prefecture's own. When a table
was filled by hand the reader takes the code from such a column if present, else from an
18-character code written in 备注, else leaves it None (matching by name is the caller's job).

Every text cell is written as text: openpyxl would store "=…" as a formula and "#N/A" as an
error, so string cells get ``data_type = "s"``, and cells starting with = + - @ tab or CR also
get Excel's quote prefix (shown and re-edited as text, the value itself unchanged).
"""

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..enterprises.uscc import uscc_problem
from ..forms_numeric import parse_decimal
from ..xlsx_safe import loose, put, read_first_matching_sheet

TITLE = "卓越级领航级智能工厂培育企业推荐汇总表"
UNIT_LABEL = "推荐单位（盖章）："
FOOTNOTE = "注：推荐各级智能工厂培育企业按优先次序排名"
BLOCK_HEADINGS = {
    "excellent": "一、卓越级智能工厂培育企业",
    "leading": "二、领航级智能工厂培育企业",
}
# (attribute, official header, column width)
# The revenue column reports the program's last figure year ("<year>年营收（万元）"): the writer
# and the reader are told the year (``summary.py``: ``figure_years(program.year)[-1]``).
COLUMNS = (
    ("seq", "序号", 6),
    ("prefecture", "所在地市", 12),
    ("name", "企业名称", 30),
    ("nature", "企业性质", 10),
    ("main_business", "主营业务", 30),
    ("revenue", "营收（万元）", 14),
    ("maturity", "智能制造能力成熟度评估结果", 16),
    ("honours", "所获荣誉", 30),
    ("contact", "联系人及电话", 20),
    ("note", "备注", 16),
)
USCC_HEADER = "统一社会信用代码"
BLANK_ROWS_IN_EMPTY_BLOCK = 3  # the notice's blank form shows three rows per block
MAX_ROWS = 2000  # a prefecture recommends at most 27 + a few leading: anything longer is noise
MAX_COLS = 30
_YEAR_IN_HEADER = re.compile(r"((?:19|20)\d\d)年")
_USCC_IN_TEXT = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{18}(?![0-9A-Z])")


@dataclass
class SummaryRow:
    """One enterprise of 附件2; ``uscc`` travels in the hidden 11th column; ``row`` is set by
    ``read_summary`` (the sheet row number) and ignored when writing or comparing."""

    seq: int
    prefecture: str | None = None
    name: str | None = None
    nature: str | None = None
    main_business: str | None = None
    revenue: float | None = None  # the last figure year's revenue (万元)
    maturity: str | None = None  # e.g. "三级（3.42分）"
    honours: str | None = None
    contact: str | None = None  # e.g. "张三 13800000000"
    note: str | None = None
    uscc: str | None = None
    row: int | None = field(default=None, compare=False)  # the sheet row, when read


@dataclass
class RowError:
    """A problem of one sheet row; ``message`` is Chinese and names the row."""

    row: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class SummaryImport:
    title_unit: str | None = None
    rows: dict[str, list[SummaryRow]] = field(
        default_factory=lambda: {track: [] for track in BLOCK_HEADINGS}
    )
    errors: list[RowError] = field(default_factory=list)


# -- writing -------------------------------------------------------------------------------------


_put = put  # one safe writer for every export (review_app/xlsx_safe.py)


def write_summary(
    title_unit: str, rows_by_track: dict[str, list[SummaryRow]], revenue_year: int
) -> bytes:
    """The 附件2 workbook for ``rows_by_track`` (keys ``excellent``/``leading``, rows in priority
    order), the revenue of ``revenue_year``; an empty or absent block gets three blank rows to
    fill in by hand."""
    unknown = set(rows_by_track) - set(BLOCK_HEADINGS)
    if unknown:
        raise ValueError(f"unknown tracks: {sorted(unknown)}")
    wb = Workbook()
    ws = wb.active
    ws.title = "推荐汇总表"
    ncols = len(COLUMNS)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def banner(r: int, text: str, font: Font, align: Alignment) -> None:
        cell = _put(ws, r, 1, text)
        cell.font, cell.alignment = font, align
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)

    banner(1, TITLE, Font(bold=True, size=16), centre)
    ws.row_dimensions[1].height = 30
    banner(2, UNIT_LABEL + (title_unit or ""), Font(size=12), Alignment(horizontal="left"))
    r = 3
    for track, heading in BLOCK_HEADINGS.items():
        banner(r, heading, Font(bold=True, size=12), Alignment(horizontal="left"))
        r += 1
        for c, (attr, header, _) in enumerate(COLUMNS, start=1):
            cell = _put(ws, r, c, f"{revenue_year}年营收（万元）" if attr == "revenue" else header)
            cell.font, cell.alignment, cell.border = Font(bold=True), centre, border
        _put(ws, r, ncols + 1, USCC_HEADER)
        r += 1
        rows = rows_by_track.get(track) or []
        for item in rows:
            for c, (attr, _, _) in enumerate(COLUMNS, start=1):
                cell = _put(ws, r, c, getattr(item, attr))
                cell.border = border
                cell.alignment = centre if attr in ("seq", "revenue") else wrap
                if attr == "revenue":
                    cell.number_format = "#,##0.00"
            _put(ws, r, ncols + 1, item.uscc)
            r += 1
        for _ in range(0 if rows else BLANK_ROWS_IN_EMPTY_BLOCK):
            for c in range(1, ncols + 1):
                ws.cell(row=r, column=c).border = border
            r += 1
        r += 1  # a blank line between the blocks and before the footnote
    banner(r, FOOTNOTE, Font(size=11), Alignment(horizontal="left"))
    for c, (_, _, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.column_dimensions[get_column_letter(ncols + 1)].width = 22
    ws.column_dimensions[get_column_letter(ncols + 1)].hidden = True
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # print one page wide
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading -------------------------------------------------------------------------------------


_norm = loose


# Header recognisers, most specific first; hand-made tables word their headers differently.
_HEADER_KEYS = (
    ("uscc", ("信用代码",)),
    ("seq", ("序号", "排序", "优先次序")),
    ("revenue", ("营收", "收入")),
    ("maturity", ("成熟度", "评估结果")),
    ("honours", ("荣誉",)),
    ("contact", ("联系人", "电话")),
    ("note", ("备注",)),
    ("main_business", ("主营",)),
    ("nature", ("性质",)),
    ("prefecture", ("地市", "所在地", "市县")),
    ("name", ("企业名称", "名称")),
)


def _header_map(values: tuple) -> dict[str, int]:
    """Column index per attribute if ``values`` is a header row (企业名称 and 4 more labels)."""
    found: dict[str, int] = {}
    for i, value in enumerate(values):
        text = _norm(value)
        if not text or len(text) > 20:
            continue
        for attr, needles in _HEADER_KEYS:
            if attr not in found and any(n in text for n in needles):
                found[attr] = i
                break
    return found if "name" in found and len(found) >= 5 else {}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    text = str(value).strip()
    return text or None


def _number(value) -> float:
    """A figure typed as a number or as text with separators ("12,345.6", "１２３４５万元")."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    text = re.sub(r"[\s,，'_]", "", unicodedata.normalize("NFKC", str(value)))
    number = parse_decimal(re.sub(r"(万元|万)$", "", text))  # NaN, Infinity, 1e309: refused
    if number is None:
        raise ValueError(value)
    return float(number)


def _block_of(texts: list[str]) -> str | None:
    """The track a heading row names (the title names both, so it names none)."""
    if len(texts) != 1:
        return None
    t = texts[0]
    excellent, leading = "卓越级" in t, "领航级" in t
    if excellent == leading or "序号" in t:
        return None
    return "excellent" if excellent else "leading"


def read_summary(
    data: bytes, filename: str = "汇总表.xlsx", revenue_year: int | None = None
) -> SummaryImport:
    """Read a 附件2 table (ours, or filled by hand): header rows found by their labels, blocks by
    their headings (a block without heading: the first is 卓越级, a later one 领航级), blank rows
    skipped. Rows with errors are still returned with the bad value left None, so one import
    reports every mistake. Raises UnreadableFile for anything that is not a readable .xlsx
    (``filename`` only names the file in its message). The errors name the revenue's year as
    the table's header does, else ``revenue_year``."""
    return read_first_matching_sheet(
        data, filename, lambda ws: _read_sheet(ws, revenue_year), "汇总表",
        "未找到汇总表表头（序号、所在地市、企业名称、企业性质、主营业务……），请使用附件2的格式。",
    )  # fmt: skip


def _revenue_label(header_text, revenue_year: int | None) -> str:
    """ "<year>年营收（万元）" with the year the header names, else ``revenue_year``."""
    named = _YEAR_IN_HEADER.search(_norm(header_text))
    year = named.group(1) if named else revenue_year
    return f"{year}年营收（万元）" if year else "营收（万元）"


def _read_sheet(ws, revenue_year: int | None) -> SummaryImport | None:
    out = SummaryImport()
    columns: dict[str, int] = {}
    track: str | None = None
    heading_since_header = False
    revenue = _revenue_label(None, revenue_year)
    seqs: dict[str, set[int]] = {t: set() for t in BLOCK_HEADINGS}
    for r, values in enumerate(ws.iter_rows(max_col=MAX_COLS, values_only=True), start=1):
        if r > MAX_ROWS:
            break
        texts = [t for t in (_text(v) for v in values) if t]
        if not texts:
            continue
        header = _header_map(values)
        if header:
            if not heading_since_header:
                track = "leading" if columns else "excellent"
            columns, heading_since_header = header, False
            if "revenue" in header:
                revenue = _revenue_label(values[header["revenue"]], revenue_year)
            continue
        first = _norm(texts[0])
        if first.startswith("推荐单位"):
            parts = re.split(r"[:：]", texts[0], maxsplit=1)
            rest = _text(parts[1]) if len(parts) == 2 else None
            out.title_unit = rest or (texts[1] if len(texts) > 1 else None)
            continue
        if first.startswith("注") and len(texts) == 1:
            continue
        block = _block_of(texts)
        if block is not None:
            track, heading_since_header = block, True
            continue
        if not columns or track is None:
            continue  # the title, or text above the table
        row = _read_row(r, values, columns, len(out.rows[track]) + 1, out.errors, revenue)
        if row is None:
            continue
        if row.seq in seqs[track]:
            out.errors.append(RowError(r, f"第{r}行：序号{row.seq}重复。"))
        seqs[track].add(row.seq)
        out.rows[track].append(row)
    return out if columns else None


def _read_row(
    r: int,
    values: tuple,
    columns: dict[str, int],
    position: int,
    errors: list[RowError],
    revenue: str,
) -> SummaryRow | None:
    """One data row, or None for a row with nothing but a 序号 (a pre-numbered blank form)."""

    def cell(attr: str):
        i = columns.get(attr)
        return values[i] if i is not None and i < len(values) else None

    if all(_text(cell(a)) is None for a in columns if a != "seq"):
        return None
    name = _text(cell("name"))
    if name is None:
        errors.append(RowError(r, f"第{r}行：缺少企业名称，该行未导入。"))
        return None
    row = SummaryRow(seq=position, name=name, row=r)
    for attr in ("prefecture", "nature", "main_business", "maturity", "honours", "contact"):
        setattr(row, attr, _text(cell(attr)))
    row.note = _text(cell("note"))
    raw_seq = cell("seq")
    if _text(raw_seq) is not None:
        try:
            seq = _number(raw_seq)
            if not seq.is_integer() or seq < 1:
                raise ValueError(seq)
            row.seq = int(seq)
        except ValueError:
            errors.append(RowError(r, f"第{r}行：序号“{_text(raw_seq)}”不是正整数。"))
    raw_revenue = cell("revenue")
    if _text(raw_revenue) is None:
        errors.append(RowError(r, f"第{r}行：“{name}”缺少{revenue}。"))
    else:
        try:
            row.revenue = _number(raw_revenue)
        except ValueError:
            errors.append(RowError(r, f"第{r}行：{revenue}“{_text(raw_revenue)}”不是数字。"))
    uscc = _text(cell("uscc"))
    if uscc is None and row.note:
        found = _USCC_IN_TEXT.search(unicodedata.normalize("NFKC", row.note).upper())
        uscc = found.group(0) if found else None
    if uscc is not None:
        uscc = re.sub(r"\s+", "", uscc).upper()
        problem = uscc_problem(uscc)
        if problem:
            errors.append(RowError(r, f"第{r}行：统一社会信用代码“{uscc}”有误：{problem}"))
        else:
            row.uscc = uscc
    return row
