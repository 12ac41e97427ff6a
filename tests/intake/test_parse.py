"""Parsing the 申报书 (.docx) as applicants fill it in: headings, numbering, ticks, numbers,
instructions, merged cells, content controls, tracked changes, text boxes, both tracks."""

import zipfile
from io import BytesIO

import docx
import pytest

from review_app.applications.catalogue import BY_KEY
from review_app.intake import docx_blocks
from review_app.intake.layout import instruction
from review_app.intake.parsed import BLOCKING, WARNING, UnreadableFile
from review_app.intake.parser import parse_docx

from . import docgen


def parse(doc):
    return parse_docx(docgen.to_bytes(doc))


def codes(parsed):
    return sorted((p.code, p.severity, p.field) for p in parsed.problems)


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_complete_application_reads_back_every_field(track):
    expected = docgen.sample(track)
    parsed = parse(docgen.build(expected))
    assert docgen.fields(parsed) == docgen.fields(expected)
    assert parsed.problems == []


def test_leading_document_has_its_own_sections():
    parsed = parse(docgen.build(docgen.sample("leading")))
    assert parsed.track == "leading"
    assert {"overview.tech_change", "link.scenarios", "scheme.measures"} <= set(parsed.sections)
    assert not any(k.startswith("plan.") for k in parsed.sections)


# -- headings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["style", "zh_style", "bold", "plain"])
@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_heading_forms(how, track):
    expected = docgen.sample(track)
    parsed = parse(docgen.build(expected, how=how))
    assert parsed.sections == expected.sections
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("section_numbering", "link_numbering"),
    [
        ("（{cn}）", "{n}."),
        ("（{cn}） ", "{n}. "),
        ("({cn})", "{n}、"),
        ("( {cn} ) ", "{n} 、"),
        ("{cn}、", "１．"),
        ("{cn}. ", "（{n}）"),
        ("（{cn}）", "({n}) "),
        ("（{cn}）", "{n}．"),
        ("", ""),
    ],
)
@pytest.mark.parametrize("how", ["style", "bold"])
def test_numbering_forms(section_numbering, link_numbering, how):
    expected = docgen.sample("excellent")
    doc = docgen.build(
        expected, how=how, section_numbering=section_numbering, link_numbering=link_numbering
    )
    assert parse(doc).sections == expected.sections


@pytest.mark.parametrize(
    ("section_numbering", "link_numbering"),
    [("（{cn}）", "{n}."), ("({cn}) ", "{n}、"), ("{cn}、", "１．"), ("（{cn}）", "{n}. ")],
)
def test_plain_paragraphs_are_headings_when_numbered(section_numbering, link_numbering):
    expected = docgen.sample("leading")
    doc = docgen.build(
        expected, how="plain", section_numbering=section_numbering, link_numbering=link_numbering
    )
    assert parse(doc).sections == expected.sections


def test_plain_unnumbered_title_is_text_not_a_heading():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, how="plain", section_numbering="", link_numbering="")
    parsed = parse(doc)
    assert "overview.background" not in parsed.sections
    assert ("section_missing", BLOCKING, "overview.background") in codes(parsed)


def test_automatic_list_numbering_makes_a_heading():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, how="plain", section_numbering="", link_numbering="")
    titles = {spec.title for spec in BY_KEY.values()}
    for p in doc.paragraphs:
        if p.text in titles:
            numpr = docx.oxml.parse_xml(
                f"<w:numPr {docx.oxml.ns.nsdecls('w')}><w:ilvl w:val='0'/><w:numId w:val='1'/>"
                "</w:numPr>"
            )
            p._p.get_or_add_pPr().append(numpr)
    assert parse(doc).sections == expected.sections


def test_title_of_an_earlier_part_inside_a_later_section_stays_text():
    expected = docgen.sample("excellent")
    expected.sections["plan.content"] = (
        "1. 工厂建设\n建设数字孪生车间。\n（二）集成贯通情况\n打通数据。"
    )
    parsed = parse(docgen.build(expected, how="bold"))
    assert parsed.sections == expected.sections


def test_heading_with_text_after_a_colon():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, how="plain")
    docgen.find_paragraph(doc, "（一）实施背景和基础条件").text = "（一）实施背景和基础条件：概述。"
    parsed = parse(doc)
    assert parsed.sections["overview.background"] == (
        "概述。\n" + expected.sections["overview.background"]
    )


