"""Official-style sheets and Word documents for the decision exports: the look, not the content.

Sheets look like 附件2 (intake/summary_xlsx.py): a merged bold title row, bold centred headers
with thin borders, fixed widths, A4 printed one page wide with the header row repeated; every
cell goes through ``xlsx_safe.put``, so a name such as "=HYPERLINK(…)" stays text.

Documents are A4 with the margins of official documents (GB/T 9704): a 宋体 title, 黑体 and
楷体 headings, 仿宋_GB2312 body, 宋体 tables. python-docx's ``font.name`` sets only the Latin font,
and the default template names theme fonts, which win over a named one, so the theme attributes
are dropped and the East Asian font is set through ``w:eastAsia``.

A column is (header, width in characters, kind); the kind (text, centre, int, score) sets the
alignment and the number format. In Word the widths are scaled to the text width.
"""

import io
from collections.abc import Iterable, Sequence
from copy import deepcopy

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..xlsx_safe import put

Column = tuple[str, float, str]
DRAFT = "（草稿，未经确认）"
FORMATS = {"int": "0", "score": "0.00"}

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)

_MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right (GB/T 9704)
_TEXT_WIDTH_MM = 210 - _MARGINS_MM[2] - _MARGINS_MM[3]
_TABLE_STYLE = "表格文字"
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_RED = RGBColor(0xC0, 0, 0)


# -- xlsx ----------------------------------------------------------------------------------------


def sheet(ws, title: str, note: str | None, columns: Sequence[Column], rows: Iterable[Sequence],
          landscape: bool = False) -> None:  # fmt: skip
    """Fill ``ws``: title, an optional red note under it (the draft mark), the header row (frozen,
    printed on every page) and bordered rows; A4, one page wide."""
    ncols = len(columns)

    def banner(r: int, text: str, font: Font) -> None:
        cell = put(ws, r, 1, text)
        cell.font, cell.alignment = font, _CENTRE
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)

    banner(1, title, Font(bold=True, size=16))
    ws.row_dimensions[1].height = 30
    header = 2
    if note:
        banner(2, note, Font(bold=True, size=12, color="C00000"))
        header = 3
    for c, (label, width, _) in enumerate(columns, start=1):
        cell = put(ws, header, c, label)
        cell.font, cell.alignment, cell.border = Font(bold=True), _CENTRE, _BORDER
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, values in enumerate(rows, start=header + 1):
        for c, ((_, _, kind), value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = put(ws, r, c, value)
            cell.border = _BORDER
            cell.alignment = _WRAP if kind == "text" else _CENTRE
            fmt = FORMATS.get(kind) or ("0.00" if isinstance(value, float) else None)
            if fmt:
                cell.number_format = fmt
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_options.horizontalCentered = True


def workbook(title: str, note: str | None, columns: Sequence[Column], rows: Iterable[Sequence],
             sheet_title: str, landscape: bool = False) -> Workbook:  # fmt: skip
    """A workbook with one such sheet (add more with ``sheet(wb.create_sheet(…), …)``)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    sheet(ws, title, note, columns, rows, landscape)
    return wb


def to_bytes(book) -> bytes:
    """A Workbook or a Document saved to bytes."""
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# -- docx ----------------------------------------------------------------------------------------


def clean(text) -> str:
    """Text Word can hold: control characters (a vertical tab pasted from Word) are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))


