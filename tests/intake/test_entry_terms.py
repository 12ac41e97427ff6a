"""The notice's footnote terms in the format check: 划型 from head count and revenue together,
other names and cluster names of 产业链, the 成熟度 alternative, and the blank form's footnotes."""

from io import BytesIO

import docx
import pytest

from review_app.extensions import db
from review_app.intake.entry_terms import size_class
from review_app.intake.parsed import BLOCKING, WARNING
from review_app.intake.parser import parse_docx
from review_app.intake.service import import_docx
from review_app.intake.template import blank_template, filled_template
from review_app.intake.validate import has_blocking, validate
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import login
from . import docgen
from .conftest import docx_for, valid_sample
from .test_pages import _form_values
from .test_validate import good, only


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (1000, 40000, "大型企业"),
        (999, 40000, "中型企业"),  # both bounds or the class below
        (1500, 39999, "中型企业"),
        (300, 2000, "中型企业"),
        (250, 50000, "小型企业"),
        (20, 300, "小型企业"),
        (19, 100000, "微型企业"),  # 微型: one bound is enough
        (5000, 299, "微型企业"),
        (None, 40000, "大型企业"),  # no head count: revenue alone
    ],
)
def test_size_class_needs_both_bounds(employees, revenue, expected):
    assert size_class(employees, revenue) == expected


def test_size_declared_large_with_too_few_employees_is_a_warning_naming_both_figures():
    app = good()
    app.enterprise.size = "大型企业"
    app.enterprise.employees = 800
    app.figures["2025"].revenue = 60000
    p = only(validate(app), "size_mismatch")
    assert (p.severity, p.field) == (WARNING, "enterprise.size")
    assert "800人" in p.message and "60000万元" in p.message and "中型企业" in p.message


def test_size_matching_both_figures_passes():
    app = good()
    app.enterprise.size, app.enterprise.employees = "大型企业", 1200
    app.figures["2025"].revenue = 60000
    assert validate(app) == []


def test_size_without_head_count_says_revenue_alone_was_compared():
    app = good()
    app.enterprise.size = "大型企业"
    app.figures["2025"].revenue = 30000
    p = only(validate(app), "size_revenue_mismatch")
    assert "未填写从业人员数" in p.message


def test_impossible_head_count_is_a_warning():
    app = good()
    app.enterprise.employees = -3
    p = only(validate(app), "employees_invalid")
    assert p.field == "enterprise.employees"


def with_chain(chain):
    app = good()
    app.enterprise.chain = chain
    return validate(app)


@pytest.mark.parametrize("chain", ["生物医药", "生物医药产业链", "生物医疗、生物医药"])
def test_biomedicine_under_either_name_is_accepted_with_a_note(chain):
    problems = with_chain(chain)
    assert not has_blocking(problems)
    p = only(problems, "chain_alias")
    assert p.severity == WARNING and "生物医疗" in p.message and "生物医药" in p.message


def test_the_notices_own_name_needs_no_note():
    assert with_chain("生物医疗") == []


@pytest.mark.parametrize(
    ("cluster", "member"),
    [("新材料", "尼龙新材料"), ("先进装备", "先进工程机械"), ("现代食品", "预制菜"),
     ("重点产业链", "光电"), ("专精特新细分领域产业链", "高性能轴承")],
)  # fmt: skip
def test_a_cluster_name_is_a_warning_listing_its_chains(cluster, member):
    p = only(with_chain(cluster), "chain_cluster")
    assert p.severity == WARNING and cluster in p.message and member in p.message


def test_a_chain_that_is_also_a_cluster_name_is_the_chain():
    assert with_chain("新能源汽车") == []


def test_an_unknown_chain_is_still_blocking_beside_a_cluster():
    problems = with_chain("新材料、元宇宙")
    assert sorted(p.code for p in problems) == ["chain_cluster", "chain_not_listed"]
    refused = next(p for p in problems if p.code == "chain_not_listed")
    assert refused.severity == BLOCKING and "元宇宙" in refused.message


def test_other_proof_in_place_of_a_level_is_a_warning_not_a_refusal():
    app = good()
    app.maturity_level, app.maturity_score = None, None
    app.other_evidence = "2025年通过省级智能制造诊断，报告附后"
    p = only(validate(app), "maturity_other_evidence")
    assert p.severity == WARNING and "省级智能制造诊断" in p.message


def test_no_level_and_no_other_proof_is_still_missing():
    app = good()
    app.maturity_level, app.maturity_score, app.other_evidence = None, None, ""
    problems = validate(app)
    assert [(p.code, p.severity) for p in problems] == [("required_missing", BLOCKING)]


def test_other_proof_round_trips_through_the_form_without_a_level():
    expected = docgen.sample("excellent")
    expected.maturity_level, expected.maturity_score = None, None
    expected.other_evidence = "通过省级智能制造能力诊断"
    parsed = parse_docx(filled_template("excellent", expected))
    assert parsed.maturity_level is None and parsed.other_evidence == "通过省级智能制造能力诊断"
    assert "maturity_other_evidence" in {p.code for p in validate(parsed)}
    assert not any(p.field == "maturity_level" and p.severity == BLOCKING for p in validate(parsed))


def test_head_count_round_trips_through_the_form():
    expected = docgen.sample("excellent")
    expected.enterprise.employees = 2345
    assert parse_docx(filled_template("excellent", expected)).enterprise.employees == 2345


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_blank_template_carries_the_four_footnotes(track):
    text = "\n".join(p.text for p in docx.Document(BytesIO(blank_template(track))).paragraphs)
    assert "从业人员1000人及以上，且营业收入40000万元及以上的为大型企业" in text
    assert "GB/T 4754-2017" in text
    assert "重点产业链：先进超硬材料" in text and "高性能轴承" in text
    assert "国务院令第493号" in text and "国办函〔2014〕119号" in text


def test_head_count_written_in_the_size_cell_of_the_notices_form_is_read():
    """The notice's own form has no 从业人员 row: a count written beside the ticked size counts."""
    expected = docgen.sample("excellent")
    values = docgen.cells(expected)
    values["size"] += "  （从业人员：1,350人）"
    parsed = parse_docx(docgen.to_bytes(docgen.build(expected, values=values)))
    assert parsed.enterprise.size == "大型企业" and parsed.enterprise.employees == 1350


def test_the_officer_corrects_the_head_count_and_the_size_check_uses_it(app, client):
    officer = f.user("prefecture", "ly-size", prefecture="洛阳市")
    parsed = valid_sample(n=7)
    parsed.enterprise.size, parsed.enterprise.employees = "大型企业", 1200
    application = import_docx(current_program(), officer.prefecture, docx_for(parsed), "7.docx",
                              officer)  # fmt: skip
    db.session.commit()
    assert application.employees == 1200
    assert "size_mismatch" not in {p["code"] for p in application.format_report}
    login(client, "ly-size")
    url = f"/intake/applications/{application.id}/edit"
    form = _form_values(client.get(url).get_data(as_text=True))
    assert form["employees"] == "1200"
    form["employees"] = "800"
    assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert application.employees == 800
    assert "size_mismatch" in {p["code"] for p in application.format_report}
