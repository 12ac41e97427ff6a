"""推荐函 (one stamped PDF per prefecture and program) and 地市审核意见 (one per application)."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..extensions import db
from ..programs.models import Prefecture, Program


class EndorsementLetter(db.Model):
    """A prefecture's 正式推荐文件 (推荐函) for a program: the stamped PDF; a new upload replaces it."""

    __tablename__ = "endorsement_letter"
    __table_args__ = (
        UniqueConstraint("program_id", "prefecture_id"),
        CheckConstraint("size > 0", name="letter_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    pages: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    program: Mapped[Program] = relationship()
    prefecture: Mapped[Prefecture] = relationship()


class PrefectureOpinion(db.Model):
    """地市审核意见: the prefecture's written review of one application, required to endorse it."""

    __tablename__ = "prefecture_opinion"
    __table_args__ = (CheckConstraint("length(text) > 0", name="opinion_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    written_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()