def _font(target, name: str, size: float, bold: bool | None = None) -> None:
    """Set a style's or a run's font, the East Asian one included."""
    target.font.name, target.font.size = name, Pt(size)
    if bold is not None:
        target.font.bold = bold
    target.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def document(title: str, draft: bool):
    """An A4 document in official fonts, with the centred title and, for a draft, the red mark."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, bottom, left, right = (Mm(v) for v in _MARGINS_MM)
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attr in _THEME_FONTS:
            fonts.attrib.pop(qn(attr), None)
    for name, font in (
        ("Normal", "仿宋_GB2312"),
        ("Heading 1", "黑体"),
        ("Heading 2", "楷体_GB2312"),
    ):
        style = doc.styles[name]
        _font(style, font, 16, bold=None if name == "Normal" else False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.space_before = Pt(0 if name == "Normal" else 12)
        fmt.space_after, fmt.line_spacing = Pt(0), Pt(28)
    table_text = doc.styles.add_style(_TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    _font(table_text, "宋体", 10.5)
    table_text.paragraph_format.line_spacing = 1.0
    head = paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    head.paragraph_format.line_spacing, head.paragraph_format.space_after = Pt(36), Pt(16)
    _font(head.add_run(clean(title)), "宋体", 22, bold=True)
    if draft:
        run = paragraph(doc, "", align=WD_ALIGN_PARAGRAPH.CENTER).add_run(DRAFT)
        _font(run, "黑体", 16, bold=True)
        run.font.color.rgb = _RED
    props = doc.core_properties
    props.title, props.author, props.comments, props.last_modified_by = clean(title), "", "", ""
    return doc


def paragraph(doc, text: str, align=None, indent: bool = False):
    """A body paragraph; ``indent`` sets the two-character first-line indent."""
    p = doc.add_paragraph(clean(text))
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)
    return p


def heading(doc, text: str, level: int = 1):
    return doc.add_heading(clean(text), level)


def _cell_text(value, kind: str) -> str:
    if value is None:
        return "—" if kind in FORMATS else ""
    if isinstance(value, float) or (kind == "score" and isinstance(value, int)):
        return f"{value:.2f}"
    return clean(value)


def table(doc, columns: Sequence[Column], rows: Iterable[Sequence]):
    """A bordered table across the text width; the header row repeats on every page."""
    tbl = doc.add_table(rows=1, cols=len(columns))
    tbl._tbl.tblStyle_val = _style_id(doc, "Table Grid")  # noqa: SLF001 - as ``tbl.style =``
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False
    total = sum(width for _, width, _ in columns)
    widths = [Mm(_TEXT_WIDTH_MM * width / total) for _, width, _ in columns]
    for column, width in zip(tbl.columns, widths, strict=True):
        column.width = width
    # The style's id looked up once: ``p.style = name`` scans every style twice per cell (by
    # name, and for the default one), most of a long table's time. Not the default style, so
    # the id is what ``p.style`` would write.
    text_style = _style_id(doc, _TABLE_STYLE)

    def fill(cells, values, header: bool) -> None:
        for cell, width, (_, _, kind), value in zip(cells, widths, columns, values, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p._p.style = text_style  # noqa: SLF001
            left = kind == "text" and not header
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(_cell_text(value, "text" if header else kind)).bold = header or None

    fill(tbl.rows[0].cells, [label for label, _, _ in columns], header=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tbl.rows[0]._tr.get_or_add_trPr().append(repeat)
    # The data rows differ only in their texts: the first is built cell by cell (empty), then
    # copied for each row and its runs given their texts, as ``add_run(text)`` sets them (the
    # cell-by-cell build took about 1 ms a row: 250 rows in an expert's 评分表).
    blank_row = None
    for values in rows:
        if blank_row is None:
            fill(tbl.add_row().cells, [""] * len(columns), header=False)
            blank_row = deepcopy(tbl._tbl.tr_lst[-1])  # noqa: SLF001
            tr = tbl._tbl.tr_lst[-1]  # noqa: SLF001
        else:
            tr = deepcopy(blank_row)
            tbl._tbl.append(tr)  # noqa: SLF001
        cells = tr.iterchildren(_TC)  # the row's cells (``tr.tc_lst`` runs an XPath query)
        for tc, (_, _, kind), value in zip(cells, columns, values, strict=True):
            text = _cell_text(value, kind)
            if text:
                _set_run_text(tc.find(_P).find(_R), text)
    return tbl


_STYLE, _NAME, _VAL, _STYLE_ID = qn("w:style"), qn("w:name"), qn("w:val"), qn("w:styleId")


def _style_id(doc, name: str) -> str:
    """The id of the style named ``name`` (neither the default style of its type nor one whose
    name python-docx translates, as "Table Grid" and the table text's): the styles part read
    directly instead of python-docx's walk over every style with its name translation."""
    for style in doc.styles.element.iterchildren(_STYLE):
        found = style.find(_NAME)
        if found is not None and found.get(_VAL) == name:
            return style.get(_STYLE_ID)
    raise KeyError(f"no style named {name!r}")


_TC, _P, _R, _T = qn("w:tc"), qn("w:p"), qn("w:r"), qn("w:t")
_PRESERVE = qn("xml:space")


def _set_run_text(r, text: str) -> None:
    """``r.text = text`` on an empty run (its ``w:rPr`` only): plain text is one ``w:t``
    appended directly (python-docx's setter scans the run and the text character by character,
    most of a long table's time); text with a tab or a line break goes through the setter."""
    if "\t" in text or "\n" in text or "\r" in text:
        r.text = text
        return
    t = etree.SubElement(r, _T)
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_PRESERVE, "preserve")


# -- GB/T 9704 版头: the red 发文机关标志, 发文字号 and red line; lines; styled runs ----------

TITLE_FONT = "方正小标宋简体"
RED_MARK = RGBColor(0xFF, 0, 0)


def border(paragraph, edge: str, size_eighths: int, color: str = "000000") -> None:
    """A line the width of the text block above or below ``paragraph``."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), color)
    borders.append(line)


def styled_run(paragraph, text: str, font: str, size: float, color=None, bold=False):
    """A run of ``text`` in ``font`` (East Asian too) at ``size`` points."""
    piece = paragraph.add_run(clean(text))
    _font(piece, font, size, bold=bold)
    if color is not None:
        piece.font.color.rgb = color
    return piece


def red_head(doc, issuer: str, doc_number: str = "") -> None:
    """发文机关标志 (red, 小标宋, centred), 发文字号 two lines below, the red line 4 mm below it;
    inserted before the title ``office.document`` wrote."""
    title = doc.paragraphs[0]
    mark = title.insert_paragraph_before("")
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mark.paragraph_format.space_before = Pt(99)  # the mark's top 35 mm into the text block
    styled_run(mark, issuer, TITLE_FONT, 26, RED_MARK)
    title.insert_paragraph_before("")
    number = title.insert_paragraph_before("")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(number, doc_number, "仿宋_GB2312", 16)
    border(number, "bottom", 12, "FF0000")  # the red separator, 4 mm below the number
    number.paragraph_format.space_after = Pt(28)  # one blank line before the title
    for piece in title.runs:  # 2号 小标宋, not bold
        _font(piece, TITLE_FONT, 22, bold=False)
