"""``office.table``: every cell's paragraph carries the 表格文字 style (set by id, looked up once
per table instead of twice per cell), the header repeats, values are formatted by kind."""

import io

import docx

from review_app.decision import office

COLUMNS = (("名称", 4, "text"), ("得分", 2, "score"), ("地市", 3, "centre"))


def _read(doc):
    out = io.BytesIO()
    doc.save(out)
    return docx.Document(io.BytesIO(out.getvalue()))


def test_every_cell_has_the_table_style_and_the_values():
    doc = office.document("测试", draft=False)
    office.table(doc, COLUMNS, [["甲公司", 91.256, "郑州市"], ["乙公司", None, "洛阳市"]])
    (table,) = _read(doc).tables
    cells = [c for row in table.rows for c in row.cells]
    assert len(cells) == 9
    assert {p.style.name for c in cells for p in c.paragraphs} == {"表格文字"}
    assert [c.text for c in table.rows[1].cells] == ["甲公司", "91.26", "郑州市"]
    assert [c.text for c in table.rows[2].cells] == ["乙公司", "—", "洛阳市"]
    assert [c.text for c in table.rows[0].cells] == ["名称", "得分", "地市"]
    header = table.rows[0]._tr.trPr
    assert header is not None and header.xml.count("tblHeader") == 1


def test_an_empty_table_has_its_header_only():
    doc = office.document("测试", draft=True)
    office.table(doc, COLUMNS, [])
    (table,) = _read(doc).tables
    assert len(table.rows) == 1
    assert {p.style.name for c in table.rows[0].cells for p in c.paragraphs} == {"表格文字"}
