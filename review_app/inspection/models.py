"""Inspection of a sampled application: inspectors, checklist findings, evidence, verdict."""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..auth.models import User
from ..extensions import db
from ..modelbase import Timestamps, one_of

VERDICTS = {"true": "属实", "mostly_true": "基本属实", "untrue": "不属实"}
FINDINGS = VERDICTS


class Inspection(Timestamps, db.Model):
    __tablename__ = "inspection"
    __table_args__ = (
        one_of("verdict", tuple(VERDICTS)),
        CheckConstraint("deduction >= 0", name="deduction_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    # Why it was sampled: rule codes joined by commas (near_cut, dispersion, figures, random,
    # manual), the human-readable detail, and the seed of the draw.
    sample_rule: Mapped[str] = mapped_column(String(80), default="random")
    sample_detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    sample_seed: Mapped[str] = mapped_column(String(64), default="")
    sampled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verdict: Mapped[str | None] = mapped_column(String(20))
    deduction: Mapped[float] = mapped_column(Numeric(6, 2), default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()
    inspectors: Mapped[list["InspectionInspector"]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )
    # In the rubric's order: items are created in that order with the inspection.
    items: Mapped[list["InspectionItem"]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionItem.id"
    )

    def has_inspector(self, user_id: int) -> bool:
        return any(i.user_id == user_id for i in self.inspectors)


class InspectionInspector(db.Model):
    __tablename__ = "inspection_inspector"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    inspection: Mapped[Inspection] = relationship(back_populates="inspectors")
    user: Mapped[User] = relationship()


class InspectionItem(db.Model):
    """One checklist item and its finding (属实 / 基本属实 / 不属实)."""

    __tablename__ = "inspection_item"
    __table_args__ = (
        UniqueConstraint("inspection_id", "code"),
        one_of("finding", tuple(FINDINGS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    finding: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="items")
    evidence: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )


class EvidenceFile(db.Model):
    __tablename__ = "evidence_file"
    __table_args__ = (CheckConstraint("size >= 0", name="size_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    item: Mapped[InspectionItem] = relationship(back_populates="evidence")


class ChecklistSave(db.Model):
    """One accepted save of the checklist, by the id its page (or the offline queue) gave it:
    a save replayed when the phone's connection returns is accepted once."""

    __tablename__ = "checklist_save"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
