"""The dossier verbs: write a 地市审核意见, upload a 推荐函. Each checks permission and input,
changes rows, writes its audit event and flushes; the caller commits (nothing is stored when a
check refuses)."""

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select

from ..applications.models import Application
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, PermissionDenied
from ..extensions import db
from ..programs.models import Prefecture, Program
from .guards import OPINION_FIELD, opinion_of
from .models import EndorsementLetter, PrefectureOpinion
from .pdfcheck import check_pdf
from .permissions import REFUSAL, can_upload_letter, can_write_opinion

MAX_OPINION_CHARS = 2000


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def safe_name(filename: str, default: str = "file") -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name).strip(". ") or default
    return name[-120:]


def write_opinion(application: Application, text: str, actor) -> PrefectureOpinion:
    """Write (or rewrite) the 地市审核意见 of ``application``."""
    if not can_write_opinion(actor, application):
        if can_write_opinion(actor):
            raise PermissionDenied("只能为本地市尚未进入形式审查的申报填写审核意见。")
        raise PermissionDenied(REFUSAL)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"请填写“{OPINION_FIELD}”。", code="opinion_missing")
    if len(text) > MAX_OPINION_CHARS:
        raise InvalidInput(
            f"“{OPINION_FIELD}”不能超过{MAX_OPINION_CHARS}字（现{len(text)}字）。",
            code="opinion_too_long",
        )
    opinion = opinion_of(application)
    before = {"text": opinion.text} if opinion else None
    if opinion is None:
        opinion = PrefectureOpinion(application_id=application.id, text=text)
        db.session.add(opinion)
    opinion.text = text
    opinion.written_by_id = getattr(actor, "id", None)
    opinion.written_at = utcnow()
    db.session.flush()
    audit.record(
        "dossier.opinion", "application", application.id, actor=actor,
        before=before, after={"text": text},
    )  # fmt: skip
    return opinion


def letter_of(program: Program, prefecture: Prefecture) -> EndorsementLetter | None:
    return db.session.execute(
        select(EndorsementLetter).where(
            EndorsementLetter.program_id == program.id,
            EndorsementLetter.prefecture_id == prefecture.id,
        )
    ).scalar_one_or_none()


def upload_letter(
    program: Program, prefecture: Prefecture, upload: Upload, actor
) -> EndorsementLetter:
    """Store ``prefecture``'s stamped 推荐函 for ``program`` (replacing an earlier one); refused
    with the reason when the file is not a readable, unencrypted PDF within the size limit."""
    if not can_upload_letter(actor, prefecture):
        raise PermissionDenied(REFUSAL)
    name = safe_name(upload.filename, "推荐函.pdf")
    if PurePosixPath(name.lower()).suffix != ".pdf":
        raise InvalidInput(f"推荐函“{name}”应为盖章后的PDF文件（.pdf）。", code="not_pdf")
    info = check_pdf(upload.data, name)
    letter = letter_of(program, prefecture)
    before = {"file": letter.filename, "sha256": letter.sha256} if letter else None
    if letter is None:
        letter = EndorsementLetter(program_id=program.id, prefecture_id=prefecture.id)
        db.session.add(letter)
    letter.filename, letter.size, letter.pages = name, len(upload.data), info.pages
    letter.sha256 = hashlib.sha256(upload.data).hexdigest()
    letter.data = upload.data
    letter.uploaded_by_id, letter.uploaded_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(
        "dossier.letter", "prefecture", prefecture.id, actor=actor, before=before,
        after={"program": program.id, "file": name, "sha256": letter.sha256, "pages": info.pages},
    )  # fmt: skip
    return letter
