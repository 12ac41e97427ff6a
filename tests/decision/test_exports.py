"""Decision exports: built from sample rows and read back with openpyxl and python-docx."""

import io
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from review_app.decision.exports import (
    ResultRow,
    RunSummary,
    admission_list_docx,
    admission_list_xlsx,
    decision_report_docx,
    prefecture_letter_docx,
    prefecture_results_xlsx,
    ranking_xlsx,
    track_title,
)

PROGRAM = "2026年卓越级领航级智能工厂培育"
SECTIONS = [
    ("basis", "实施背景和基础条件"),
    ("integration", "集成贯通情况"),
    ("ai", "人工智能应用"),
]
ORDER = {"郑州市": 1, "开封市": 2, "洛阳市": 3}
EVIL = '=HYPERLINK("http://evil.example","点击")'
TRACK_NAMES = {"excellent": "卓越级培育", "leading": "领航级培育"}


def _row(track, code, prefecture, rank, score, outcome, **extra) -> ResultRow:
    values = dict(
        track=track, track_name=TRACK_NAMES[track], rank=rank, anon_code=code,
        enterprise=f"{code}智能装备有限公司", uscc=f"91410100MA{code:0>8}",
        prefecture=prefecture, prefecture_order=ORDER[prefecture], priority_rank=1,
        raw_score=score, calibrated_score=None if score is None else score - 0.5,
        final_score=score, section_scores={"basis": 8.5, "integration": 7.25},
        honours="", maturity_level=3, inspection="未抽查", deduction=0.0, outcome=outcome,
        explanation="按综合得分排序。",
    )  # fmt: skip
    values.update(extra)
    return ResultRow(**values)


# Excellent track: capacity 5; E02 deducted, E03/E04 tied, E05 named like a formula, E09 vetoed.
# Rows are given out of order on purpose.
EXCELLENT = [
    _row("excellent", "E06", "郑州市", 6, 85.0, "rejected", priority_rank=3),
    _row("excellent", "E01", "郑州市", 1, 95.1, "admitted", inspection="属实"),
    _row("excellent", "E09", "郑州市", None, None, "rejected", priority_rank=4,
         inspection="不属实", explanation="实地抽查不属实，一票否决。"),
    _row("excellent", "E02", "洛阳市", 2, 93.0, "admitted", inspection="基本属实",
         deduction=2.0, explanation="实地抽查基本属实，扣2分。"),
    _row("excellent", "E03", "开封市", 3, 90.5, "admitted",
         explanation="与E04同分，荣誉称号优先。", honours="国家级专精特新“小巨人”"),
    _row("excellent", "E04", "郑州市", 4, 90.5, "admitted", priority_rank=2),
    _row("excellent", "E05", "洛阳市", 5, 88.0, "admitted", priority_rank=2, enterprise=EVIL,
         section_scores={"basis": 9.0, "integration": 8.0, "ai": 6.5}),
    _row("excellent", "E07", "开封市", 7, 80.0, "rejected", priority_rank=2),
    _row("excellent", "E08", "洛阳市", 8, 70.0, "rejected", priority_rank=3, uscc="-1+2"),
]  # fmt: skip
LEADING = [
    _row("leading", "L03", "洛阳市", 3, 84.0, "rejected"),
    _row("leading", "L01", "郑州市", 1, 92.0, "admitted"),
    _row("leading", "L02", "开封市", 2, 89.0, "admitted"),
]


def _summary(track="excellent", confirmed=True, **extra) -> RunSummary:
    values = dict(
        program_name=PROGRAM, track=track, track_name=TRACK_NAMES[track],
        capacity=5 if track == "excellent" else 2, min_score=60.0, use_calibration=True,
        honours_mode="tiebreak", candidates=9 if track == "excellent" else 3,
        admitted=5 if track == "excellent" else 2, vetoed=1 if track == "excellent" else 0,
        inspected=3 if track == "excellent" else 0, cut_rank=5 if track == "excellent" else 2,
        cut_score=88.0 if track == "excellent" else 89.0,
        confirmed_by="张处长" if confirmed else None,
        confirmed_at="2026-04-28 10:00" if confirmed else None, run_id=7,
    )  # fmt: skip
    values.update(extra)
    return RunSummary(**values)


