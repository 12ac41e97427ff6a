"""附件2 as .xlsx: the official layout, text never turned into formulas, and reading tables back,
ours or filled by hand."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from review_app.enterprises.uscc import make_uscc
from review_app.intake.parsed import UnreadableFile
from review_app.intake.summary_xlsx import SummaryRow, read_summary
from review_app.intake.summary_xlsx import write_summary as write_for_year

REVENUE_YEAR = 2025  # the 2026 notice's 附件2 reports 2025 revenue


def write_summary(unit, rows_by_track):
    return write_for_year(unit, rows_by_track, REVENUE_YEAR)


OFFICIAL = [
    "序号",
    "所在地市",
    "企业名称",
    "企业性质",
    "主营业务",
    "2025年营收（万元）",
    "智能制造能力成熟度评估结果",
    "所获荣誉",
    "联系人及电话",
    "备注",
]
USCC_A = make_uscc("410300", "12345678")
USCC_B = make_uscc("410100", "87654321")


def rows() -> dict[str, list[SummaryRow]]:
    return {
        "excellent": [
            SummaryRow(
                1, "洛阳市", "洛阳示例轴承有限公司", "民营企业", "精密轴承", 30000.5,
                "三级（3.42分）", "国家级专精特新“小巨人”", "赵六 13800000000", None, USCC_A,
            ),
            SummaryRow(2, "洛阳市", "洛阳示例机床有限公司", "地方国企", "数控机床", 125000.0,
                       "四级", None, "钱七 0379-6000000", "新建产线", None),
        ],
        "leading": [
            SummaryRow(1, "郑州市", "郑州示例客车有限公司", "民营企业", "客车", 2500000.0,
                       "五级（4.86分）", "国家卓越级智能工厂", "孙八 13900000000", None, USCC_B),
        ],
    }  # fmt: skip


def sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def values(ws, row: int) -> list:
    return [c.value for c in ws[row]][: len(OFFICIAL)]


def test_round_trip_keeps_every_row_and_the_unit():
    data = write_summary("洛阳市工业和信息化局", rows())
    result = read_summary(data)
    assert result.title_unit == "洛阳市工业和信息化局"
    assert result.rows == rows()
    assert result.errors == []


def test_official_layout():
    ws = sheet(write_summary("洛阳市工业和信息化局", rows()))
    assert ws["A1"].value == "卓越级领航级智能工厂培育企业推荐汇总表"
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "推荐单位（盖章）：洛阳市工业和信息化局"
    assert ws["A3"].value == "一、卓越级智能工厂培育企业"
    assert values(ws, 4) == OFFICIAL
    assert values(ws, 5)[:3] == [1, "洛阳市", "洛阳示例轴承有限公司"]
    assert values(ws, 6)[5] == 125000
    assert ws["A8"].value == "二、领航级智能工厂培育企业"
    assert values(ws, 9) == OFFICIAL
    assert values(ws, 10)[2] == "郑州示例客车有限公司"
    assert ws["A12"].value == "注：推荐各级智能工厂培育企业按优先次序排名"
    assert ws.max_row == 12
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


def test_uscc_is_kept_in_a_hidden_eleventh_column():
    ws = sheet(write_summary("洛阳市", rows()))
    assert ws["K4"].value == "统一社会信用代码" and ws["K5"].value == USCC_A
    assert ws.column_dimensions["K"].hidden is True
    assert ws["K6"].value is None and "统一社会信用代码" not in values(ws, 4)


def test_an_empty_block_has_three_blank_rows_and_reads_back_empty():
    data = write_summary("济源示范区", {"excellent": rows()["excellent"]})
    ws = sheet(data)
    assert ws["A8"].value == "二、领航级智能工厂培育企业"
    assert all(v is None for r in (10, 11, 12) for v in values(ws, r))
    assert ws["A10"].border.left.style == "thin"
    assert ws["A14"].value.startswith("注：")
    assert read_summary(data).rows["leading"] == []


def test_unknown_track_is_refused():
    with pytest.raises(ValueError, match="gold"):
        write_summary("洛阳市", {"gold": []})


DANGEROUS = ["=1+1", '=HYPERLINK("http://evil.example","点击")', "+SUM(A1:A2)", "-2+3", "@SUM(1)",
             "\t=1", "\r=1", "#N/A"]  # fmt: skip


def test_text_is_never_written_as_a_formula_or_an_error():
    items = [
        SummaryRow(i + 1, "洛阳市", text, text, text, 3000, text, text, text, text)
        for i, text in enumerate(DANGEROUS)
    ]
    data = write_summary("=cmd|' /C calc'!A0", {"excellent": items})
    ws = sheet(data)
    assert ws["A2"].value == "推荐单位（盖章）：=cmd|' /C calc'!A0"
    for offset, text in enumerate(DANGEROUS):
        for cell in ws[5 + offset][2:5]:
            assert (cell.value, cell.data_type) == (text, "s")
        if text[0] in "=+-@\t\r":
            assert ws.cell(row=5 + offset, column=3).quotePrefix is True
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml and b't="e"' not in xml
    back = read_summary(data).rows["excellent"]
    assert [r.name for r in back] == [t.strip() for t in DANGEROUS]  # the reader trims


def test_control_characters_are_dropped():
    item = SummaryRow(1, "洛阳市", "示例\x00有限\x07公司", "民营企业", "轴承", 3000)
    ws = sheet(write_summary("洛阳市", {"excellent": [item]}))
    assert ws["C5"].value == "示例有限公司"


# -- reading a table filled by hand ---------------------------------------------------------------


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hand_filled() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["附件2"])
    ws.append(["卓越级领航级智能工厂培育企业推荐汇总表"])
    ws.append(["推荐单位（盖章）：", "许昌市工业和信息化局"])
    ws.append([])
    ws.append(["一、卓越级智能工厂培育企业"])
    # half-width brackets, a line break in a header, a column order of its own
    ws.append(["序号", "所在地市", "企业名称", "企业\n性质", "主营业务", "2025年营收(万元)",
               "智能制造能力成熟度评估结果", "所获荣誉", "联系人及电话", "备注"])  # fmt: skip
    ws.append(["1", "许昌市", "许昌示例电气有限公司", "民营企业", "变压器", "12,345.6", "三级",
               None, "李四 13700000000", f"信用代码 {USCC_A.lower()}"])  # fmt: skip
    ws.append([])
    ws.append([2, "许昌市", "许昌示例发制品有限公司", "三资企业", "发制品", "１２３４５万元", "二级",
               "省级专精特新", 13600000000, None])  # fmt: skip
    ws.append([3])  # a pre-numbered blank line
    ws.append(["二、领航级智能工厂培育企业"])
    ws.append(OFFICIAL)
    ws.append([None, None, None])
    ws.append(["注：推荐各级智能工厂培育企业按优先次序排名"])
    return to_bytes(wb)


def test_hand_filled_table_is_read():
    result = read_summary(hand_filled())
    assert result.errors == []
    assert result.title_unit == "许昌市工业和信息化局"
    first, second = result.rows["excellent"]
    assert (first.seq, first.name, first.revenue) == (1, "许昌示例电气有限公司", 12345.6)
    assert first.uscc == USCC_A  # found in 备注
    assert (second.seq, second.revenue, second.contact) == (2, 12345.0, "13600000000")
    assert second.honours == "省级专精特新" and second.nature == "三资企业"
    assert result.rows["leading"] == []


def test_blocks_without_headings_are_excellent_then_leading():
    wb = Workbook()
    ws = wb.active
    ws.append(OFFICIAL)
    ws.append([1, "南阳市", "甲公司", "民营企业", "药品", 5000])
    ws.append(OFFICIAL)
    ws.append([1, "南阳市", "乙公司", "民营企业", "防爆电机", 90000])
    result = read_summary(to_bytes(wb))
    assert [r.name for r in result.rows["excellent"]] == ["甲公司"]
    assert [r.name for r in result.rows["leading"]] == ["乙公司"]


def test_row_errors_name_the_sheet_row():
    wb = Workbook()
    ws = wb.active
    ws.append(["一、卓越级智能工厂培育企业"])
    ws.append(OFFICIAL)
    ws.append([1, "周口市", "甲公司", "民营企业", "食品", "约一亿"])  # row 3
    ws.append([2, "周口市", None, "民营企业", "食品", 3000])  # row 4
    ws.append(["第三", "周口市", "丙公司", "民营企业", "食品", 3000])  # row 5
    ws.append([1, "周口市", "丁公司", "民营企业", "食品", None])  # row 6
    bad = USCC_A[:17] + ("1" if USCC_A[17] != "1" else "2")
    ws.append([5, "周口市", "戊公司", "民营企业", "食品", 3000, None, None, None, bad])  # row 7
    result = read_summary(to_bytes(wb))
    assert [str(e) for e in result.errors][0] == "第3行：2025年营收（万元）“约一亿”不是数字。"
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "第3行：2025年营收（万元）“约一亿”不是数字。"),
        (4, "第4行：缺少企业名称，该行未导入。"),
        (5, "第5行：序号“第三”不是正整数。"),
        (6, "第6行：“丁公司”缺少2025年营收（万元）。"),
        (6, "第6行：序号1重复。"),
        (7, f"第7行：统一社会信用代码“{bad}”有误：统一社会信用代码校验位不正确。"),
    ]
    read = [(r.row, r.name) for r in result.rows["excellent"]]
    assert read == [(3, "甲公司"), (5, "丙公司"), (6, "丁公司"), (7, "戊公司")]
    assert result.rows["excellent"][0].revenue is None
    assert result.rows["excellent"][1].seq == 2  # its position when the 序号 is unreadable
    assert result.rows["excellent"][3].uscc is None


def test_not_an_xlsx_is_unreadable():
    with pytest.raises(UnreadableFile) as err:
        read_summary("序号,企业名称\n1,甲公司\n".encode(), "洛阳汇总表.csv")
    assert err.value.code == "not_xlsx" and "“洛阳汇总表.csv”" in err.value.message


def test_a_corrupt_xlsx_is_unreadable():
    data = write_summary("洛阳市", rows())
    with pytest.raises(UnreadableFile) as err:
        read_summary(data[: len(data) - 200])
    assert err.value.code == "corrupt"


def test_a_workbook_with_damaged_xml_is_unreadable():
    data = write_summary("洛阳市", rows())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                body = body[: len(body) // 2]
            dst.writestr(info.filename, body)
    with pytest.raises(UnreadableFile) as err:
        read_summary(out.getvalue())
    assert err.value.code == "corrupt" and "损坏" in err.value.message


def test_a_sheet_without_the_header_is_refused():
    wb = Workbook()
    wb.active.append(["企业", "收入"])
    with pytest.raises(UnreadableFile) as err:
        read_summary(to_bytes(wb))
    assert err.value.code == "no_header" and "企业名称" in err.value.message
