"""The prefecture's corrections, priority order and 附件2; the coordinator's format-check queue;
the template download; the parse and template commands."""

import io
import json

import openpyxl
import pytest

from review_app.extensions import db
from review_app.intake.parser import parse_docx
from review_app.intake.service import import_docx, set_priority_order
from review_app.intake.summary_xlsx import SummaryRow, write_summary
from review_app.programs.service import current_program
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE, csrf_from, login, post_form
from .conftest import docx_for, valid_sample


def _import(officer, n=1, **kwargs):
    parsed = valid_sample(n=n, **kwargs)
    return import_docx(
        current_program(), officer.prefecture, docx_for(parsed), f"{n}.docx", officer
    )


@pytest.fixture()
def officer(app):
    user = f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    return user


def test_correcting_a_field_reruns_the_check(app, client, officer):
    application = _import(officer)
    application.enterprise.uscc = application.enterprise.uscc[:17] + (
        "0" if application.enterprise.uscc[17] != "0" else "1"
    )
    from review_app.intake.service import run_format_check

    run_format_check(application, officer)
    db.session.commit()
    assert any(p["field"] == "enterprise.uscc" for p in application.format_report)
    login(client, "lyofficer")
    page = client.get(f"/intake/applications/{application.id}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and application.enterprise.name in html
    from review_app.enterprises.uscc import make_uscc

    good = make_uscc("410300", "MA000001")
    form = _form_values(html)
    form["uscc"] = good
    response = client.post(f"/intake/applications/{application.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert application.enterprise.uscc == good
    assert not any(p["field"] == "enterprise.uscc" for p in application.format_report)


def _form_values(html: str) -> dict:
    """The values a browser would send back from the edit page."""
    import re

    values = {"csrf_token": csrf_from(html)}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        values.setdefault(name, value)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)" selected', body
        )
        values[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'<input checked[^>]*name="([^"]+)"', html):
        values[name] = "y"
    import html as html_lib

    return {k: html_lib.unescape(v) for k, v in values.items()}


