"""Assignment (application, section, expert) and Conflict (expert, enterprise)."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application, Section
from ..enterprises.models import Enterprise
from ..experts.models import Expert, Panel
from ..extensions import db
from ..modelbase import Timestamps, one_of

ASSIGNMENT_STATUSES = {
    "assigned": "待评分",
    "declined_conflict": "已申报回避",
    "submitted": "已提交评分",
    "reopened": "已重新开放",
}
# Assignments that still count towards staffing a section.
ACTIVE_ASSIGNMENT_STATUSES = ("assigned", "submitted", "reopened")

CONFLICT_RULES = {
    "same_employer": "专家工作单位为该企业或其集团、关联企业",
    "former_employer": "专家近三年曾在该企业任职",
    "declared_relation": "专家申报了与该企业的关联关系",
    "same_prefecture": "专家所在地市与企业相同",
    "supplier_mentioned": "申报材料中提及专家所在单位（如系统集成商）",
}
CONFLICT_STATUSES = {
    "active": "有效",
    "waived": "已豁免",
    "pinned": "已锁定",
    "dismissed": "已排除",
    "pending": "待确认",
}


class Assignment(Timestamps, db.Model):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("section_id", "expert_id"),
        # In section review an expert gets at most one section of an application (the solver
        # and manual_assign keep that rule); in a meeting every present expert scores them all.
        one_of("status", tuple(ASSIGNMENT_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id"))
    status: Mapped[str] = mapped_column(String(20), default="assigned")
    due_date: Mapped[date | None] = mapped_column(Date)

    application: Mapped[Application] = relationship()
    section: Mapped[Section] = relationship()
    expert: Mapped[Expert] = relationship()
    panel: Mapped[Panel | None] = relationship()

    @property
    def status_name(self) -> str:
        return ASSIGNMENT_STATUSES[self.status]


class Conflict(Timestamps, db.Model):
    """A conflict of interest between an expert and an enterprise, with its evidence."""

    __tablename__ = "conflict"
    __table_args__ = (
        UniqueConstraint("expert_id", "enterprise_id", "rule"),
        one_of("rule", tuple(CONFLICT_RULES)),
        one_of("source", ("declared", "detected")),
        one_of("status", tuple(CONFLICT_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    rule: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    expert: Mapped[Expert] = relationship()
    enterprise: Mapped[Enterprise] = relationship()

    @property
    def blocks(self) -> bool:
        """Whether this conflict forbids the expert from reviewing the enterprise."""
        return self.status in ("active", "pinned", "pending")
