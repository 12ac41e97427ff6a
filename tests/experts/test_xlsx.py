"""The expert import sheet: template, reading, one error per bad cell, safe text cells."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from review_app.assignment.conflicts import Relation
from review_app.enterprises.uscc import make_uscc
from review_app.experts.xlsx import COLUMNS, read_experts_xlsx, template_xlsx
from review_app.intake.parsed import UnreadableFile

HEADERS = [header for _, header, _, _ in COLUMNS]
USCC = make_uscc("410300", "MA000001")


def sheet(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good(name="王五", employer="郑州大学", **cells):
    values = dict.fromkeys(HEADERS, None)
    values |= {"姓名*": name, "工作单位*": employer}
    values |= cells
    return [values[h] for h in HEADERS]


def test_template_reads_back_without_errors_and_skips_example():
    result = read_experts_xlsx(template_xlsx())
    assert result.errors == [] and result.rows == []


def test_template_example_is_a_valid_row():
    wb = load_workbook(io.BytesIO(template_xlsx()))
    ws = wb.active
    assert [c.value for c in ws[1]] == HEADERS
    assert str(ws["A2"].value).startswith("填写说明")
    ws["A3"] = "张三"  # the example without its marker
    buf = io.BytesIO()
    wb.save(buf)
    result = read_experts_xlsx(buf.getvalue())
    assert result.errors == []
    (row,) = result.rows
    assert (row.name, row.row, row.prefecture, row.phone) == ("张三", 3, "郑州市", "13800000000")
    assert row.specialties == ["link.production", "link.prod_mgmt"]
    assert row.industries == ["34", "35"] and row.capacity == 10
    assert row.relations[0] == Relation(None, "洛阳某某精密制造有限公司", "employment", 2019, 2022)
    assert row.relations[1].kind == "consultancy" and row.relations[1].uscc
    assert row.username == "zhangsan"


def test_template_formula_looking_cells_are_text():
    ws = load_workbook(io.BytesIO(template_xlsx())).active
    triggers = ("=", "+", "-", "@")
    risky = [c for row in ws.iter_rows() for c in row if str(c.value or "").startswith(triggers)]
    assert risky, "the example phone +86… starts with a formula trigger"
    for cell in risky:
        assert cell.data_type == "s" and cell.quotePrefix is True


def test_good_row_parsed_with_all_columns():
    data = sheet(
        good(
            "赵六",
            "洛阳中原轴承集团有限公司技术中心",
            所在地市="郑州航空港经济综合实验区",
            职称="教授",
            电话="0379-64881234",
            邮箱="Zhao@Example.com",
            擅长重点环节="工厂建设，研发设计、综合、运营管理组",
            擅长行业大类="C34,35，34",
            评审容量=0,
            关联企业=f"{USCC}|持股|2021；洛阳某某有限公司｜曾任职｜2019-至今\n河南某某公司|其他",
            账号="zhao6",
        )
    )
    result = read_experts_xlsx(data)
    assert result.errors == []
    (row,) = result.rows
    assert row.prefecture == "航空港区" and row.title == "教授"
    assert row.phone == "0379-64881234" and row.email == "zhao@example.com"
    assert row.specialties == ["link.factory", "link.rnd", "general", "link.operations"]
    assert row.industries == ["34", "35"] and row.capacity == 0
    assert row.relations == [
        Relation(USCC, None, "shareholding", 2021, 2021),
        Relation(None, "洛阳某某有限公司", "employment", 2019, None),
        Relation(None, "河南某某公司", "other", None, None),
    ]


def test_every_kind_of_bad_cell_gives_one_error_with_row_and_column():
    bad_uscc = USCC[:-1] + ("0" if USCC[-1] != "0" else "1")
    data = sheet(
        good("甲", "单位甲"),  # row 2: good
        good(None, "单位乙"),  # row 3: 姓名 missing
        good("丙", None),  # row 4: 工作单位 missing
        good("丁", "单位丁", 所在地市="上海市"),  # row 5
        good("戊", "单位戊", 电话="12345"),  # row 6
        good("己", "单位己", 邮箱="not-an-email"),  # row 7
        good("庚", "单位庚", 擅长重点环节="工厂建设、喝茶"),  # row 8
        good("辛", "单位辛", 擅长行业大类="34、99"),  # row 9
        good("壬", "单位壬", 评审容量="-1"),  # row 10
        good("癸", "单位癸", 关联企业=f"{bad_uscc}|咨询服务|2022-2024；某公司|朋友"),  # row 11
        good("子", "单位子", 关联企业="某公司|曾任职|2024-2019"),  # row 12
        good("丑", "单位丑", 账号="a b"),  # row 13
        good("甲", "单位甲"),  # row 14: duplicate of row 2
        good("寅", "单位寅", 电话="13912345678", 评审容量="3"),  # row 15: good
    )
    result = read_experts_xlsx(data)
    assert [r.row for r in result.rows] == [2, 15]
    assert result.rows[1].phone == "13912345678" and result.rows[1].capacity == 3
    by_row = {e.row: e.message for e in result.errors}
    assert len(result.errors) == len(by_row) == 12  # one error per bad cell
    expected = {
        3: ("A列", "姓名", "必填"),
        4: ("B列", "工作单位", "必填"),
        5: ("C列", "所在地市", "上海市"),
        6: ("E列", "电话", "12345"),
        7: ("F列", "邮箱", "not-an-email"),
        8: ("G列", "擅长重点环节", "喝茶"),
        9: ("H列", "擅长行业大类", "99"),
        10: ("I列", "评审容量", "-1"),
        11: ("J列", "关联企业", "校验位", "朋友"),
        12: ("J列", "关联企业", "晚于"),
        13: ("K列", "账号", "a b"),
        14: ("A列", "姓名", "第2行重复"),
    }
    for row, needles in expected.items():
        message = by_row[row]
        assert message.startswith(f"第{row}行")
        for needle in needles:
            assert needle in message, message
    assert "34" not in by_row[9].split("“")[1]  # only the bad code is named


def test_columns_found_by_header_in_any_order():
    wb = Workbook()
    ws = wb.active
    ws.append(["专家导入表"])
    ws.append(["工作单位", "评审容量", "姓名"])
    ws.append(["郑州大学", 5.0, "钱七"])
    buf = io.BytesIO()
    wb.save(buf)
    (row,) = read_experts_xlsx(buf.getvalue()).rows
    assert (row.name, row.employer, row.capacity, row.row) == ("钱七", "郑州大学", 5, 3)


def test_non_xlsx_and_headerless_files_raise():
    with pytest.raises(UnreadableFile):
        read_experts_xlsx(b"name,employer\n")
    wb = Workbook()
    wb.active.append(["无关", "内容"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(UnreadableFile) as info:
        read_experts_xlsx(buf.getvalue())
    assert info.value.code == "no_header"
