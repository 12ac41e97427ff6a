"""Upload checks: every refusal has its code and a Chinese message; good files pass."""

import io
import struct
import zipfile

import pytest
from docx import Document
from openpyxl import Workbook

from review_app.intake.filecheck import check_docx, check_xlsx
from review_app.intake.parsed import UnreadableFile

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def make_docx() -> bytes:
    doc = Document()
    doc.add_paragraph("卓越级领航级智能工厂培育企业申报书")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def make_xlsx() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "序号"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data, *, add=None, drop=(), edit=None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of the archive ``data`` with members added, dropped or edited."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = src.read(info.filename)
            if edit and info.filename in edit:
                body = edit[info.filename](body)
            dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def refused(check, data: bytes, filename: str) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as err:
        check(data, filename)
    assert filename in err.value.message
    return err.value


def test_real_documents_pass():
    assert check_docx(make_docx(), "申报书.docx") is None
    assert check_xlsx(make_xlsx(), "汇总表.xlsx") is None


def test_a_small_repetitive_member_is_not_a_bomb():
    data = rezip(make_docx(), add={"word/media/blank.bin": b"\0" * 900_000})
    assert check_docx(data, "申报书.docx") is None


def test_over_20_mb_is_too_large():
    data = make_docx() + b"\0" * (20 * 1024 * 1024)
    err = refused(check_docx, data, "大文件.docx")
    assert err.code == "too_large" and "20 MB" in err.message


@pytest.mark.parametrize(
    ("check", "code", "ext"), [(check_docx, "not_docx", ".docx"), (check_xlsx, "not_xlsx", ".xlsx")]
)
def test_not_a_zip(check, code, ext):
    err = refused(check, "这不是文档".encode(), "说明.txt")
    assert err.code == code and ext in err.message


@pytest.mark.parametrize(
    ("check", "code", "old", "new"),
    [(check_docx, "not_docx", ".doc", ".docx"), (check_xlsx, "not_xlsx", ".xls", ".xlsx")],
)
def test_old_binary_office_files_are_told_to_save_as_ooxml(check, code, old, new):
    err = refused(check, OLE + b"\0" * 2000, "旧格式" + old)
    assert err.code == code
    assert f"（{old}，97-2003）" in err.message and f"另存为”{new}" in err.message


def test_password_protected_office_file_is_encrypted():
    data = OLE + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512
    err = refused(check_docx, data, "加密.docx")
    assert err.code == "encrypted" and "密码" in err.message


def test_truncated_archive_is_corrupt():
    data = make_docx()
    err = refused(check_docx, data[: len(data) // 2], "坏文件.docx")
    assert err.code == "corrupt" and "损坏" in err.message


def test_crc_error_is_corrupt_and_names_the_member():
    data = rezip(make_docx(), compression=zipfile.ZIP_STORED)
    at = data.index(b"<w:body>")
    damaged = data[:at] + b"<w:BODY>" + data[at + 8 :]
    err = refused(check_docx, damaged, "坏文件.docx")
    assert err.code == "corrupt" and "word/document.xml" in err.message


def test_vba_project_in_a_real_document_is_a_macro():
    data = rezip(make_docx(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake vba"})
    err = refused(check_docx, data, "申报书.docx")
    assert err.code == "macro" and "宏" in err.message


def test_macro_enabled_content_type_is_a_macro():
    def macro_type(xml: bytes) -> bytes:
        return xml.replace(
            b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
        )

    data = rezip(make_docx(), edit={"[Content_Types].xml": macro_type})
    assert refused(check_docx, data, "申报书.docx").code == "macro"


@pytest.mark.parametrize(
    ("check", "make", "name"),
    [(check_docx, make_docx, "申报书.docm"), (check_xlsx, make_xlsx, "汇总表.XLSM")],
)
def test_macro_enabled_file_names_are_refused(check, make, name):
    err = refused(check, make(), name)
    assert err.code == "macro"


def test_highly_compressible_member_is_a_zip_bomb():
    data = rezip(make_docx(), add={"word/media/image1.png": b"\0" * (50 * 1024 * 1024)})
    assert len(data) < 1024 * 1024  # 50 MB of zeros compress to almost nothing
    err = refused(check_docx, data, "炸弹.docx")
    assert (
        err.code == "zip_bomb"
        and "word/media/image1.png" in err.message
        and "压缩比" in err.message
    )


def test_many_small_members_over_200_mb_are_a_zip_bomb():
    chunk = b"\0" * (1024 * 1024)  # each member exempt from the ratio test by its size
    data = rezip(make_docx(), add={f"word/media/p{i}.bin": chunk for i in range(201)})
    err = refused(check_docx, data, "炸弹.docx")
    assert err.code == "zip_bomb" and "200 MB" in err.message


def test_too_many_members_are_a_zip_bomb():
    data = rezip(make_docx(), add={f"customXml/i{i}.xml": b"" for i in range(10001)})
    count = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    err = refused(check_docx, data, "炸弹.docx")
    assert err.code == "zip_bomb" and f"包含{count}个内部文件" in err.message


def set_encrypted_flag(data: bytes, member: str) -> bytes:
    """Mark ``member`` encrypted (bit 0 of its general-purpose flags) in the central directory."""
    buf = bytearray(data)
    eocd = buf.rfind(b"PK\x05\x06")
    at = struct.unpack_from("<I", buf, eocd + 16)[0]  # start of the central directory
    while at != -1:
        name_len = struct.unpack_from("<H", buf, at + 28)[0]
        if buf[at + 46 : at + 46 + name_len].decode() == member:
            buf[at + 8] |= 0x1
        at = buf.find(b"PK\x01\x02", at + 4)
    return bytes(buf)


def test_encrypted_member_is_encrypted():
    data = set_encrypted_flag(make_docx(), "word/document.xml")
    err = refused(check_docx, data, "加密.docx")
    assert err.code == "encrypted" and "word/document.xml" in err.message


def test_missing_content_types_is_not_docx():
    data = rezip(make_docx(), drop={"[Content_Types].xml"})
    err = refused(check_docx, data, "残缺.docx")
    assert err.code == "not_docx" and "[Content_Types].xml" in err.message


def test_missing_main_part_is_not_docx_and_an_excel_file_is_recognised():
    data = rezip(make_docx(), drop={"word/document.xml"})
    err = refused(check_docx, data, "残缺.docx")
    assert err.code == "not_docx" and "word/document.xml" in err.message
    err = refused(check_docx, make_xlsx(), "汇总表.docx")
    assert err.code == "not_docx" and "这似乎是Excel文件" in err.message


def test_a_word_file_is_not_xlsx():
    err = refused(check_xlsx, make_docx(), "申报书.xlsx")
    assert err.code == "not_xlsx" and "xl/workbook.xml" in err.message and "Word" in err.message


def test_an_empty_zip_is_not_docx():
    buf = io.BytesIO()
    zipfile.ZipFile(buf, "w").close()
    assert refused(check_docx, buf.getvalue(), "空.docx").code == "not_docx"
