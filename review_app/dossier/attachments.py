"""Uploading and removing the dossier's files. Each file is checked before anything is stored:
its kind's types by content (PDF, JPG, PNG; the extension must agree), size and count limits,
a PDF readable and not encrypted. The stamped 申报书 is compared with the Word file on upload.
Verbs flush and audit; the caller commits."""

import hashlib
from pathlib import PurePosixPath

from sqlalchemy import func, select

from ..applications.models import Application
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, PermissionDenied
from ..extensions import db
from .compare import compare_with_word_file
from .kinds import (
    APPLICANT_KINDS,
    BY_CODE,
    JPG,
    MAX_ATTACHMENTS_PER_APPLICATION,
    PDF,
    PNG,
    Facts,
    missing,
)
from .models import Attachment
from .pdfcheck import check_pdf
from .permissions import can_add_check_file, can_upload_attachment
from .service import Upload, safe_name

SUFFIXES = {PDF: (".pdf",), JPG: (".jpg", ".jpeg"), PNG: (".png",)}
TYPE_WORDS = {PDF: "PDF", JPG: "JPG", PNG: "PNG"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sniff(data: bytes) -> str | None:
    """The content type ``data`` really is (PDF, JPG, PNG), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPG
    if b"%PDF-" in data[:1024]:
        return PDF
    return None


def facts(app: Application) -> Facts:
    return Facts(app.track_code, app.maturity_level, app.other_evidence or "",
                 bool(app.honours), bool(app.national_excellent))  # fmt: skip


def files_of(app: Application, kind: str | None = None) -> list[Attachment]:
    query = select(Attachment).where(Attachment.application_id == app.id)
    if kind:
        query = query.where(Attachment.kind == kind)
    return list(db.session.execute(query.order_by(Attachment.id)).scalars())


def missing_attachments(app: Application) -> list[tuple[str, str]]:
    """(kind, Chinese message) of each attachment the application needs and lacks."""
    present = {a.kind for a in files_of(app)}
    return missing(facts(app), present)


def _check(kind_code: str, upload: Upload, app: Application):
    kind = BY_CODE.get(kind_code)
    if kind is None:
        raise InvalidInput("请选择材料类别。", code="kind_invalid")
    name = safe_name(upload.filename, "附件")
    words = "、".join(TYPE_WORDS[t] for t in kind.types)
    if not upload.data:
        raise InvalidInput(f"文件“{name}”是空的。", code="file_empty")
    if len(upload.data) > kind.max_bytes:
        mb = kind.max_bytes // (1024 * 1024)
        raise InvalidInput(f"文件“{name}”超过{mb}MB，请压缩后再上传。", code="file_too_large")
    content_type = sniff(upload.data)
    if content_type not in kind.types:
        raise InvalidInput(
            f"文件“{name}”不是{kind.name}可用的格式（{words}），请按要求转换后上传。",
            code="file_type",
        )
    if PurePosixPath(name.lower()).suffix not in SUFFIXES[content_type]:
        raise InvalidInput(f"文件“{name}”的扩展名与内容（{TYPE_WORDS[content_type]}）不符。",
                           code="file_suffix")  # fmt: skip
    existing = files_of(app)
    if sum(1 for a in existing if a.kind == kind.code) >= kind.limit:
        raise InvalidInput(f"{kind.name}最多上传{kind.limit}个文件，请先删除旧文件。",
                           code="file_count")  # fmt: skip
    if len(existing) >= MAX_ATTACHMENTS_PER_APPLICATION:
        raise InvalidInput(
            f"每份申报最多{MAX_ATTACHMENTS_PER_APPLICATION}个文件。", code="file_count"
        )
    info = check_pdf(upload.data, name, kind.max_bytes) if content_type == PDF else None
    return kind, name, content_type, info


def _word_file(app: Application):
    return next((f for f in reversed(app.files) if f.content_type == DOCX
                 or f.filename.lower().endswith(".docx")), None)  # fmt: skip


def add_attachment(app: Application, kind_code: str, upload: Upload, actor) -> Attachment:
    """Store one file of ``kind_code`` for ``app``; refused with the reason, nothing stored."""
    if kind_code not in BY_CODE:
        raise InvalidInput("请选择材料类别。", code="kind_invalid")
    if kind_code in APPLICANT_KINDS:
        allowed = can_upload_attachment(actor, app)
    else:
        allowed = can_add_check_file(actor, app)
    if not allowed:
        raise PermissionDenied("您不能为该申报上传此类材料。")
    kind, name, content_type, info = _check(kind_code, upload, app)
    row = Attachment(
        application_id=app.id, kind=kind.code, filename=name, content_type=content_type,
        size=len(upload.data), sha256=hashlib.sha256(upload.data).hexdigest(), data=upload.data,
        pages=info.pages if info else None, differences=[],
        uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow(),
    )  # fmt: skip
    if kind.code == "stamped_form":
        word = _word_file(app)
        if word is not None:
            result = compare_with_word_file(word.data, info.text)
            row.similarity, row.differences = result.similarity, result.differences
    db.session.add(row)
    db.session.flush()
    audit.record(
        "dossier.file", "application", app.id, actor=actor,
        after={"kind": kind.code, "file": name, "sha256": row.sha256, "size": row.size,
               "similarity": row.similarity},
    )  # fmt: skip
    return row


def remove_attachment(row: Attachment, actor) -> None:
    app = row.application
    allowed = (can_upload_attachment if row.kind in APPLICANT_KINDS else can_add_check_file)(
        actor, app
    )
    if not allowed:
        raise PermissionDenied("您不能删除该材料。")
    before = {"kind": row.kind, "file": row.filename, "sha256": row.sha256}
    db.session.delete(row)
    db.session.flush()
    audit.record("dossier.file_removed", "application", app.id, actor=actor, before=before)


def count_files(app: Application) -> int:
    return db.session.scalar(
        select(func.count(Attachment.id)).where(Attachment.application_id == app.id)
    )
