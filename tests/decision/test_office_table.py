"""``office.table`` builds its first data row cell by cell and copies it for the others; the
document is the one the former cell-by-cell build gave (kept here as the reference)."""

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from review_app.decision import office

COLUMNS = (("匿名编号", 3, "centre"), ("评审章节", 4, "text"), ("评分项", 6, "text"),
           ("得分", 2, "score"), ("人数", 1, "int"))  # fmt: skip
ROWS = [
    (f"A{i:03d}", "章节\t标题" if i % 5 == 0 else "章节标题",
     "指标（满分10）\n第二行" if i % 7 == 0 else (" 前后有空格 " if i % 11 == 0 else ""),
     [7.5, None, 3, "不适用", 0.0][i % 5],
     [1, None, 0][i % 3])
    for i in range(40)
]  # fmt: skip


def reference_table(doc, columns, rows):
    tbl = doc.add_table(rows=1, cols=len(columns))
    tbl.style = doc.styles["Table Grid"]
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl.autofit = False
    total = sum(width for _, width, _ in columns)
    widths = [Mm(office._TEXT_WIDTH_MM * width / total) for _, width, _ in columns]
    for column, width in zip(tbl.columns, widths, strict=True):
        column.width = width

    def fill(cells, values, header: bool) -> None:
        for cell, width, (_, _, kind), value in zip(cells, widths, columns, values, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.style = doc.styles[office._TABLE_STYLE]
            left = kind == "text" and not header
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(office._cell_text(value, "text" if header else kind)).bold = header or None

    fill(tbl.rows[0].cells, [label for label, _, _ in columns], header=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tbl.rows[0]._tr.get_or_add_trPr().append(repeat)
    for values in rows:
        fill(tbl.add_row().cells, values, header=False)
    return tbl


def _xml(build, rows) -> bytes:
    doc = office.document("评分表", draft=True)
    build(doc, COLUMNS, rows)
    build(doc, COLUMNS[:2], [r[:2] for r in rows])
    return doc.element.xml.encode()


def test_the_table_is_the_one_built_cell_by_cell():
    for rows in (ROWS, ROWS[:1], [], ROWS[:3]):
        assert _xml(office.table, rows) == _xml(reference_table, rows), len(rows)
