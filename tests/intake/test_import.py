"""Importing 申报书 through the prefecture's pages and the service: one transaction per file,
bad files refused with a Chinese message and nothing stored."""

import hashlib
import io
import zipfile

import pytest
from sqlalchemy import func, select

from review_app.applications.models import Application, SourceFile
from review_app.audit.models import AuditEvent
from review_app.enterprises.models import Enterprise
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.intake.parsed import UnreadableFile
from review_app.intake.service import import_docx, read_upload
from review_app.programs.service import current_program
from review_app.programs.years import figure_years
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, csrf_from, login
from .conftest import docx_for, valid_sample


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Application, Enterprise, SourceFile, AuditEvent)
    )


def _upload(client, files):
    page = client.get("/intake/upload")
    token = csrf_from(page.get_data(as_text=True))
    data = {"csrf_token": token, "files": [(io.BytesIO(b), name) for name, b in files]}
    return client.post("/intake/upload", data=data, content_type="multipart/form-data")


def test_upload_creates_application_with_fields_sections_and_file(app, client, luoyang_officer):
    parsed = valid_sample()
    data = docx_for(parsed)
    login(client, "lyofficer")
    response = _upload(client, [("申报书.docx", data)])
    assert response.status_code == 302
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已受理" in job_page and "共1份，受理1份，失败0份" in job_page
    application = db.session.execute(select(Application)).scalar_one()
    assert application.state == "submitted"
    assert application.prefecture.name == "洛阳市"
    assert application.track_code == "excellent"
    e = application.enterprise
    assert (e.name, e.uscc, e.nature, e.size) == (
        parsed.enterprise.name, parsed.enterprise.uscc, "民营企业", "大型企业",
    )  # fmt: skip
    assert (e.industry_division, e.industry_group, e.chain) == ("34", "342", "机器人和数控机床")
    assert {s.key: s.text for s in application.sections} == parsed.sections
    assert {f.year: float(f.revenue) for f in application.figures} == {
        2023: 98765.0, 2024: 112000.25, 2025: 125600.0,
    }  # fmt: skip
    stored = application.files[0]
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.data == data
    assert [p for p in application.format_report if p["severity"] == "blocking"] == []
    actions = db.session.execute(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "application", AuditEvent.object_id == str(application.id)
        )
    ).scalars().all()  # fmt: skip
    assert actions == ["application.submit", "application.import"]


def test_bulk_upload_reports_each_file_and_stores_only_the_good_ones(app, client, luoyang_officer):
    good1, good2 = valid_sample(n=1), valid_sample(n=2)
    login(client, "lyofficer")
    response = _upload(
        client,
        [("a.docx", docx_for(good1)), ("b.docx", b"this is not a word file"),
         ("c.docx", docx_for(good2))],
    )  # fmt: skip
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "共3份，受理2份，失败1份" in page
    assert "b.docx" in page and "未受理" in page
    names = set(db.session.execute(select(Enterprise.name)).scalars())
    assert names == {good1.enterprise.name, good2.enterprise.name}


def _zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def _macro_docx() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_for(valid_sample())))
    members = {name: source.read(name) for name in source.namelist()}
    members["word/vbaProject.bin"] = b"\x00" * 64
    return _zip_with(members)


BAD_FILES = {
    "not_docx": b"%PDF-1.4 not a docx",
    "corrupt": docx_for(valid_sample())[:2000],
    "macro": None,  # built in the test: needs the app's template
    "too_large": b"PK\x03\x04" + b"\x00" * (20 * 1024 * 1024 + 10),
    "zip_bomb": None,
    "no_sections": None,
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_are_refused_with_chinese_message_and_nothing_stored(app, kind):
    officer = f.user("prefecture", prefecture="洛阳市")
    db.session.commit()
    before = _counts()
    if kind == "macro":
        data = _macro_docx()
    elif kind == "zip_bomb":
        source = zipfile.ZipFile(io.BytesIO(docx_for(valid_sample())))
        members = {name: source.read(name) for name in source.namelist()}
        members["word/media/huge.bin"] = b"\x00" * (60 * 1024 * 1024)
        data = _zip_with(members)
    elif kind == "no_sections":
        from docx import Document

        doc = Document()
        doc.add_paragraph("一份与申报书无关的文档。")
        buffer = io.BytesIO()
        doc.save(buffer)
        data = buffer.getvalue()
    else:
        data = BAD_FILES[kind]
    with pytest.raises(UnreadableFile) as caught:
        import_docx(current_program(), officer.prefecture, data, f"{kind}.docx", officer)
    db.session.rollback()
    assert (
        caught.value.code == kind
        if kind != "corrupt"
        else caught.value.code in ("corrupt", "not_docx")
    )
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert _counts() == before


def test_reupload_replaces_a_submitted_application(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    first = valid_sample()
    application = import_docx(
        current_program(), officer.prefecture, docx_for(first), "1.docx", officer
    )
    changed = valid_sample()
    changed.sections["link.factory"] = "改写后的工厂建设。"
    again = import_docx(current_program(), officer.prefecture, docx_for(changed), "2.docx", officer)
    assert again.id == application.id
    assert again.section("link.factory").text == "改写后的工厂建设。"
    assert len(again.files) == 2


def test_reupload_after_endorsement_is_refused(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    parsed = valid_sample()
    application = import_docx(
        current_program(), officer.prefecture, docx_for(parsed), "1.docx", officer
    )
    f.write_opinion(application)
    fire(application, "endorse", officer, now=BEFORE_DEADLINE)
    db.session.commit()
    with pytest.raises(InvalidInput, match="地市已推荐"):
        import_docx(current_program(), officer.prefecture, docx_for(parsed), "2.docx", officer)


def test_officer_cannot_import_for_another_prefecture(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    zhengzhou = f.prefecture("郑州市")
    with pytest.raises(PermissionDenied):
        import_docx(current_program(), zhengzhou, docx_for(valid_sample()), "x.docx", officer)


def test_upload_page_requires_a_file(app, client, luoyang_officer):
    login(client, "lyofficer")
    page = client.get("/intake/upload")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/intake/upload", data={"csrf_token": token})
    assert response.status_code == 400
    assert "请选择至少一个文件" in response.get_data(as_text=True)


def test_other_roles_cannot_upload(app, client):
    f.user("expert", "someexpert")
    db.session.commit()
    login(client, "someexpert")
    assert client.get("/intake/upload").status_code == 403


def test_an_upload_read_ahead_is_used_only_for_the_same_bytes_name_and_years(app):
    """``read_upload`` (a worker's check and parse) stands for the import's own only when it
    was made from the very bytes, file name and figure years; otherwise the upload is read
    again, so a mismatched one can neither smuggle a parse nor skip the safety check."""
    officer = f.user("prefecture", prefecture="洛阳市")
    program = current_program()
    years = figure_years(program.year)
    first, second = valid_sample(n=1), valid_sample(n=2)
    read_first = read_upload(docx_for(first), "1.docx", years)
    application = import_docx(program, officer.prefecture, docx_for(first), "1.docx", officer,
                              read=read_first)  # fmt: skip
    assert application.enterprise.name == first.enterprise.name
    other = import_docx(program, officer.prefecture, docx_for(second), "2.docx", officer,
                        read=read_upload(docx_for(first), "2.docx", years))  # fmt: skip
    assert other.enterprise.name == second.enterprise.name  # its own bytes, read again
    with pytest.raises(UnreadableFile):
        import_docx(program, officer.prefecture, BAD_FILES["not_docx"], "2.docx", officer,
                    read=read_upload(docx_for(second), "2.docx", years))  # fmt: skip
