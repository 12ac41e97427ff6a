"""Checks an uploaded .docx/.xlsx before any parser opens it (DESIGN.md §8: bad files get a clear
Chinese error and leave nothing half-imported).

Everything is decided from the bytes and the zip directory, nothing is extracted to disk. Order:
size, old binary or password-protected Office file (OLE), zip signature, the archive's directory
(encrypted members, member names that are paths out of the archive, zip bomb, a .docx XML part
over ``INTAKE_MAX_XML_PART_BYTES``), required parts, macros (by name, content type or a
vbaProject relationship under any part name), then a CRC pass over every member (safe once the
directory has shown the total to be bounded; ``zipfile`` never inflates a member past its
declared size, so a directory that lies yields a CRC error, not a bomb), then every XML part is
streamed through expat with defusedxml's refusals and a byte counter (no DOCTYPE, no entity, at most
the cap whatever the header says), and a .docx's relationships may point outside the package only
as hyperlinks (an external template, image, frame or object would be fetched when opened).
"""

import io
import re
import zipfile
import zlib
from xml.parsers import expat

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import fromstring as safe_fromstring
from flask import current_app, has_app_context

from .parsed import UnreadableFile

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
# A .docx XML part (document.xml, styles, relationships…) larger than this is refused before it
# is read: the form's document.xml is a few hundred KB (setting INTAKE_MAX_XML_PART_BYTES).
MAX_XML_PART_BYTES = 5 * 1024 * 1024
MACRO_MARKS = ("vbaproject", "vbadata", "macroenabled")  # content types, relationship types
HYPERLINK_TYPE = "/hyperlink"
EXTERNAL_KINDS = (
    ("attachedTemplate", "外部模板"),
    ("image", "外部图片"),
    ("oleObject", "外部对象"),
    ("subDocument", "外部子文档"),
    ("frame", "外部网页框架"),
    ("package", "外部嵌入文件"),
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 64 * 1024


def setting(name: str, default: int) -> int:
    """An intake limit: the app's config value when an app is running, else the default."""
    if has_app_context():
        return int(current_app.config.get(name, default))
    return default


class _Kind:
    def __init__(
        self, ext: str, label: str, main_part: str, old_ext: str, other_part: str, strict: bool
    ):
        self.ext, self.label, self.main_part = ext, label, main_part
        self.old_ext, self.other_part = old_ext, other_part
        self.not_code = f"not_{ext.lstrip('.')}"
        # The 申报书 alone: external relationships and the XML part cap (a workbook of experts
        # may be large and link other workbooks; openpyxl reads it through defusedxml anyway).
        self.strict = strict


DOCX = _Kind(".docx", "Word", "word/document.xml", ".doc", "xl/workbook.xml", strict=True)
XLSX = _Kind(".xlsx", "Excel", "xl/workbook.xml", ".xls", "word/document.xml", strict=False)


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
    total, seen = 0, set()
    part_cap = setting("INTAKE_MAX_XML_PART_BYTES", MAX_XML_PART_BYTES) if kind.strict else None
    for info in infos:
        _check_member_name(info.filename, seen, name)
        if info.flag_bits & 0x1:
            raise UnreadableFile(
                f"文件{name}已加密（内部文件{info.filename}），请取消密码后重新上传。", "encrypted"
            )
        if part_cap is not None and _is_xml_name(info.filename) and info.file_size > part_cap:
            raise _part_too_large(name, info.filename, info.file_size, part_cap)
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
    if any(n.lower().endswith("vbaproject.bin") for n in names) or any(
        mark in content_types.lower() for mark in MACRO_MARKS
    ):
        raise _macro(name, kind)
    bad = zf.testzip()
    if bad is not None:
        raise UnreadableFile(
            f"文件{name}已损坏（内部文件{bad}校验失败），请重新保存后上传。", "corrupt"
        )
    xml_parts = [i for i in infos if _is_xml_name(i.filename)] + _xml_by_type(
        zf, infos, content_types, part_cap, name
    )
    for info in xml_parts:
        _scan_xml(zf, info, part_cap, name)
    for info in infos:
        if info.filename.endswith(".rels"):
            _check_relationships(zf.read(info), info.filename, name, kind)


def _macro(name: str, kind: _Kind) -> UnreadableFile:
    return UnreadableFile(
        f"文件{name}包含宏（VBA），不予受理，请另存为不含宏的{kind.ext}文件后上传。", "macro"
    )


def _check_member_name(member: str, seen: set[str], name: str) -> None:
    """Refuse a member name that is a path out of the package (``../``, ``/etc``, ``C:``,
    backslashes) or that appears twice (readers disagree on which copy counts)."""
    parts = member.rstrip("/").split("/")
    if (
        not member
        or "\\" in member
        or "\0" in member
        or member.startswith("/")
        or _DRIVE.match(member)
        or any(p in ("", ".", "..") for p in parts)
    ):
        shown = member.encode("unicode_escape").decode("ascii")[:80]
        raise UnreadableFile(
            f"文件{name}包含路径异常的内部文件（{shown}），疑似恶意构造，不予受理。"
            "请用Word重新保存后上传。",
            "bad_member",
        )
    if member in seen:
        raise UnreadableFile(
            f"文件{name}中的内部文件{member}出现了多次，文件结构异常，不予受理。", "bad_member"
        )
    seen.add(member)


def _is_xml_name(member: str) -> bool:
    return member.lower().endswith((".xml", ".rels"))


def _xml_by_type(zf, infos, content_types: str, cap: int | None, name: str) -> list:
    """Members that are XML by their content type though not by their extension."""
    try:
        root = safe_fromstring(content_types.encode("utf-8"))
    except (DefusedXmlException, SyntaxError) as exc:
        raise _bad_xml(name, CONTENT_TYPES, exc) from exc
    defaults, overrides = {}, {}
    for el in root:
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "Default":
            defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
        elif tag == "Override":
            overrides[el.get("PartName", "").lstrip("/")] = el.get("ContentType", "")
    out = []
    for info in infos:
        ext = info.filename.rsplit(".", 1)[-1].lower() if "." in info.filename else ""
        ctype = overrides.get(info.filename, defaults.get(ext, ""))
        if "xml" in ctype.lower() and not _is_xml_name(info.filename):
            if cap is not None and info.file_size > cap:
                raise _part_too_large(name, info.filename, info.file_size, cap)
            out.append(info)
    return out


def _part_too_large(name: str, member: str, size: int, cap: int) -> UnreadableFile:
    return UnreadableFile(
        f"文件{name}中的{member}解压后为{size / 1024 / 1024:.1f} MB，超过单个部件"
        f"{cap / 1024 / 1024:g} MB的上限，不予受理。请删除多余内容（如粘贴进来的大量表格）"
        "后重新上传。",
        "part_too_large",
    )


def _bad_xml(name: str, member: str, exc: Exception) -> UnreadableFile:
    if isinstance(exc, DefusedXmlException):
        return UnreadableFile(
            f"文件{name}中的{member}含有文档类型定义或实体声明（DOCTYPE/ENTITY），"
            "可用于读取外部内容，不予受理。请用Word重新保存后上传。",
            "xml_dtd",
        )
    return UnreadableFile(
        f"文件{name}已损坏（内部文件{member}不是有效的XML），请重新保存后上传。", "corrupt"
    )


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int | None, name: str) -> None:
    """Stream one XML part through expat with DTDs and entities forbidden, counting the bytes
    actually inflated (a header that understates the size cannot pass the cap).

    expat is driven directly with only defusedxml's refusals as handlers (a DOCTYPE, an entity
    declaration, an external reference raise its exceptions): the SAX reader would call back
    into Python for every element and text run, most of the time of an upload's checks."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid_dtd
    parser.EntityDeclHandler = _forbid_entity
    parser.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    parser.ExternalEntityRefHandler = _forbid_external
    read = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if cap is not None and read > cap:
                    raise _part_too_large(name, info.filename, read, cap)
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (DefusedXmlException, expat.ExpatError) as exc:
        raise _bad_xml(name, info.filename, exc) from exc


def _forbid_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _check_relationships(xml: bytes, member: str, name: str, kind: _Kind) -> None:
    """No vbaProject relationship under any part name; in a .docx, no relationship that makes
    Word fetch something from outside the package (hyperlinks are text and stay allowed)."""
    try:
        root = safe_fromstring(xml)
    except (DefusedXmlException, SyntaxError) as exc:
        raise _bad_xml(name, member, exc) from exc
    for rel in root:
        rel_type = rel.get("Type", "")
        if any(mark in rel_type.lower() for mark in MACRO_MARKS):
            raise _macro(name, kind)
        external = rel.get("TargetMode", "").lower() == "external"
        if not (kind.strict and external) or rel_type.endswith(HYPERLINK_TYPE):
            continue
        suffix = rel_type.rsplit("/", 1)[-1]
        what = next((label for k, label in EXTERNAL_KINDS if k.lower() == suffix.lower()),
                    "外部资源")  # fmt: skip
        target = rel.get("Target", "").encode("unicode_escape").decode("ascii")[:80]
        raise UnreadableFile(
            f"文件{name}引用了{what}（{target}），打开时会从外部读取内容，不予受理。"
            "请删除该引用后重新保存上传。",
            "external_ref",
        )