def test_invalid_correction_keeps_input_and_changes_nothing(app, client, officer):
    application = _import(officer)
    login(client, "lyofficer")
    html = client.get(f"/intake/applications/{application.id}/edit").get_data(as_text=True)
    form = _form_values(html)
    form["contact_email"] = "not-an-email"
    form["name"] = "改过的名字有限公司"
    response = client.post(f"/intake/applications/{application.id}/edit", data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "邮箱格式不正确" in body and "改过的名字有限公司" in body
    db.session.expire_all()
    assert application.enterprise.name != "改过的名字有限公司"


def test_other_prefecture_cannot_edit(app, client, officer):
    application = _import(officer)
    f.user("prefecture", "zzofficer", prefecture="郑州市")
    db.session.commit()
    login(client, "zzofficer")
    assert client.get(f"/intake/applications/{application.id}/edit").status_code == 403


def test_priority_order_through_the_page(app, client, officer):
    a, b, c = (_import(officer, n) for n in (1, 2, 3))
    db.session.commit()
    login(client, "lyofficer")
    response = post_form(
        client,
        "/intake/order/excellent",
        {f"rank_{a.id}": "3", f"rank_{b.id}": "1", f"rank_{c.id}": "2"},
        token_page="/intake/",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (a.priority_rank, b.priority_rank, c.priority_rank) == (3, 1, 2)


def test_priority_order_must_cover_all_and_is_frozen_after_deadline(app, officer):
    a, b = _import(officer, 1), _import(officer, 2)
    from review_app.errors import InvalidInput

    with pytest.raises(InvalidInput, match="全部申报"):
        set_priority_order(officer.prefecture, "excellent", [a.id], officer)
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    with pytest.raises(InvalidInput, match="截止"):
        set_priority_order(officer.prefecture, "excellent", [b.id, a.id], officer)


def test_intake_page_shows_quota_and_endorses(app, client, officer):
    application = _import(officer)
    f.write_opinion(application)
    db.session.commit()
    login(client, "lyofficer")
    page = client.get("/intake/").get_data(as_text=True)
    assert "已推荐 0 / 名额 22 家" in page
    response = post_form(
        client,
        f"/applications/{application.id}/transition/endorse",
        token_page="/intake/",
    )
    assert response.status_code == 302
    page = client.get("/intake/").get_data(as_text=True)
    assert "已推荐 1 / 名额 22 家" in page


def _endorsed(officer, n, **kwargs):
    application = _import(officer, n, **kwargs)
    f.write_opinion(application)
    fire(application, "endorse", officer, now=BEFORE_DEADLINE)
    return application


def test_summary_export_lists_endorsed_in_order_with_official_columns(app, client, officer):
    first = _endorsed(officer, 1)
    second = _endorsed(officer, 2)
    _import(officer, 3)  # submitted, not yet recommended: not in 附件2
    db.session.commit()
    login(client, "lyofficer")
    response = client.get("/intake/summary.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    for column in ("序号", "所在地市", "企业名称", "企业性质", "主营业务", "2025年营收（万元）",
                   "智能制造能力成熟度评估结果", "所获荣誉", "联系人及电话", "备注"):  # fmt: skip
        assert any(column in v for v in flat), column
    names = [v for v in flat if v.startswith("河南测试智能装备")]
    assert names == [first.enterprise.name, second.enterprise.name]
    assert "河南测试智能装备3有限公司" not in flat


def test_coordinator_summary_is_consolidated(app, client, officer):
    _endorsed(officer, 1)
    zz = f.user("prefecture", "zzofficer", prefecture="郑州市")
    _endorsed(zz, 2, pref="郑州市")
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    data = client.get("/intake/summary.xlsx").data
    flat = [
        str(v)
        for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        for v in row
        if v
    ]
    assert "郑州市" in flat and "洛阳市" in flat


def test_summary_import_matches_and_lists_mismatches(app, client, officer):
    a = _endorsed(officer, 1)
    b = _endorsed(officer, 2)
    missing = _endorsed(officer, 3)
    db.session.commit()
    rows = [
        SummaryRow(seq=1, prefecture="洛阳市", name=a.enterprise.name, nature="民营企业",
                   revenue=125600.0, maturity="三级", uscc=a.enterprise.uscc),
        SummaryRow(seq=2, prefecture="洛阳市", name=b.enterprise.name, nature="地方国企",
                   revenue=999.0, maturity="三级"),
        SummaryRow(seq=3, prefecture="洛阳市", name="不存在的企业有限公司", nature="民营企业"),
    ]  # fmt: skip
    data = write_summary("洛阳市", {"excellent": rows, "leading": []}, 2025)
    login(client, "lyofficer")
    page = client.get("/intake/summary/import")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/intake/summary/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), "汇总表.xlsx")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "匹配 2 行，未匹配 1 行" in html
    assert "企业性质为“地方国企”，申报书为“民营企业”" in html
    assert "2025年营收999万元" in html
    assert "未找到" in html
    assert missing.enterprise.name in html