# -- narrative and instructions -----------------------------------------------------------------


@pytest.mark.parametrize("instructions", [True, False])
@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_instruction_lines_left_in_or_deleted(instructions, track):
    expected = docgen.sample(track)
    parsed = parse(docgen.build(expected, instructions=instructions))
    assert parsed.sections == expected.sections


def test_instruction_typed_over_keeps_only_the_applicants_text():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, instructions=True)
    line = docgen.find_paragraph(
        doc, "围绕智能工厂建设实施背景、基础条件、建设历程、核心产品等方面进行描述，不超过1000字。"
    )
    line.text = "（围绕智能工厂建设实施背景、基础条件、建设历程、核心产品等方面进行描述，不超过1000字。）本公司始建于2005年。"
    parsed = parse(doc)
    assert parsed.sections["overview.background"].startswith("本公司始建于2005年。\n")


def test_instruction_slightly_edited_is_still_removed():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, instructions=False)
    heading = docgen.find_paragraph(doc, "（二）集成贯通情况")
    note = doc.add_paragraph("围绕智能工厂总体架构、系统集成等方面进行描述，不超过1500字")
    heading._p.addnext(note._p)
    assert parse(doc).sections == expected.sections


def test_narrative_in_one_paragraph_with_line_breaks():
    expected = docgen.sample("excellent")
    assert parse(docgen.build(expected, split=False)).sections == expected.sections


def test_narrative_over_many_paragraphs_is_joined_with_newlines():
    expected = docgen.sample("excellent")
    expected.sections["link.rnd"] = "\n".join(f"第{i}段研发设计内容。" for i in range(1, 13))
    doc = docgen.build(expected)
    heading = docgen.find_paragraph(doc, "1. 工厂建设")
    heading.insert_paragraph_before("　　")  # blank lines with full-width spaces are dropped
    parsed = parse(doc)
    assert parsed.sections["link.rnd"] == expected.sections["link.rnd"]


def test_table_inside_a_section_becomes_lines_of_text():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    table = doc.add_table(rows=2, cols=2)
    for (r, c), text in {
        (0, 0): "指标",
        (0, 1): "目标值",
        (1, 0): "设备联网率",
        (1, 1): "98%",
    }.items():
        table.cell(r, c).text = text
    parsed = parse(doc)
    goals = expected.sections["plan.promotion"]
    assert parsed.sections["plan.promotion"] == goals + "\n指标\t目标值\n设备联网率\t98%"


def test_the_whole_form_kept_with_the_other_tracks_parts_left_empty():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, both_subparts=True)
    docgen.heading(doc, "五、领航级智能工厂培育企业实施方案", 1, "style")
    for i, key in enumerate(("scheme.goals", "scheme.measures", "scheme.safeguards")):
        docgen.heading(doc, f"（{docgen.CN[i]}）{BY_KEY[key].title}", 2, "style")
        doc.add_paragraph(instruction(key, "leading"))
    parsed = parse(doc)
    assert parsed.sections == expected.sections
    assert parsed.problems == []


# -- part 三's two sub-parts --------------------------------------------------------------------


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_links_come_from_the_sub_part_of_the_track(track):
    expected = docgen.sample(track)
    parsed = parse(docgen.build(expected, both_subparts=True))
    assert parsed.sections == expected.sections
    assert parsed.problems == []


def test_links_come_from_the_other_sub_part_when_the_tracks_one_is_empty():
    written = docgen.sample("leading")
    doc = docgen.build(written, both_subparts=True)
    values = docgen.cells(written)
    docgen.find_cell(doc, values["track"]).paragraphs[
        0
    ].text = "☑卓越级智能工厂培育 □领航级智能工厂培育"
    parsed = parse(doc)
    assert parsed.track == "excellent"
    for key in ("link.factory", "link.operations"):
        assert parsed.sections[key] == written.sections[key]


# -- ticks --------------------------------------------------------------------------------------

TICKS = ["☑", "■", "√", "✓", "☒", "✔", "[√]", "(√)", "（√）", "▣", "√□"]


@pytest.mark.parametrize("tick", TICKS)
def test_tick_glyphs(tick):
    expected = docgen.sample("leading")
    parsed = parse(docgen.build(expected, tick=tick))
    assert docgen.fields(parsed) == docgen.fields(expected)


