"""Coordinator terms for one application's redaction (品牌、产品名、集团名; or terms to keep)."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..modelbase import Timestamps, one_of

TERM_ACTIONS = {"redact": "需隐去", "keep": "保留"}


class RedactionTerm(Timestamps, db.Model):
    __tablename__ = "redaction_term"
    __table_args__ = (
        UniqueConstraint("application_id", "term"),
        one_of("action", tuple(TERM_ACTIONS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    term: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10), default="redact")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
