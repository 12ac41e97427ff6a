"""Expert profiles, declared relations and panels."""

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.catalogue import GROUP_NAMES
from ..auth.models import User
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import TRACKS, Prefecture

RELATION_KINDS = {
    "consultancy": "咨询服务",
    "shareholding": "持股",
    "relative": "亲属任职",
    "helped_write": "协助编写申报材料",
    "employment": "曾任职",
    "other": "其他",
}


class Expert(Timestamps, db.Model):
    """An expert's profile; the login account is ``user``."""

    __tablename__ = "expert"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    employer: Mapped[str] = mapped_column(String(200))  # 工作单位
    title: Mapped[str] = mapped_column(String(60), default="")  # 职称
    prefecture_id: Mapped[int | None] = mapped_column(ForeignKey("prefecture.id"))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    # 重点环节 keys (link.factory …) and GB/T 4754 大类 codes.
    specialties: Mapped[list] = mapped_column(JSON, default=list)
    industries: Mapped[list] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=10)

    user: Mapped[User | None] = relationship()
    prefecture: Mapped[Prefecture | None] = relationship()
    relations: Mapped[list["ExpertRelation"]] = relationship(
        back_populates="expert", cascade="all, delete-orphan"
    )


class ExpertRelation(db.Model):
    """A relation the expert declared with an enterprise (by USCC or name)."""

    __tablename__ = "expert_relation"
    __table_args__ = (
        one_of("kind", tuple(RELATION_KINDS)),
        CheckConstraint(
            "enterprise_uscc IS NOT NULL OR enterprise_name IS NOT NULL", name="names_enterprise"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"))
    enterprise_uscc: Mapped[str | None] = mapped_column(String(18))
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")

    expert: Mapped[Expert] = relationship(back_populates="relations")


class Panel(Timestamps, db.Model):
    """A group of experts for one track and one section group (重点环节 or 综合组)."""

    __tablename__ = "panel"
    __table_args__ = (
        UniqueConstraint("program_id", "track_code", "section_group"),
        one_of("track_code", TRACKS),
        one_of("section_group", tuple(GROUP_NAMES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    track_code: Mapped[str] = mapped_column(String(20))
    section_group: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))

    members: Mapped[list["PanelMember"]] = relationship(
        back_populates="panel", cascade="all, delete-orphan"
    )


class PanelMember(db.Model):
    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("panel_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))

    panel: Mapped[Panel] = relationship(back_populates="members")
    expert: Mapped[Expert] = relationship()


class ExpertAvailability(db.Model):
    """Whether an expert of the pool can serve in one program (no row: available)."""

    __tablename__ = "expert_availability"
    __table_args__ = (UniqueConstraint("expert_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(200), default="")