def test_tick_written_after_the_option():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected, values={"nature": "□中央企业 □地方国企 民营企业√ □三资企业"})
    assert parse(doc).enterprise.nature == "民营企业"


def test_symbol_font_ticks():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    cell = docgen.find_cell(doc, docgen.cells(expected)["size"])
    docgen.write_symbol_options(
        cell, [(False, "大型企业"), (True, "中型企业"), (False, "小型企业")]
    )
    assert parse(doc).enterprise.size == "中型企业"


def test_only_the_chosen_option_left_in_counts():
    doc = docgen.build(docgen.sample("excellent"), values={"nature": "三资企业"})
    assert parse(doc).enterprise.nature == "三资企业"


def test_no_track_ticked_is_blocking():
    parsed = parse(docgen.build(docgen.sample("excellent"), values={"track": "□卓越级 □领航级"}))
    assert parsed.track is None
    assert ("track_missing", BLOCKING, "track") in codes(parsed)


def test_both_tracks_ticked_is_blocking():
    values = {"track": "☑卓越级智能工厂培育  ☑领航级智能工厂培育"}
    parsed = parse(docgen.build(docgen.sample("excellent"), values=values))
    assert parsed.track is None
    assert ("track_ambiguous", BLOCKING, "track") in codes(parsed)


def test_two_natures_ticked_is_an_ambiguity_warning():
    values = {"nature": "☑中央企业 □地方国企 ☑民营企业 □三资企业", "national": "☑是 ☑否"}
    parsed = parse(docgen.build(docgen.sample("excellent"), values=values))
    assert parsed.enterprise.nature is None
    assert parsed.national_excellent is None
    assert ("tick_ambiguous", WARNING, "enterprise.nature") in codes(parsed)
    assert ("tick_ambiguous", WARNING, "national_excellent") in codes(parsed)


def test_yes_no_answers_and_their_names():
    values = {
        "provincial": "□是（项目名称：      ）   ☑否",
        "honours": "√是（名称：省级智能工厂）□否",
        "accidents": "☑是（名称：2024年一般安全事故）  □否",
        "infra": "□工业机器人/自动化生产线 □工业互联网平台 □智能仓储/物流系统 "
        "□数字化设计工具（如CAD/CAE/CAM等） □其他：______",
    }
    parsed = parse(docgen.build(docgen.sample("excellent"), values=values))
    assert (parsed.provincial_demo, parsed.provincial_demo_project) == (False, None)
    assert (parsed.has_honours, parsed.honours) == (True, "省级智能工厂")
    assert (parsed.accidents, parsed.accidents_detail) == (True, "2024年一般安全事故")
    assert (parsed.infrastructure, parsed.infrastructure_other) == ([], None)


def test_maturity_level_and_score():
    values = {"maturity": "□一级 □二级 □三级 ■四级 □五级\n（评估证明材料附后）评估分数：８６．５分"}
    parsed = parse(docgen.build(docgen.sample("excellent"), values=values))
    assert (parsed.maturity_level, parsed.maturity_score) == (4, 86.5)


# -- numbers, location, industry ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1,234.5", 1234.5),
        ("1，234.5", 1234.5),
        ("１２３４", 1234.0),
        ("１，２３４．５万元", 1234.5),
        ("12.5%", 12.5),
        ("12.5％", 12.5),
        ("3,000万元", 3000.0),
        ("-2.5", -2.5),
        ("2023", 2023.0),
        ("—", None),
        ("-", None),
        ("/", None),
        ("", None),
    ],
)
def test_figures_as_written(written, value):
    doc = docgen.build(docgen.sample("excellent"), values={"2024.revenue": written})
    assert parse(doc).figures["2024"].revenue == value


@pytest.mark.parametrize(
    ("written", "prefecture", "county"),
    [
        ("洛阳市涧西区", "洛阳市", "涧西区"),
        ("郑州市 中牟县", "郑州市", "中牟县"),
        ("河南省新乡市长垣市", "新乡市", "长垣市"),
        ("济源", "济源示范区", None),
        ("济源市", "济源示范区", None),
        ("郑州航空港经济综合实验区", "航空港区", None),
        ("航空港区", "航空港区", None),
        ("XX市XX县（区）", None, None),
    ],
)
def test_location(written, prefecture, county):
    doc = docgen.build(docgen.sample("excellent"), values={"location": written})
    e = parse(doc).enterprise
    assert (e.prefecture, e.county) == (prefecture, county)


