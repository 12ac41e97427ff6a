"""The figure years of a form, its parse, its check and its edit form are the program's own."""

import dataclasses
import io

import docx

from review_app.intake.forms import application_fields_form
from review_app.intake.parsed import YearFigures
from review_app.intake.parser import parse_docx
from review_app.intake.summary_xlsx import SummaryRow, read_summary, write_summary
from review_app.intake.template import blank_template, filled_template
from review_app.intake.validate import validate
from review_app.programs.years import DEFAULT_YEAR, figure_years

from ..intake.conftest import valid_sample

LATER = DEFAULT_YEAR + 1


def _shifted(parsed, years):
    keys = tuple(str(y) for y in years)
    return dataclasses.replace(
        parsed, figure_years=keys, figures=dict(zip(keys, parsed.figures.values(), strict=True))
    )


def test_a_later_programs_form_is_read_with_its_years():
    sample = _shifted(valid_sample(), figure_years(LATER))
    data = filled_template("excellent", sample)
    parsed = parse_docx(data, figure_years(LATER))
    assert parsed.figure_years == tuple(str(y) for y in figure_years(LATER))
    assert parsed.figures == sample.figures
    assert not [p for p in parsed.problems + validate(parsed) if p.severity == "blocking"]
    # Read with the earlier program's years, the latest year's figures are left out and the
    # earliest year asked for is empty.
    earlier = parse_docx(data, figure_years(DEFAULT_YEAR))
    assert str(LATER - 1) not in earlier.figures
    assert earlier.figures[str(DEFAULT_YEAR - 3)] == YearFigures()
    assert any(p.field == f"figures.{DEFAULT_YEAR - 3}" for p in validate(earlier))


def test_the_blank_form_of_a_year_asks_its_years():
    parsed = parse_docx(blank_template("excellent", LATER), figure_years(LATER))
    assert list(parsed.figures) == [str(y) for y in figure_years(LATER)]
    document = docx.Document(io.BytesIO(blank_template("excellent", LATER)))
    paragraphs = [p.text for p in document.paragraphs]
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert any(p.startswith(f"申报日期：  {LATER}年") for p in paragraphs)
    assert {f"{y}年" for y in figure_years(LATER)} <= cells and f"{LATER - 4}年" not in cells


def test_the_edit_form_has_one_field_per_figure_year_of_the_program():
    form = application_fields_form(figure_years(LATER))
    names = {name for name in dir(form) if name.startswith("fig_")}
    assert {f"fig_{y}_revenue" for y in figure_years(LATER)} <= names
    assert f"fig_{LATER - 4}_revenue" not in names
    assert application_fields_form(figure_years(LATER)) is form  # built once per year set


def test_the_summary_names_the_programs_revenue_year():
    row = SummaryRow(seq=1, prefecture="洛阳市", name="甲公司", nature="民营企业")
    data = write_summary("洛阳市", {"excellent": [row]}, LATER - 1)
    result = read_summary(data)
    assert result.errors and f"“甲公司”缺少{LATER - 1}年营收（万元）。" in str(result.errors[0])
