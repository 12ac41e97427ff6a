"""The prefecture's part of the dossier: 地市审核意见 (required to endorse), 推荐函 (a stamped
PDF, refused with the reason when it is not one) and the 审核情况表."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.dossier import review_sheet, service
from review_app.dossier.models import EndorsementLetter, PrefectureOpinion
from review_app.dossier.pdfcheck import MAX_PDF_BYTES
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, csrf_from, login
from .pdfs import blank_pdf, encrypted_pdf, text_pdf


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def actors(app):
    return f.Actors()


@pytest.fixture()
def unreviewed(app):
    """An application of 郑州市 without a 审核意见."""
    application = f.application(name="未审核测试装备有限公司", opinion=None)
    db.session.commit()
    return application


# -- 审核意见 and the endorse guard -----------------------------------------------------------


def test_endorsing_without_an_opinion_is_refused_naming_the_field(unreviewed, actors):
    with pytest.raises(Exception) as refused:
        fire(unreviewed, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    assert "地市审核意见" in str(refused.value)
    db.session.rollback()
    assert db.session.get(type(unreviewed), unreviewed.id).state == "submitted"


def test_opinion_written_then_endorsement_goes_through(unreviewed, actors):
    service.write_opinion(unreviewed, "  经审核，材料真实，同意推荐。 ", actors.prefecture)
    fire(unreviewed, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    db.session.commit()
    assert unreviewed.state == "prefecture_endorsed"
    opinion = db.session.execute(select(PrefectureOpinion)).scalar_one()
    assert opinion.text == "经审核，材料真实，同意推荐。"
    assert opinion.written_by_id == actors.prefecture.id


def test_rewriting_keeps_one_opinion_and_audits_both(unreviewed, actors):
    service.write_opinion(unreviewed, "初审意见", actors.prefecture)
    service.write_opinion(unreviewed, "复核后同意推荐", actors.prefecture)
    db.session.commit()
    assert [o.text for o in db.session.execute(select(PrefectureOpinion)).scalars()] == [
        "复核后同意推荐"
    ]
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "dossier.opinion")
    ).scalars().all()  # fmt: skip
    assert [e.after["text"] for e in events] == ["初审意见", "复核后同意推荐"]
    assert events[1].before == {"text": "初审意见"}


@pytest.mark.parametrize("text", ["", "   \n "])
def test_a_blank_opinion_is_refused_naming_the_field(unreviewed, actors, text):
    with pytest.raises(InvalidInput) as refused:
        service.write_opinion(unreviewed, text, actors.prefecture)
    assert "地市审核意见" in refused.value.message and refused.value.code == "opinion_missing"
    assert count(PrefectureOpinion) == 0


def test_an_overlong_opinion_is_refused(unreviewed, actors):
    with pytest.raises(InvalidInput) as refused:
        service.write_opinion(unreviewed, "意" * 2001, actors.prefecture)
    assert "2000字" in refused.value.message
    assert count(PrefectureOpinion) == 0


def test_another_prefecture_or_the_coordinator_may_not_write(unreviewed, actors):
    for who in (actors.officer("洛阳市"), actors.coordinator):
        with pytest.raises(PermissionDenied):
            service.write_opinion(unreviewed, "同意", who)
    assert count(PrefectureOpinion) == 0


def test_no_opinion_once_the_format_check_has_started(app, actors):
    application = f.application()
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    fire(application, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    with pytest.raises(PermissionDenied):
        service.write_opinion(application, "补充意见", actors.prefecture)


# -- 推荐函 ------------------------------------------------------------------------------------


def upload(actors, data, name="推荐函.pdf"):
    program = current_program()
    return service.upload_letter(
        program, actors.prefecture.prefecture, service.Upload(name, data), actors.prefecture
    )


def test_a_stamped_pdf_is_stored_and_a_new_one_replaces_it(app, actors):
    first = upload(actors, blank_pdf(2))
    assert (first.pages, first.filename) == (2, "推荐函.pdf")
    second = upload(actors, text_pdf(["Recommendation"]), "郑州市推荐函（盖章）.pdf")
    db.session.commit()
    assert count(EndorsementLetter) == 1 and second.id == first.id
    assert second.filename == "郑州市推荐函（盖章）.pdf" and second.pages == 1


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"PK\x03\x04 a word file", "推荐函.pdf", "not_pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "推荐函.pdf", "not_pdf"),
        (encrypted_pdf(), "推荐函.pdf", "pdf_encrypted"),
        (b"%PDF-1.7\n" + b"\x00" * (MAX_PDF_BYTES), "推荐函.pdf", "pdf_too_large"),
        (b"%PDF-1.4\nnot really a pdf at all", "推荐函.pdf", "pdf_unreadable"),
        (b"", "推荐函.pdf", "pdf_empty"),
        (blank_pdf(), "推荐函.docx", "not_pdf"),
    ],
)
def test_bad_letters_are_refused_with_the_reason_and_nothing_is_stored(actors, data, name, code):
    with pytest.raises(InvalidInput) as refused:
        upload(actors, data, name)
    assert refused.value.code == code and refused.value.message
    db.session.rollback()
    assert count(EndorsementLetter) == 0


def test_an_officer_cannot_upload_for_another_prefecture(app, actors):
    luoyang = actors.officer("洛阳市")
    with pytest.raises(PermissionDenied):
        service.upload_letter(
            current_program(), actors.prefecture.prefecture,
            service.Upload("推荐函.pdf", blank_pdf()), luoyang,
        )  # fmt: skip
    assert count(EndorsementLetter) == 0


# -- 审核情况表 --------------------------------------------------------------------------------


def test_review_sheet_lists_letters_opinions_and_neutralises_formulas(app, actors):
    upload(actors, blank_pdf())
    reviewed = f.application(name="已审核测试有限公司", opinion='=HYPERLINK("x")同意')
    f.application(pref="洛阳市", name="洛阳未审核有限公司", opinion=None)
    fire(reviewed, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    db.session.commit()
    ws = load_workbook(io.BytesIO(review_sheet.workbook(current_program()))).active
    rows = {r[4]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    zz, ly = rows["已审核测试有限公司"], rows["洛阳未审核有限公司"]
    assert zz[0] == "郑州市" and zz[1].startswith("已上传（推荐函.pdf") and zz[3] == 1
    assert zz[6] == "地市已推荐" and zz[7] == '=HYPERLINK("x")同意'
    assert ws.cell(row=3 + list(rows).index("已审核测试有限公司"), column=8).data_type == "s"
    assert ly[1] == "未上传" and ly[7] == "（未填写）"


def test_a_prefectures_sheet_holds_only_its_own(app, actors):
    f.application(name="本市企业有限公司")
    f.application(pref="洛阳市", name="外市企业有限公司")
    names = [
        r.enterprise for r in review_sheet.rows(current_program(), actors.prefecture.prefecture)
    ]
    assert names == ["本市企业有限公司"]


# -- pages -------------------------------------------------------------------------------------


def test_officer_uploads_the_letter_and_writes_an_opinion_then_the_province_sees_both(
    app, client, actors, unreviewed
):
    login(client, actors.prefecture.username)
    page = client.get("/dossier/").get_data(as_text=True)
    assert "未审核测试装备有限公司" in page and "未填写（推荐前必须填写）" in page
    token = csrf_from(page)
    sent = client.post(
        "/dossier/letter",
        data={"csrf_token": token, "letter": (io.BytesIO(blank_pdf()), "推荐函.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and count(EndorsementLetter) == 1
    form_page = client.get(f"/dossier/applications/{unreviewed.id}/opinion").get_data(as_text=True)
    written = client.post(
        f"/dossier/applications/{unreviewed.id}/opinion",
        data={"csrf_token": csrf_from(form_page), "text": "经审核同意推荐。"},
    )
    assert written.status_code == 302
    assert db.session.execute(select(PrefectureOpinion)).scalar_one().text == "经审核同意推荐。"

    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/dossier/").get_data(as_text=True))}
    )
    login(client, actors.coordinator.username)
    overview = client.get("/dossier/").get_data(as_text=True)
    assert "经审核同意推荐。" in overview and "推荐函.pdf" in overview
    letter = db.session.execute(select(EndorsementLetter)).scalar_one()
    download = client.get(f"/dossier/letters/{letter.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    sheet = client.get("/dossier/review-sheet.xlsx")
    assert sheet.status_code == 200 and sheet.data.startswith(b"PK")


def test_a_refused_letter_upload_says_why_on_the_page_and_stores_nothing(client, actors):
    login(client, actors.prefecture.username)
    token = csrf_from(client.get("/dossier/").get_data(as_text=True))
    sent = client.post(
        "/dossier/letter",
        data={"csrf_token": token, "letter": (io.BytesIO(encrypted_pdf()), "推荐函.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "已加密" in sent.get_data(as_text=True)
    assert count(EndorsementLetter) == 0


def test_a_blank_opinion_through_the_page_is_refused_naming_the_field(client, actors, unreviewed):
    login(client, actors.prefecture.username)
    url = f"/dossier/applications/{unreviewed.id}/opinion"
    token = csrf_from(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "text": "  "})
    assert page.status_code == 400 and "请填写“地市审核意见”" in page.get_data(as_text=True)
    assert count(PrefectureOpinion) == 0