@pytest.mark.parametrize(
    ("section", "division", "group"),
    [
        ("C", "34", "342"),
        ("C 制造业", "34 通用设备制造业", "342金属加工机械制造"),
        ("C制造业", "C34", "C342"),
        ("制造业", "通用设备制造业", "金属加工机械制造"),
    ],
)
def test_industry_codes(section, division, group):
    values = {"section": section, "division": division, "group": group}
    industry = parse(docgen.build(docgen.sample("excellent"), values=values)).enterprise.industry
    assert (industry.section, industry.division, industry.group) == ("C", "34", "342")


def test_uscc_written_with_spaces_and_full_width():
    values = {"uscc": "９１４１ 0300MA9XK2L63b"}
    parsed = parse(docgen.build(docgen.sample("excellent"), values=values))
    assert parsed.enterprise.uscc == "91410300MA9XK2L63B"


# -- the table's layout -------------------------------------------------------------------------


def test_label_variants_and_values_in_the_label_cell():
    expected = docgen.sample("excellent")
    spec = docgen.rows(docgen.cells(expected))
    spec[1] = [("企业名称：河南中原智能装备有限公司", 7)]
    spec[2][0] = "统 一 社 会\n信 用 代 码"
    spec[9][0] = "法定代表人\n/负责人"
    spec[24][0] = "企\n\n业\n\n简\n\n介"
    parsed = parse(docgen.build(expected, table=spec))
    assert docgen.fields(parsed) == docgen.fields(expected)


def test_profile_instruction_left_in_the_cell():
    expected = docgen.sample("excellent")
    profile = (
        "（发展历程、主营业务、市场份额等方面基本情况，不超过1000字。）\n"
        + (expected.sections["profile"])
    )
    parsed = parse(docgen.build(expected, values={"profile": profile}))
    assert parsed.sections["profile"] == expected.sections["profile"]


def test_merged_cells_are_read_once_and_continuations_skipped():
    doc = docx.Document()
    docgen.add_table(doc, [["甲", ("乙", 3)], [docgen.UP, "丙", ("丁", 2)]], cols=4)
    (table,) = list(docx_blocks.iter_blocks(doc))
    assert table.texts() == [["甲", "乙"], ["丙", "丁"]]
    assert [(c.col, c.span) for c in table.rows[1]] == [(1, 1), (2, 2)]


def test_contact_spans_two_rows():
    e = parse(docgen.build(docgen.sample("excellent"))).enterprise
    assert (e.contact.name, e.contact.phone) == ("李明", "13803791234")
    assert (e.contact.title, e.contact.email) == ("智能制造部部长", "liming@example.com")
    assert (e.legal_rep.name, e.legal_rep.phone) == ("张建国", "0379-64321234")


def test_table_split_in_two_across_a_page():
    expected = docgen.sample("excellent")
    spec = docgen.rows(docgen.cells(expected))
    doc = docgen.build(expected, table=spec[:12])
    second = docgen.add_table(doc, spec[12:])
    doc.tables[0]._tbl.addnext(second._tbl)
    assert docgen.fields(parse(doc)) == docgen.fields(expected)


# -- text the python-docx API does not show -----------------------------------------------------


def test_text_in_content_controls():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    first = expected.sections["link.factory"].split("\n")[0]
    docgen.wrap_in_content_control(docgen.find_paragraph(doc, first))
    docgen.wrap_runs_in_content_control(
        docgen.find_cell(doc, expected.enterprise.name).paragraphs[0]
    )
    docgen.wrap_in_content_control(docgen.find_paragraph(doc, "（二）集成贯通情况"))
    assert docgen.fields(parse(doc)) == docgen.fields(expected)


def test_content_control_showing_its_prompt_is_not_text():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    heading = docgen.find_paragraph(doc, "（三）成长性分析")
    prompt = doc.add_paragraph("单击或点击此处输入文字。")
    heading._p.addnext(prompt._p)
    docgen.wrap_in_content_control(prompt, showing_placeholder=True)
    assert parse(doc).sections == expected.sections