def _sheet_rows(data: bytes, sheet: str | None = None):
    """(header row number, header values, data rows) of a sheet, reading past the title rows."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.active
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] in ("序号", "排名", "赛道", "参数"))
    return ws, list(rows[header]), [list(r) for r in rows[header + 1 :]]


def _docx(data: bytes):
    return Document(io.BytesIO(data))


def _table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _body_text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


# -- titles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "track", "expected"),
    [
        (PROGRAM, "卓越级培育", "2026年卓越级智能工厂培育"),
        (PROGRAM, "领航级智能工厂培育", "2026年领航级智能工厂培育"),
        ("2026年河南省智能工厂培育", "卓越级培育", "2026年河南省卓越级智能工厂培育"),
        ("2026年河南省卓越级智能工厂培育", "卓越级培育", "2026年河南省卓越级智能工厂培育"),
        ("专项评审", "领航级培育", "专项评审（领航级培育）"),
    ],
)
def test_track_title(program, track, expected):
    assert track_title(program, track) == expected


# -- 入库名单 -------------------------------------------------------------------------------------


def test_admission_list_xlsx_holds_admitted_rows_by_prefecture_then_rank():
    ws, header, rows = _sheet_rows(admission_list_xlsx(_summary(), EXCELLENT))
    assert header == ["序号", "地市", "企业名称", "统一社会信用代码", "综合得分", "全省排名"]
    assert ws["A1"].value == "2026年卓越级智能工厂培育入库名单"
    assert [(r[0], r[1], r[5]) for r in rows] == [
        (1, "郑州市", 1), (2, "郑州市", 4), (3, "开封市", 3), (4, "洛阳市", 2), (5, "洛阳市", 5),
    ]  # fmt: skip
    assert [r[4] for r in rows] == [95.1, 90.5, 90.5, 93.0, 88.0]  # numbers, not text
    assert ws.cell(row=3, column=5).number_format == "0.00"
    # Print and view setup: header frozen and repeated, A4 portrait one page wide.
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.column_dimensions["C"].width == 36


def test_admission_list_xlsx_marks_a_draft():
    ws, header, rows = _sheet_rows(admission_list_xlsx(_summary(confirmed=False), EXCELLENT))
    assert ws["A2"].value == "（草稿，未经确认）"
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert len(rows) == 5
    ws, _, _ = _sheet_rows(admission_list_xlsx(_summary(), EXCELLENT))
    assert ws["A2"].value == "序号"


def test_user_text_starting_like_a_formula_is_stored_as_text():
    data = admission_list_xlsx(_summary(), EXCELLENT)
    ws, _, rows = _sheet_rows(data)
    assert [r[2] for r in rows if r[2] == EVIL] == [EVIL]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == EVIL)
    assert cell.data_type == "s" and cell.quotePrefix
    for export in (admission_list_xlsx(_summary(), EXCELLENT),
                   ranking_xlsx(_summary(), EXCELLENT, SECTIONS),
                   prefecture_results_xlsx([_summary()], "洛阳市", EXCELLENT)):  # fmt: skip
        with zipfile.ZipFile(io.BytesIO(export)) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            assert sheets and not any(b"<f>" in z.read(n) for n in sheets)


def test_admission_list_docx_has_the_same_rows_in_official_fonts():
    doc = _docx(admission_list_docx(_summary(), EXCELLENT))
    assert doc.paragraphs[0].text == "2026年卓越级智能工厂培育入库名单"
    assert "草稿" not in _body_text(doc)
    (table,) = doc.tables
    rows = _table_rows(table)
    assert rows[0] == ["序号", "地市", "企业名称", "统一社会信用代码", "综合得分", "全省排名"]
    assert [(r[0], r[1], r[2], r[4], r[5]) for r in rows[1:]] == [
        ("1", "郑州市", "E01智能装备有限公司", "95.10", "1"),
        ("2", "郑州市", "E04智能装备有限公司", "90.50", "4"),
        ("3", "开封市", "E03智能装备有限公司", "90.50", "3"),
        ("4", "洛阳市", "E02智能装备有限公司", "93.00", "2"),
        ("5", "洛阳市", EVIL, "88.00", "5"),
    ]
    # East Asian fonts are named through w:eastAsia, with no theme font to override them.
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    title_fonts = doc.paragraphs[0].runs[0].element.rPr.rFonts
    assert title_fonts.get(qn("w:eastAsia")) == "宋体"
    # A4, the header row repeats, nothing empty trails the table.
    assert round(doc.sections[0].page_width.mm) == 210
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert doc.element.body[-2].tag == qn("w:tbl")  # the last child is w:sectPr


def test_admission_list_docx_draft_marker_only_for_a_staged_run():
    doc = _docx(admission_list_docx(_summary(confirmed=False), EXCELLENT))
    assert [p.text for p in doc.paragraphs if "草稿" in p.text] == ["（草稿，未经确认）"]
    assert len(_table_rows(doc.tables[0])) == 6


# -- 评审排名 -------------------------------------------------------------------------------------


def test_ranking_xlsx_holds_every_row_in_order_with_numbers_as_numbers():
    ws, header, rows = _sheet_rows(ranking_xlsx(_summary(), EXCELLENT, SECTIONS))
    assert header == [
        "排名", "匿名编号", "企业名称", "地市", "推荐顺序",
        "实施背景和基础条件", "集成贯通情况", "人工智能应用",
        "评审得分(原始)", "评审得分(校准)", "荣誉称号", "成熟度等级", "实地抽查", "扣分",
        "综合得分", "结果", "说明",
    ]  # fmt: skip
    col = {name: i for i, name in enumerate(header)}
    assert [r[col["匿名编号"]] for r in rows] == [f"E0{i}" for i in range(1, 10)]
    assert [r[col["排名"]] for r in rows] == [*range(1, 9), None]
    assert ws.page_setup.orientation == "landscape"
    first, fifth, vetoed = rows[0], rows[4], rows[8]
    assert first[col["实施背景和基础条件"]] == 8.5 and isinstance(first[col["集成贯通情况"]], float)
    assert first[col["人工智能应用"]] is None  # missing section: blank
    assert fifth[col["人工智能应用"]] == 6.5
    assert fifth[col["企业名称"]] == EVIL
    assert first[col["评审得分(校准)"]] == pytest.approx(94.6)
    assert [r[col["结果"]] for r in rows] == ["入库"] * 5 + ["未入库"] * 4
    assert vetoed[col["实地抽查"]] == "不属实" and vetoed[col["综合得分"]] is None
    assert rows[1][col["扣分"]] == 2.0 and rows[0][col["扣分"]] == 0.0
    numbers = ws.cell(row=3, column=col["集成贯通情况"] + 1)
    assert numbers.data_type == "n" and numbers.number_format == "0.00"


def test_ranking_xlsx_lists_the_parameters_on_a_second_sheet():
    data = ranking_xlsx(_summary(confirmed=False), EXCELLENT, SECTIONS)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["评审排名", "参数"]
    _, header, rows = _sheet_rows(data, "参数")
    params = dict(rows)
    assert header == ["参数", "值"]
    assert params["入库名额"] == 5 and params["最低分数线"] == 60.0
    assert params["使用校准得分"] == "是" and params["状态"] == "草稿（未经确认）"
    assert params["分数线名次"] == 5 and params["决定编号"] == 7


# -- 评审决定报告 ---------------------------------------------------------------------------------


def _report_table(doc, first_header: str):
    return next(_table_rows(t) for t in doc.tables if t.rows[0].cells[0].text == first_header)


def test_decision_report_counts_per_prefecture():
    doc = _docx(decision_report_docx(_summary(), EXCELLENT, SECTIONS))
    assert doc.paragraphs[0].text == "2026年卓越级智能工厂培育评审决定报告"
    assert _report_table(doc, "地市") == [
        ["地市", "推荐数", "入库数", "抽查数", "否决数"],
        ["郑州市", "4", "2", "2", "1"],
        ["开封市", "2", "1", "0", "0"],
        ["洛阳市", "3", "2", "1", "0"],
        ["合计", "9", "5", "3", "1"],
    ]
    admitted = _report_table(doc, "序号")
    assert [r[2] for r in admitted[1:]][:2] == ["E01智能装备有限公司", "E04智能装备有限公司"]
    text = _body_text(doc)
    assert "候选企业9家，入库5家（名额5家），否决1家，实地抽查3家" in text
    assert "入库分数线为第5名、综合得分88.00分" in text
    assert "已于2026-04-28 10:00由张处长确认" in text and "草稿" not in text
    means = _report_table(doc, "评审部分")
    assert means[3] == ["人工智能应用", "6.50", "6.50"]


def test_decision_report_lists_the_notable_cases():
    doc = _docx(decision_report_docx(_summary(confirmed=False), EXCELLENT, SECTIONS))
    notable = _report_table(doc, "排名")
    assert [(r[0], r[1][:3], r[3]) for r in notable[1:]] == [
        ("2", "E02", "扣2分"),
        ("3", "E03", "同分排序"),
        ("—", "E09", "否决/未排名、抽查不属实"),
    ]
    text = _body_text(doc)
    assert "（草稿，未经确认）" in text and "本报告为草稿" in text


def test_decision_report_without_notable_cases_or_cut_line():
    rows = [_row("leading", "L01", "郑州市", 1, 92.0, "admitted")]
    doc = _docx(decision_report_docx(_summary("leading", cut_rank=None, cut_score=None), rows, []))
    text = _body_text(doc)
    assert "未形成入库分数线" in text and "无否决、抽查不属实、扣分或同分排序情形" in text
    assert not any(t.rows[0].cells[0].text == "评审部分" for t in doc.tables)


# -- one prefecture ------------------------------------------------------------------------------


def test_prefecture_results_xlsx_holds_only_its_rows_across_tracks():
    summaries = [_summary(), _summary("leading")]
    data = prefecture_results_xlsx(summaries, "开封市", EXCELLENT + LEADING)
    ws, header, rows = _sheet_rows(data)
    assert ws["A1"].value == f"{PROGRAM}评审结果（开封市）"
    assert header == ["赛道", "推荐顺序", "企业名称", "统一社会信用代码", "综合得分", "全省排名",
                      "结果", "说明"]  # fmt: skip
    assert [(r[0], r[2][:3], r[5], r[6]) for r in rows] == [
        ("卓越级培育", "E03", 3, "入库"),
        ("卓越级培育", "E07", 7, "未入库"),
        ("领航级培育", "L02", 2, "入库"),
    ]
    assert isinstance(rows[0][4], float)
    assert ws["A2"].value == "赛道"  # both runs confirmed: no draft mark
    draft = prefecture_results_xlsx([_summary(), _summary("leading", confirmed=False)], "开封市",
                                    EXCELLENT + LEADING)  # fmt: skip
    assert _sheet_rows(draft)[0]["A2"].value == "（草稿，未经确认）"


def test_prefecture_letter_names_the_prefecture_counts_and_only_its_rows():
    data = prefecture_letter_docx(PROGRAM, "开封市", EXCELLENT + LEADING, date(2026, 4, 30))
    doc = _docx(data)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == f"关于{PROGRAM}评审结果的通知"
    assert texts[1] == "开封市工业和信息化主管部门："
    assert (
        "你单位共推荐3家、入库2家（其中卓越级培育推荐2家、入库1家；领航级培育推荐1家、入库1家）"
        in texts[2]
    )
    assert (
        "一、卓越级培育（推荐2家、入库1家）" in texts
        and "二、领航级培育（推荐1家、入库1家）" in texts
    )
    first, second = (_table_rows(t) for t in doc.tables)
    assert first == [
        ["序号", "企业名称", "结果", "综合得分", "说明"],
        ["1", "E03智能装备有限公司", "入库", "90.50", "与E04同分，荣誉称号优先。"],
        ["2", "E07智能装备有限公司", "未入库", "80.00", "按综合得分排序。"],
    ]
    assert [r[1] for r in second[1:]] == ["L02智能装备有限公司"]
    assert "草稿" not in "\n".join(texts)
    issuer, when = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (issuer.text, when.text) == ("河南省工业和信息化厅", "2026年4月30日")
    assert issuer.alignment == when.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert doc.element.body[-2].tag == qn("w:p") and when.text  # no empty paragraph trails


def test_prefecture_letter_for_one_track_and_a_named_issuer():
    data = prefecture_letter_docx(PROGRAM, "洛阳市", EXCELLENT, date(2026, 5, 6), issuer="某某厅")
    doc = _docx(data)
    texts = [p.text for p in doc.paragraphs]
    assert "你单位共推荐3家、入库2家。" in texts[2]  # one track: no breakdown
    (table,) = doc.tables
    assert [r[1] for r in _table_rows(table)[1:]] == [
        "E02智能装备有限公司", EVIL, "E08智能装备有限公司",
    ]  # fmt: skip
    assert texts[-2:] == ["某某厅", "2026年5月6日"]


def test_a_letter_states_the_latest_change_first_and_the_ranking_as_the_original_conclusion():
    history = "综合得分排名第2，予以入库。\n撤销拟入库：第1号异议经核查成立"
    rows = [replace(EXCELLENT[1], outcome="rejected", explanation=history)]
    letter = _docx(prefecture_letter_docx(PROGRAM, "郑州市", rows, date(2026, 4, 30)))
    said = _table_rows(letter.tables[0])[1][4]
    assert said.startswith("撤销拟入库：第1号异议经核查成立")
    assert said.endswith("（原评审结论：综合得分排名第2，予以入库。）")
    # the ranking export keeps the history in its order
    _, _, sheet_rows = _sheet_rows(ranking_xlsx(_summary(), rows, SECTIONS))
    assert history in [str(c) for c in sheet_rows[0]]


def test_control_characters_in_user_text_do_not_break_the_documents():
    rows = [replace(EXCELLENT[1], enterprise="E01\x0b智能\x07装备", explanation="第一行\n第二行")]
    doc = _docx(admission_list_docx(_summary(), rows))
    assert _table_rows(doc.tables[0])[1][2] == "E01智能装备"
    letter = _docx(prefecture_letter_docx(PROGRAM, "郑州市", rows, date(2026, 4, 30)))
    assert _table_rows(letter.tables[0])[1][4] == "第二行（原评审结论：第一行）"
    ws, _, sheet_rows = _sheet_rows(ranking_xlsx(_summary(), rows, SECTIONS))
    assert sheet_rows[0][2] == "E01智能装备"
