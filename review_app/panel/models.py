"""The panel's record (DESIGN.md section 11): the panel's 组长, the 复议 discussion, the
专家组意见 with its members' agreement, and the signed sheets kept when signed off."""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..auth.models import User
from ..experts.models import Expert, Panel
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..scoring.models import DispersionFlag

OPINION_STATUSES = {"draft": "组长起草中", "circulated": "征求组员意见", "signed": "组长已签发"}
LEAD_SOURCES = {"coordinator": "协调员指定", "accepted": "首位接受邀请的抽取专家"}
STANCES = {"agree": "同意", "object": "有异议"}
SHEET_KINDS = {"score_sheet": "专家评分表", "opinion_summary": "评审意见汇总表"}


class PanelLead(Timestamps, db.Model):
    """The panel's 组长 as set by the coordinator (without a row: the first drawn expert who
    accepted, see ``panel.service.lead_of``)."""

    __tablename__ = "panel_lead"
    __table_args__ = (one_of("source", tuple(LEAD_SOURCES)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), unique=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    source: Mapped[str] = mapped_column(String(20), default="coordinator")

    panel: Mapped[Panel] = relationship()
    expert: Mapped[Expert] = relationship()


class FlagPost(Timestamps, db.Model):
    """One post in the 复议 discussion of a dispersion flag: by an assigned expert (shown by
    code) or by the coordinator."""

    __tablename__ = "flag_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(
        ForeignKey("dispersion_flag.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"))
    body: Mapped[str] = mapped_column(Text)

    flag: Mapped[DispersionFlag] = relationship()
    author: Mapped[User] = relationship()


class PanelOpinion(Timestamps, db.Model):
    """专家组意见 of one panel on one application: drafted from its sections' comments, edited by
    the 组长, circulated to the members, signed off by the 组长."""

    __tablename__ = "panel_opinion"
    __table_args__ = (
        UniqueConstraint("application_id", "panel_id"),
        one_of("status", tuple(OPINION_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    strengths: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    recommendation: Mapped[str] = mapped_column(Text, default="")
    lead_expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The coordinator's choice: the signed problems and recommendation go into the result letter.
    in_letter: Mapped[bool] = mapped_column(Boolean, default=False)

    application: Mapped[Application] = relationship()
    panel: Mapped[Panel] = relationship()
    lead: Mapped[Expert | None] = relationship()
    votes: Mapped[list["OpinionVote"]] = relationship(
        back_populates="opinion", cascade="all, delete-orphan", order_by="OpinionVote.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_name(self) -> str:
        return OPINION_STATUSES[self.status]

    @property
    def text(self) -> str:
        return "\n".join((self.strengths, self.problems, self.recommendation))


class OpinionVote(Timestamps, db.Model):
    """A member's agreement with the circulated opinion, or an objection with its reason."""

    __tablename__ = "opinion_vote"
    __table_args__ = (
        UniqueConstraint("opinion_id", "expert_id"),
        one_of("stance", tuple(STANCES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("panel_opinion.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    stance: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")

    opinion: Mapped[PanelOpinion] = relationship(back_populates="votes")
    expert: Mapped[Expert] = relationship()


class SignedSheet(Timestamps, db.Model):
    """A signed .docx kept as it was signed: an expert's 评分表 or a panel's 评审意见汇总表."""

    __tablename__ = "signed_sheet"
    __table_args__ = (one_of("kind", tuple(SHEET_KINDS)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"))
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id"))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
