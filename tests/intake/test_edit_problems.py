"""The prefecture's edit form: each blocking problem beside its field, the figures wide enough."""

import re

import pytest

from review_app.extensions import db
from review_app.intake.field_problems import blocking_by_field, form_field_name
from review_app.intake.service import import_docx, run_format_check
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import login
from .conftest import docx_for, valid_sample


@pytest.fixture()
def officer(app):
    user = f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    return user


def _bad_uscc_application(officer):
    parsed = valid_sample(n=1)
    application = import_docx(
        current_program(), officer.prefecture, docx_for(parsed), "1.docx", officer
    )
    uscc = application.enterprise.uscc
    application.enterprise.uscc = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    run_format_check(application, officer)
    db.session.commit()
    return application


def test_field_codes_map_to_form_names():
    assert form_field_name("enterprise.uscc") == "uscc"
    assert form_field_name("enterprise.legal_rep.phone") == "legal_rep_phone"
    assert form_field_name("enterprise.industry.division") == "industry_division"
    assert form_field_name("figures.2025.revenue") == "fig_2025_revenue"
    assert form_field_name("maturity_level") == "maturity_level"


def test_only_blocking_problems_are_placed_and_the_rest_listed():
    report = [
        {"severity": "blocking", "field": "enterprise.uscc", "message": "甲"},
        {"severity": "blocking", "field": "smart_scenarios", "message": "乙"},
        {"severity": "warning", "field": "enterprise.county", "message": "丙"},
    ]
    placed, elsewhere = blocking_by_field(report, ["uscc", "county"])
    assert placed == {"uscc": ["甲"]}
    assert [p["message"] for p in elsewhere] == ["乙"]


def test_blocking_problem_is_beside_its_field(app, client, officer):
    application = _bad_uscc_application(officer)
    message = next(
        p["message"] for p in application.format_report if p["field"] == "enterprise.uscc"
    )
    login(client, "lyofficer")
    html = client.get(f"/intake/applications/{application.id}/edit").get_data(as_text=True)
    uscc_input = re.search(r'<input[^>]*name="uscc"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in uscc_input
    assert 'aria-describedby="problem-uscc"' in uscc_input
    block = re.search(r'<div id="problem-uscc">(.*?)</div>', html, re.S).group(1)
    assert message in block
    # the problem follows the field directly, before the next field's label
    assert html.index(uscc_input) < html.index('id="problem-uscc"') < html.index('name="county"')
    name_input = re.search(r'<input[^>]*name="name"[^>]*>', html).group(0)
    assert "aria-invalid" not in name_input
    assert "阻断问题" in html and "已标在对应的填写项旁" in html


def test_figure_inputs_are_wide_and_span_the_form(app, client, officer):
    application = _bad_uscc_application(officer)
    login(client, "lyofficer")
    html = client.get(f"/intake/applications/{application.id}/edit").get_data(as_text=True)
    figures = re.findall(r'<input[^>]*name="fig_\d{4}_\w+"[^>]*>', html)
    assert len(figures) == 12
    assert all('class="figure"' in i for i in figures)
    assert '<section class="card wide">' in html
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert (
        "input.figure { min-width: 16ch;" in css
        and ".form-grid > .wide { grid-column: 1 / -1; }" in css
    )
