"""Checks an uploaded .docx/.xlsx before any parser opens it (DESIGN.md §8: bad files get a clear
Chinese error and leave nothing half-imported).

Everything is decided from the bytes and the zip directory, nothing is extracted to disk. Order:
size, old binary or password-protected Office file (OLE), zip signature, the archive's directory
(encrypted members, zip bomb), required parts, macros, then a CRC pass over every member (safe
once the directory has shown the total to be bounded; ``zipfile`` never inflates a member past
its declared size, so a directory that lies yields a CRC error, not a bomb).
"""

import io
import zipfile
import zlib

from .model import UnreadableFile

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
# Members smaller than this are exempt from the ratio test: repetitive XML (a sheet of empty
# styled cells) compresses far better than 100:1, and a 1 MiB member cannot hurt anyone.
RATIO_EXEMPT_BYTES = 1024 * 1024
MAX_MEMBERS = 10000
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream of a password-protected file
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
CONTENT_TYPES = "[Content_Types].xml"
MACRO_SUFFIXES = (".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb")


class _Kind:
    def __init__(self, ext: str, label: str, main_part: str, old_ext: str, other_part: str):
        self.ext, self.label, self.main_part = ext, label, main_part
        self.old_ext, self.other_part = old_ext, other_part
        self.not_code = f"not_{ext.lstrip('.')}"


DOCX = _Kind(".docx", "Word", "word/document.xml", ".doc", "xl/workbook.xml")
XLSX = _Kind(".xlsx", "Excel", "xl/workbook.xml", ".xls", "word/document.xml")


def check_docx(data: bytes, filename: str) -> None:
    """Raise UnreadableFile unless ``data`` is a safe, macro-free, readable .docx."""
    _check(data, filename, DOCX)


def check_xlsx(data: bytes, filename: str) -> None:
    """Raise UnreadableFile unless ``data`` is a safe, macro-free, readable .xlsx."""
    _check(data, filename, XLSX)


def _check(data: bytes, filename: str, kind: _Kind) -> None:
    name = f"“{filename}”"
    if len(data) > MAX_UPLOAD_BYTES:
        mb = len(data) / 1024 / 1024
        raise UnreadableFile(
            f"文件{name}大小为{mb:.1f} MB，超过20 MB的上限，请压缩图片后重新上传。", "too_large"
        )
    if filename.lower().endswith(MACRO_SUFFIXES):
        raise UnreadableFile(
            f"文件{name}是启用宏的文件，不予受理，请另存为不含宏的{kind.ext}文件后上传。", "macro"
        )
    if data.startswith(OLE_SIGNATURE):
        if ENCRYPTED_PACKAGE in data:
            raise UnreadableFile(
                f"文件{name}设置了打开密码，无法读取，请取消密码后重新上传。", "encrypted"
            )
        raise UnreadableFile(
            f"文件{name}是旧版{kind.label}（{kind.old_ext}，97-2003）格式，"
            f"请在{kind.label}中“另存为”{kind.ext}格式后重新上传。",
            kind.not_code,
        )
    if not data.startswith(ZIP_SIGNATURES):
        raise UnreadableFile(
            f"文件{name}不是{kind.ext}格式（{kind.label}文档），请上传{kind.ext}文件。",
            kind.not_code,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_archive(zf, name, kind)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise UnreadableFile(
            f"文件{name}已损坏（压缩包结构错误），请重新保存后上传。", "corrupt"
        ) from exc
    except NotImplementedError as exc:  # e.g. an unsupported (AES) compression method
        raise UnreadableFile(
            f"文件{name}使用了不支持的压缩或加密方式，请重新保存为普通{kind.ext}文件。", "encrypted"
        ) from exc


def _check_archive(zf: zipfile.ZipFile, name: str, kind: _Kind) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise UnreadableFile(
            f"文件{name}包含{len(infos)}个内部文件，数量异常，疑似压缩炸弹，已拒绝。", "zip_bomb"
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnreadableFile(
                f"文件{name}已加密（内部文件{info.filename}），请取消密码后重新上传。", "encrypted"
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_EXEMPT_BYTES and ratio > MAX_RATIO:
            raise UnreadableFile(
                f"文件{name}中的{info.filename}压缩比为{ratio:.0f}:1，超过{MAX_RATIO}:1，"
                "疑似压缩炸弹，已拒绝。",
                "zip_bomb",
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(
            f"文件{name}解压后共{total / 1024 / 1024:.0f} MB，超过200 MB，疑似压缩炸弹，已拒绝。",
            "zip_bomb",
        )
    names = {info.filename for info in infos}
    if CONTENT_TYPES not in names or kind.main_part not in names:
        other = XLSX.label if kind is DOCX else DOCX.label
        hint = f"（这似乎是{other}文件）" if kind.other_part in names else ""
        missing = kind.main_part if CONTENT_TYPES in names else CONTENT_TYPES
        raise UnreadableFile(
            f"文件{name}不是有效的{kind.ext}文件{hint}，缺少{missing}，"
            f"请上传{kind.label}保存的{kind.ext}文件。",
            kind.not_code,
        )
    content_types = zf.read(CONTENT_TYPES).decode("utf-8", "replace")
    if (
        any(n.lower().endswith("vbaproject.bin") for n in names)
        or "macroenabled" in content_types.lower()
    ):
        raise UnreadableFile(
            f"文件{name}包含宏（VBA），不予受理，请另存为不含宏的{kind.ext}文件后上传。", "macro"
        )
    bad = zf.testzip()
    if bad is not None:
        raise UnreadableFile(
            f"文件{name}已损坏（内部文件{bad}校验失败），请重新保存后上传。", "corrupt"
        )