def test_summary_import_of_a_bad_file_is_refused(app, client, officer):
    login(client, "lyofficer")
    page = client.get("/intake/summary/import")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        "/intake/summary/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"garbage"), "bad.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_format_queue_lists_endorsed_with_their_problems(app, client, officer):
    application = _endorsed(officer, 1)
    application.format_report = [
        {
            "code": "x",
            "severity": "blocking",
            "field": "enterprise.chain",
            "message": "产业链不在名单中。",
        }
    ]
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    html = client.get("/intake/format-check").get_data(as_text=True)
    assert application.enterprise.name in html and "产业链不在名单中。" in html
    response = post_form(
        client, f"/intake/applications/{application.id}/recheck", token_page="/intake/format-check"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert not any(p["code"] == "x" for p in application.format_report)


def test_pass_format_check_is_refused_while_blocking_problems_remain(app, officer):
    application = _endorsed(officer, 1)
    application.format_report = [
        {"code": "x", "severity": "blocking", "field": "f", "message": "产业链不在名单中。"}
    ]
    coordinator = f.user("coordinator")
    from review_app.errors import DomainError

    with pytest.raises(DomainError, match="产业链不在名单中"):
        fire(application, "pass_format_check", coordinator, now=BEFORE_DEADLINE)


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_blank_template_download_parses_back_empty(app, client, track):
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    response = client.get(f"/intake/template/{track}.docx")
    assert response.status_code == 200
    parsed = parse_docx(response.data)
    assert parsed.enterprise.name in (None, "")
    assert any(p.code == "section_missing" for p in parsed.problems)


def test_cli_parse_prints_json(app, runner, tmp_path):
    parsed = valid_sample()
    path = tmp_path / "申报书.docx"
    path.write_bytes(docx_for(parsed))
    result = runner.invoke(args=["parse", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output[result.output.index("{") :])
    assert out["track"] == "excellent"
    assert out["enterprise"]["uscc"] == parsed.enterprise.uscc
    assert out["enterprise"]["industry"] == {"section": "C", "division": "34", "group": "342"}
    assert out["figures"]["2024"]["revenue"] == 112000.25
    assert out["maturity_level"] == 3 and out["national_excellent"] is False
    assert out["sections"]["link.factory"] == parsed.sections["link.factory"]
    assert [p for p in out["problems"] if p["severity"] == "blocking"] == []


def test_cli_parse_unreadable_exits_2(app, runner, tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(b"not a document")
    result = runner.invoke(args=["parse", str(path)])
    assert result.exit_code == 2
    assert "错误" in result.output


def test_cli_template_writes_a_docx(app, runner, tmp_path):
    out = tmp_path / "blank.docx"
    result = runner.invoke(args=["template", "--track", "leading", "-o", str(out)])
    assert result.exit_code == 0
    assert parse_docx(out.read_bytes()).track in (None, "leading")


def test_application_page_shows_the_report(app, client, officer):
    application = _import(officer)
    application.format_report = [
        {"code": "y", "severity": "warning", "field": "figures", "message": "资产负债率偏高。"}
    ]
    db.session.commit()
    login(client, "lyofficer")
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "形式审查报告" in html and "资产负债率偏高。" in html


def test_prefecture_home_is_its_dashboard_linking_to_the_intake_page(app, client, officer):
    login(client, "lyofficer")
    response = client.get("/")
    assert response.headers["Location"].endswith("/dashboard/")
    assert 'href="/intake/"' in client.get("/dashboard/").get_data(as_text=True)


@pytest.mark.parametrize("raw", ["sNaN", "NaN", "-Infinity", "1e309", "1e-400", "9" * 40])
def test_a_hostile_figure_is_a_field_error_and_stores_nothing(app, client, officer, raw):
    """``sNaN`` in the 近三年 figures or the maturity score raised inside NumberRange (a 500);
    ``1e-400`` was stored as 0."""
    from sqlalchemy import func, select

    from review_app.audit.models import AuditEvent

    application = _import(officer)
    login(client, "lyofficer")
    url = f"/intake/applications/{application.id}/edit"
    form = _form_values(client.get(url).get_data(as_text=True))
    figure = next(k for k in form if k.startswith("fig_") and k.endswith("_revenue"))
    before = (
        {k: form[k] for k in form if k.startswith("fig_")},
        application.maturity_score,
        db.session.scalar(select(func.count(AuditEvent.id))),
    )
    for name in (figure, "maturity_score"):
        response = client.post(url, data={**form, name: raw})
        body = response.get_data(as_text=True)
        assert response.status_code == 400, (name, response.status_code)
        assert "请输入数字" in body or "超出允许范围" in body
        db.session.rollback()
        fresh = _form_values(client.get(url).get_data(as_text=True))
        assert (
            {k: fresh[k] for k in fresh if k.startswith("fig_")},
            application.maturity_score,
            db.session.scalar(select(func.count(AuditEvent.id))),
        ) == before


def test_full_width_figures_are_read_as_ascii(app, client, officer):
    application = _import(officer)
    login(client, "lyofficer")
    url = f"/intake/applications/{application.id}/edit"
    form = _form_values(client.get(url).get_data(as_text=True))
    figure = next(k for k in form if k.startswith("fig_") and k.endswith("_revenue"))
    response = client.post(url, data={**form, figure: "１２３４５．６"})
    assert response.status_code == 302
    db.session.expire_all()
    year = int(figure.split("_")[1])
    assert float(next(f for f in application.figures if f.year == year).revenue) == 12345.6
