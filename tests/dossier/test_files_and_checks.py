"""The dossier's files (typed and bounded, what is missing), the stamped 申报书 compared with
the Word file, and the coordinator's checks with their guard on 入库 and the batch import."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from review_app.applications.models import SourceFile
from review_app.clock import utcnow
from review_app.dossier import attachments, checks, checks_import
from review_app.dossier.compare import compare, compare_with_word_file, docx_text
from review_app.dossier.kinds import MAX_ATTACHMENT_BYTES, Facts, missing
from review_app.dossier.models import Attachment, DossierCheck
from review_app.dossier.service import Upload
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.intake.template import filled_template
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import csrf_from, login
from ..intake import docgen
from .pdfs import blank_pdf, encrypted_pdf, text_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def actors(app):
    return f.Actors()


@pytest.fixture()
def application(app):
    a = f.application(
        name="附件测试装备有限公司", maturity_level=3, honours="省级专精特新", dossier=False
    )
    db.session.commit()
    return a


# -- what is required ------------------------------------------------------------------------


def test_required_attachments_follow_the_declared_fields():
    base = Facts("excellent", 3, "", False, False)
    assert [k for k, _ in missing(base, set())] == [
        "maturity_certificate", "financial_statement", "stamped_form"]  # fmt: skip
    other = Facts("excellent", None, "省级诊断报告", True, False)
    assert [k for k, _ in missing(other, {"stamped_form"})] == [
        "other_capability", "honour", "financial_statement"]  # fmt: skip
    leading = Facts("leading", 4, "", False, True)
    assert "national_excellent_title" in [k for k, _ in missing(leading, set())]
    assert missing(base, {"maturity_certificate", "financial_statement", "stamped_form"}) == []


def test_the_list_names_what_is_missing_and_shrinks_as_files_come(application, actors):
    messages = [m for _, m in attachments.missing_attachments(application)]
    assert any("成熟度评估证书" in m for m in messages)
    assert any("荣誉称号证书" in m for m in messages)
    attachments.add_attachment(application, "maturity_certificate",
                               Upload("证书.png", PNG), actors.prefecture)  # fmt: skip
    kinds = [k for k, _ in attachments.missing_attachments(application)]
    assert kinds == ["honour", "financial_statement", "stamped_form"]


# -- typed and bounded -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "data"),
    [("maturity_certificate", "证书.pdf", None), ("honour", "奖牌.jpg", JPG),
     ("honour", "奖牌.JPEG", JPG), ("other_capability", "报告.png", PNG)],
)  # fmt: skip
def test_pdf_jpg_and_png_are_accepted_by_content(application, actors, kind, name, data):
    row = attachments.add_attachment(application, kind, Upload(name, data or blank_pdf()),
                                     actors.prefecture)  # fmt: skip
    assert row.kind == kind and row.size > 0 and len(row.sha256) == 64


@pytest.mark.parametrize(
    ("kind", "name", "data", "code"),
    [
        ("honour", "奖牌.png", b"GIF89a" + b"\x00" * 20, "file_type"),
        ("honour", "奖牌.png", JPG, "file_suffix"),
        ("financial_statement", "报表.png", PNG, "file_type"),  # statements: PDF only
        ("financial_statement", "报表.pdf", encrypted_pdf(), "pdf_encrypted"),
        ("financial_statement", "报表.pdf", b"%PDF-1.4 broken", "pdf_unreadable"),
        ("honour", "大图.png", PNG + b"\x00" * MAX_ATTACHMENT_BYTES, "file_too_large"),
        ("honour", "空.png", b"", "file_empty"),
        ("bogus", "a.png", PNG, "kind_invalid"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_nothing_is_stored(
    application, actors, kind, name, data, code
):
    with pytest.raises(InvalidInput) as refused:
        attachments.add_attachment(application, kind, Upload(name, data), actors.prefecture)
    assert refused.value.code == code and refused.value.message
    db.session.rollback()
    assert count(Attachment) == 0


def test_count_limit_per_kind(application, actors):
    for n in range(3):
        attachments.add_attachment(application, "maturity_certificate",
                                   Upload(f"{n}.png", PNG), actors.prefecture)  # fmt: skip
    with pytest.raises(InvalidInput, match="最多上传3个"):
        attachments.add_attachment(application, "maturity_certificate",
                                   Upload("4.png", PNG), actors.prefecture)  # fmt: skip


def test_another_prefecture_cannot_upload(application, actors):
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(application, "honour", Upload("a.png", PNG),
                                   actors.officer("洛阳市"))  # fmt: skip
    assert count(Attachment) == 0


# -- the stamped 申报书 ------------------------------------------------------------------------


def test_compare_reports_a_figure_and_the_differing_passage():
    word = "公司成立于2005年，主营数控机床。市场份额居全国前三。年产值十亿元。" * 3
    pdf = word.replace("居全国前三", "居全国第一", 1)
    pdf = "\n".join(pdf[i : i + 13] for i in range(0, len(pdf), 13))  # a PDF's line breaks
    result = compare(word, pdf)
    assert not result.scanned and 0.8 < result.similarity < 1
    assert result.differences == [{"word": "市场份额居全国前三。", "pdf": "市场份额居全国第一。"}]
    assert compare(word, word.replace("。", "。\n")).similarity == 1.0


def test_a_scan_is_marked_for_manual_comparison():
    result = compare("公司成立于2005年，主营数控机床。" * 10, "")
    assert result.scanned and result.similarity is None


def test_a_scan_is_told_without_opening_the_word_file_and_text_is_compared_as_before():
    word = filled_template("excellent", docgen.sample("excellent"))
    assert compare_with_word_file(b"not a Word file", "") == compare(docx_text(word), "")
    assert compare_with_word_file(b"not a Word file", "盖章" * 24).scanned  # 48 characters
    text = docx_text(word)[:400]
    assert compare_with_word_file(word, text) == compare(docx_text(word), text)
    assert not compare_with_word_file(word, text).scanned


def test_stamped_pdf_with_text_is_compared_with_the_stored_word_file(application, actors):
    word = SourceFile(application_id=application.id, filename="申报书.docx",
                      content_type=attachments.DOCX, size=1, sha256="0" * 64,
                      data=filled_template("excellent", docgen.sample("excellent")),
                      uploaded_at=utcnow())  # fmt: skip
    db.session.add(word)
    db.session.flush()
    row = attachments.add_attachment(
        application, "stamped_form", Upload("盖章版.pdf", text_pdf(["Unrelated English text"] * 8)),
        actors.prefecture,
    )  # fmt: skip
    assert row.similarity is not None and row.similarity < 0.2 and row.differences


def test_a_scanned_stamped_pdf_has_no_figure(application, actors):
    row = attachments.add_attachment(application, "stamped_form",
                                     Upload("盖章版.pdf", blank_pdf(3)), actors.prefecture)  # fmt: skip
    assert row.similarity is None and row.pages == 3


# -- checks ----------------------------------------------------------------------------------


def entry(kind="credit", result="pass", **kw):
    values = dict(checked_by="王核查", checked_on=date(2026, 3, 10), source="", note="")
    values.update(kw)
    return checks.CheckInput(kind, result, **values)


def test_a_check_records_who_when_result_and_file(application, actors):
    row = checks.record_check(application, entry(note="未见失信记录"), actors.coordinator,
                              Upload("信用中国截图.png", PNG))  # fmt: skip
    db.session.commit()
    assert (row.result, row.checked_by, row.checked_on) == ("pass", "王核查", date(2026, 3, 10))
    assert row.source == "信用中国、国家企业信用信息公示系统"
    assert row.file.kind == "credit_evidence" and row.file.filename == "信用中国截图.png"
    assert checks.outside_check_refusal(application) is None


def test_stamped_copy_verified_is_a_check_item(application, actors):
    checks.record_check(application, entry("stamped_copy"), actors.coordinator)
    assert checks.checks_of(application)["stamped_copy"].result == "pass"


@pytest.mark.parametrize(
    ("data", "message"),
    [(entry(result="fail"), "写明原因"), (entry(checked_by=" "), "核查人"),
     (entry(checked_on=None), "核查日期"), (entry(checked_on=date(2099, 1, 1)), "晚于今天"),
     (entry(result="maybe"), "通过或不通过")],
)  # fmt: skip
def test_incomplete_checks_are_refused(application, actors, data, message):
    with pytest.raises(InvalidInput, match=message):
        checks.record_check(application, data, actors.coordinator)
    assert count(DossierCheck) == 0


def test_a_bad_screenshot_refuses_the_whole_check(application, actors):
    with pytest.raises(InvalidInput):
        checks.record_check(application, entry(), actors.coordinator, Upload("a.png", b"GIF89a"))
    db.session.rollback()
    assert count(DossierCheck) == 0 and count(Attachment) == 0


def test_only_the_coordinator_records_checks(application, actors):
    with pytest.raises(PermissionDenied):
        checks.record_check(application, entry(), actors.prefecture)


def test_a_failed_check_is_a_guard_with_its_reason(application, actors):
    checks.record_check(application, entry("accident", "fail", note="2025年较大生产安全事故"),
                        actors.coordinator)  # fmt: skip
    reason = checks.outside_check_refusal(application)
    assert "安全环保事故核查不通过" in reason and "2025年较大生产安全事故" in reason


# -- batch import ----------------------------------------------------------------------------


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(checks_import.HEADERS))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_records_every_row(application, actors):
    uscc = application.enterprise.uscc
    data = sheet(
        [
            [uscc, "x", "信用核查", "通过", "李四", "2026-03-11", "信用中国", ""],
            [uscc, "x", "事故核查", "不通过", "李四", date(2026, 3, 11), "", "较大环境事故"],
        ]
    )
    assert checks_import.import_checks(current_program(), data, "r.xlsx", actors.coordinator) == 2
    got = checks.checks_of(application)
    assert got["credit"].result == "pass" and got["accident"].result == "fail"
    assert "较大环境事故" in checks.outside_check_refusal(application)


def test_an_import_with_a_bad_row_records_nothing_and_names_the_row(application, actors):
    uscc = application.enterprise.uscc
    data = sheet([[uscc, "x", "信用核查", "通过", "李四", "2026-03-11", "", ""],
                  ["91410100MA0000000X", "y", "信用核查", "通过", "李四", "2026-03-11", "", ""],
                  [uscc, "x", "事故核查", "也许", "李四", "2026-03-11", "", ""]])  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        checks_import.import_checks(current_program(), data, "r.xlsx", actors.coordinator)
    assert "第3行" in refused.value.message and "第4行" in refused.value.message
    db.session.rollback()
    assert count(DossierCheck) == 0


def test_an_import_that_is_not_a_workbook_is_refused(application, actors):
    with pytest.raises(InvalidInput):
        checks_import.import_checks(current_program(), b"not xlsx", "r.xlsx", actors.coordinator)


# -- pages -------------------------------------------------------------------------------------


def test_officer_uploads_an_attachment_and_coordinator_records_a_check(client, actors, application):
    login(client, actors.prefecture.username)
    url = f"/dossier/applications/{application.id}/files"
    page = client.get(url).get_data(as_text=True)
    assert "缺少智能制造能力成熟度评估证书" in page
    sent = client.post(url, data={"csrf_token": csrf_from(page), "kind": "maturity_certificate",
                                  "file": (io.BytesIO(PNG), "证书.png")},
                       content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302 and count(Attachment) == 1
    refused = client.post(url, data={"csrf_token": csrf_from(page), "kind": "honour",
                                     "file": (io.BytesIO(b"MZ"), "a.png")},
                          content_type="multipart/form-data", follow_redirects=True)  # fmt: skip
    assert "不是荣誉称号证书可用的格式" in refused.get_data(as_text=True) and count(Attachment) == 1

    client.post("/logout", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    login(client, actors.coordinator.username)
    page = client.get(url).get_data(as_text=True)
    recorded = client.post(
        f"/dossier/applications/{application.id}/checks",
        data={"csrf_token": csrf_from(page), "kind": "credit", "result": "fail",
              "checked_by": "王核查", "checked_on": "2026-03-10", "note": "列入经营异常名录"},
    )  # fmt: skip
    assert recorded.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "信用核查不通过" in page and "列入经营异常名录" in page
    listing = client.get("/dossier/completeness").get_data(as_text=True)
    assert "附件测试装备有限公司" not in listing  # not yet recommended


def test_dossier_refusal_names_what_the_format_check_still_needs(application, actors):
    reason = checks.dossier_refusal(application)
    assert "缺少智能制造能力成熟度评估证书" in reason and "盖章版申报书尚未核对" in reason
    for kind, name in (("maturity_certificate", "c.png"), ("honour", "h.png")):
        attachments.add_attachment(application, kind, Upload(name, PNG), actors.prefecture)
    for kind in ("financial_statement", "stamped_form"):
        attachments.add_attachment(application, kind, Upload("f.pdf", blank_pdf()),
                                   actors.prefecture)  # fmt: skip
    assert checks.dossier_refusal(application) == "盖章版申报书尚未核对。"
    checks.record_check(application, entry("stamped_copy"), actors.coordinator)
    assert checks.dossier_refusal(application) is None
