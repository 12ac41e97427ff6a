"""SimilarityFinding: a pair of sections that share passages, and the coordinator's verdict."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application, Section
from ..extensions import db
from ..modelbase import Timestamps, one_of

KINDS = {
    "same_prefecture": "同一地市",
    "cross_prefecture": "跨地市",
    "earlier_other": "往年其他企业",
    "own_earlier": "本企业往年（自身文本）",
}
STATUSES = {"pending": "未处理", "normal": "正常", "similar": "雷同"}


class SimilarityFinding(Timestamps, db.Model):
    """Section ``a`` (this program's) shares passages with section ``b`` (another application of
    this program, or an application of an earlier year). ``passages``: [start_a, start_b,
    length_a, length_b] in the texts as they were compared (``text_a``, ``text_b``: kept, so a
    marked finding still shows what the coordinator judged after a section changes)."""

    __tablename__ = "similarity_finding"
    __table_args__ = (
        UniqueConstraint("section_a_id", "section_b_id"),
        one_of("kind", tuple(KINDS)),
        one_of("status", tuple(STATUSES)),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        CheckConstraint("shared_chars >= 0", name="shared_nonnegative"),
        CheckConstraint("section_a_id <> section_b_id", name="two_sections"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    application_a_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    application_b_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    section_a_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    section_b_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    shared_chars: Mapped[int]
    passages: Mapped[list] = mapped_column(JSON, default=list)
    text_a: Mapped[str] = mapped_column(Text, default="")
    text_b: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    marked_at: Mapped[datetime | None] = mapped_column(DateTime)

    application_a: Mapped[Application] = relationship(foreign_keys=[application_a_id])
    application_b: Mapped[Application] = relationship(foreign_keys=[application_b_id])
    section_a: Mapped[Section] = relationship(foreign_keys=[section_a_id])
    section_b: Mapped[Section] = relationship(foreign_keys=[section_b_id])
    marked_by = relationship("User")

    @property
    def changed_since(self) -> bool:
        """A section's text is no longer the text that was compared."""
        return self.section_a.text != self.text_a or self.section_b.text != self.text_b

    def __repr__(self) -> str:
        return f"<SimilarityFinding {self.id} {self.kind} {self.score} {self.status}>"