def test_tracked_insertions_are_read_and_deletions_are_not():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    first = expected.sections["plan.goals"].split("\n")[0]
    paragraph = docgen.find_paragraph(doc, first)
    docgen.mark_inserted(paragraph)
    docgen.add_deleted(paragraph, "（删除的旧文字）")
    docgen.mark_inserted(docgen.find_paragraph(doc, "（三）成长性分析"))
    assert paragraph.text == ""  # python-docx alone does not see it
    assert parse(doc).sections == expected.sections


def test_text_box_is_read_once():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    first, second = expected.sections["plan.growth"].split("\n")
    docgen.add_text_box(docgen.find_paragraph(doc, first), ["文本框中的说明。", "第二行。"])
    parsed = parse(doc)
    assert parsed.sections["plan.growth"] == f"{first}\n文本框中的说明。\n第二行。\n{second}"


# -- missing sections and unreadable files ------------------------------------------------------


@pytest.mark.parametrize(
    ("track", "missing"),
    [("excellent", "plan.growth"), ("excellent", "link.rnd"), ("leading", "scheme.safeguards")],
)
def test_missing_or_empty_required_section(track, missing):
    written = docgen.sample(track)
    del written.sections[missing]
    parsed = parse(docgen.build(written))
    assert [(p.code, p.severity, p.field) for p in parsed.problems] == [
        ("section_missing", BLOCKING, missing)
    ]


def test_blank_profile_is_a_missing_section():
    written = docgen.sample("excellent")
    written.sections["profile"] = ""
    assert ("section_missing", BLOCKING, "profile") in codes(parse(docgen.build(written)))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7 not a word document",
        "申报书".encode(),
    ],
)
def test_non_docx_bytes_are_unreadable(data):
    with pytest.raises(UnreadableFile) as err:
        parse_docx(data)
    assert err.value.code == "unreadable"
    assert "Word" in err.value.message


def test_zip_that_is_not_a_word_document_is_unreadable():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableFile):
        parse_docx(buffer.getvalue())


def test_document_without_any_section_is_refused():
    doc = docx.Document()
    doc.add_paragraph("会议纪要")
    doc.add_paragraph("1. 讨论了年度计划。")
    doc.add_table(rows=1, cols=2).cell(0, 0).text = "议题"
    with pytest.raises(UnreadableFile) as err:
        parse(doc)
    assert err.value.code == "no_sections"
    assert err.value.message.startswith("未找到申报书的任何章节")


def test_rows_and_cells_inside_content_controls():
    doc = docx.Document()
    table = docgen.add_table(
        doc, [["企业名称", ("甲公司", 2)], ["工厂地址", ("乙路1号", 2)]], cols=3
    )
    docgen.wrap_element_in_content_control(table._tbl.tr_lst[1])  # a row-level control
    docgen.wrap_element_in_content_control(table._tbl.tr_lst[0].tc_lst[1])  # a cell-level one
    (block,) = list(docx_blocks.iter_blocks(doc))
    assert block.texts() == [["企业名称", "甲公司"], ["工厂地址", "乙路1号"]]


def test_heading_styles_and_boldness_are_reported():
    doc = docx.Document()
    doc.add_heading("二、智能工厂建设总体情况", level=1)
    bold = doc.add_paragraph()
    bold.add_run("（一）").bold = True
    bold.add_run("实施背景和基础条件").bold = True
    doc.add_paragraph("正文")
    blocks = list(docx_blocks.iter_blocks(doc))
    assert [(b.is_heading_level, b.is_bold) for b in blocks] == [
        (1, True),
        (None, True),
        (None, False),
    ]
    assert blocks[0].style_name == "Heading 1"


def test_table_laid_out_by_hand():
    expected = docgen.sample("excellent")
    doc = docgen.build(expected)
    handmade = docgen.add_table(
        doc,
        [
            ["企业名称：甲智能装备有限公司", "统一社会信用代码：91410100MA9XK2L63B"],
            ["法人代表", "王五", "电话", "0371-1234567"],
            ["联系人：赵六", "电话/手机：13700000000", "职务", "经理"],
        ],
        cols=4,
    )
    doc.tables[0]._tbl.addprevious(handmade._tbl)  # read first: its values win
    e = parse(doc).enterprise
    assert (e.name, e.uscc) == ("甲智能装备有限公司", "91410100MA9XK2L63B")
    assert (e.legal_rep.name, e.legal_rep.phone) == ("王五", "0371-1234567")
    assert (e.contact.name, e.contact.phone, e.contact.title) == ("赵六", "13700000000", "经理")
