"""Files received after the decision: 审定 minutes (.pdf/.docx) and objection attachments or
findings (.pdf, .docx, JPG/PNG). Bounded and content-checked like inspection evidence: the magic
bytes must match the extension, a .docx must pass the intake's check (no macros, no external
parts, no XML bombs)."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import InvalidInput
from ..intake.filecheck import check_docx
from ..intake.parsed import UnreadableFile

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
PDF = (b"%PDF-", "application/pdf", (".pdf",))
IMAGES = (
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def safe_name(filename: str, default: str = "file") -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name).strip(". ") or default
    return name[-120:]


def checked(upload: Upload, images: bool = True) -> CheckedFile:
    """``upload`` if it is a bounded PDF, .docx (or, with ``images``, JPG/PNG) whose content
    matches its name; else InvalidInput with the reason in Chinese."""
    name = safe_name(upload.filename)
    data = upload.data or b""
    if not data:
        raise InvalidInput(f"文件“{name}”是空的。", "empty_file")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"文件“{name}”超过10MB，请压缩后再上传。", "file_too_large")
    suffix = PurePosixPath(name.lower()).suffix
    kinds = (PDF, *IMAGES) if images else (PDF,)
    for magic, content_type, suffixes in kinds:
        if data.startswith(magic):
            if suffix not in suffixes:
                raise InvalidInput(f"文件“{name}”的扩展名与内容不符。", "file_mismatch")
            return CheckedFile(name, content_type, data)
    if suffix == ".docx":
        try:
            check_docx(data, name)
        except UnreadableFile as err:
            raise InvalidInput(err.message, "file_unreadable") from None
        return CheckedFile(name, DOCX_TYPE, data)
    allowed = "PDF、Word（.docx）" + ("或 JPG、PNG 图片" if images else "")
    raise InvalidInput(f"文件“{name}”不是{allowed}文件。", "file_kind")
