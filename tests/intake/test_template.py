"""The 申报书 template: the blank form per track and the filled form, read back by the parser."""

from io import BytesIO

import docx
import pytest

from review_app.applications.catalogue import required_sections
from review_app.intake.docx_blocks import Paragraph, Table, iter_blocks
from review_app.intake.parsed import BLOCKING, ParsedApplication, YearFigures
from review_app.intake.parser import parse_docx
from review_app.intake.template import blank_template, filled_template

from . import docgen

TRACKS = ["excellent", "leading"]


def open_docx(data: bytes):
    return docx.Document(BytesIO(data))


@pytest.mark.parametrize("track", TRACKS)
def test_filled_template_round_trips(track):
    expected = docgen.sample(track)
    parsed = parse_docx(filled_template(track, expected))
    assert docgen.fields(parsed) == docgen.fields(expected)
    assert parsed.problems == []


@pytest.mark.parametrize("track", TRACKS)
def test_round_trip_with_answers_left_open_and_negative_figures(track):
    expected = docgen.sample(track)
    expected.enterprise.county = None
    expected.enterprise.contact.email = None
    expected.figures["2023"] = YearFigures(None, 0.0, 1234567.89, -12.25)
    expected.infrastructure, expected.infrastructure_other = [], None
    expected.provincial_demo, expected.provincial_demo_project = False, None
    expected.has_honours, expected.honours = None, None
    expected.accidents, expected.accidents_detail = True, "2024年环保处罚"
    expected.maturity_score, expected.other_evidence = None, None
    parsed = parse_docx(filled_template(track, expected))
    assert docgen.fields(parsed) == docgen.fields(expected)


@pytest.mark.parametrize("track", TRACKS)
def test_blank_template_parses_to_empty_fields_and_missing_sections(track):
    parsed = parse_docx(blank_template(track))
    assert docgen.fields(parsed) == docgen.fields(ParsedApplication())
    missing = [p.field for p in parsed.problems if p.code == "section_missing"]
    assert missing == [spec.key for spec in required_sections(track)]
    assert all(p.severity == BLOCKING for p in parsed.problems)
    assert [p.code for p in parsed.problems if p.field == "track"] == ["track_missing"]


@pytest.mark.parametrize("track", TRACKS)
def test_blank_template_has_the_forms_layout(track):
    doc = open_docx(blank_template(track))
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "一、申报主体基本信息") in headings
    assert ("Heading 1", "二、智能工厂建设总体情况") in headings
    if track == "excellent":
        assert ("Heading 2", "（一）卓越级智能工厂培育企业") in headings
        assert ("Heading 3", "5. 运营管理") in headings
        assert ("Heading 2", "（四）推广应用计划") in headings
        assert not any("领航级智能工厂培育企业实施方案" in text for _, text in headings)
    else:
        assert ("Heading 2", "（四）工厂架构变革情况") in headings
        assert ("Heading 3", "6. 场景创新升级情况") in headings
        assert ("Heading 2", "（三）保障措施") in headings
    texts = [p.text for p in doc.paragraphs]
    assert any(
        t.startswith("围绕智能工厂建设实施背景") and t.endswith("不超过1000字。") for t in texts
    )
    xml = doc.tables[0]._tbl.xml
    assert "w:gridSpan" in xml and "w:vMerge" in xml


def test_blank_template_table_offers_every_option_unticked():
    (table,) = [
        b for b in iter_blocks(open_docx(blank_template("excellent"))) if isinstance(b, Table)
    ]
    rows = {row[0]: row[1:] for row in table.texts() if row}
    assert rows["申报类别"] == ["□卓越级智能工厂培育    □领航级智能工厂培育"]
    assert rows["企业性质"][0].count("□") == 4
    assert rows["企\n业\n简\n介"] == [
        "（发展历程、主营业务、市场份额等方面基本情况，不超过1000字。）"
    ]
    assert "☑" not in "".join("".join(r) for r in table.texts())


def test_filled_template_ticks_with_a_checked_box():
    data = filled_template("leading", docgen.sample("leading"))
    (table,) = [b for b in iter_blocks(open_docx(data)) if isinstance(b, Table)]
    rows = {row[0]: row[1:] for row in table.texts() if row}
    assert rows["申报类别"] == ["□卓越级智能工厂培育    ☑领航级智能工厂培育"]
    assert "☑民营企业" in rows["企业性质"][0]
    assert rows["是否已获得国家卓越级智能工厂称号"] == ["☑是    □否"]


def test_filled_sections_leave_out_the_instructions():
    data = filled_template("excellent", docgen.sample("excellent"))
    paragraphs = [b.text for b in iter_blocks(open_docx(data)) if isinstance(b, Paragraph)]
    assert not any("不超过" in text for text in paragraphs)


def test_unknown_track_is_refused():
    with pytest.raises(ValueError):
        blank_template("gold")
