"""The records of the stages after the decision: 审定 (Approval), 公示 (PublicityPeriod and its
listing), 异议 (Objection and its files), 正式发文 (FinalIssue) and 复核 (Reconsideration)."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..auth.models import User
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import TRACKS

MEETING_KINDS = {"director_office": "厅长办公会", "party_group": "党组会", "special": "专题会"}
PERIOD_KINDS = {"initial": "拟入库名单公示", "backfill": "递补公示"}
CHANNELS = {"letter": "来信", "phone": "来电", "email": "电子邮件", "web": "公示页面在线提交"}
OBJECTION_STATUSES = {
    "received": "待受理",
    "accepted": "已受理",
    "not_accepted": "不予受理",
    "checking": "核查中",
    "upheld": "异议成立",
    "dismissed": "异议不成立",
}
OPEN_OBJECTION_STATUSES = frozenset({"received", "accepted", "checking"})
FILE_KINDS = {"attachment": "异议材料", "finding": "核查材料"}


class Approval(Timestamps, db.Model):
    """审定: the collective approval of a track's proposed list, before its 公示."""

    __tablename__ = "publicity_approval"
    __table_args__ = (one_of("meeting_kind", tuple(MEETING_KINDS)), one_of("track_code", TRACKS))

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    track_code: Mapped[str] = mapped_column(String(20))
    run_id: Mapped[int] = mapped_column(ForeignKey("decision_run.id"))
    # The confirmed run approved (its entries' hash) and the list approved (ids and hash).
    run_hash: Mapped[str] = mapped_column(String(64))
    list_hash: Mapped[str] = mapped_column(String(64))
    listed: Mapped[list] = mapped_column(JSON, default=list)
    meeting_kind: Mapped[str] = mapped_column(String(20))
    meeting_date: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    minutes_filename: Mapped[str] = mapped_column(String(255))
    minutes_data: Mapped[bytes] = mapped_column(LargeBinary)
    minutes_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def meeting_name(self) -> str:
        return MEETING_KINDS[self.meeting_kind]


class PublicityPeriod(Timestamps, db.Model):
    """公示: a list published for objections from ``start_on`` to ``end_on`` (working days)."""

    __tablename__ = "publicity_period"
    __table_args__ = (one_of("kind", tuple(PERIOD_KINDS)), one_of("track_code", TRACKS))

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    track_code: Mapped[str] = mapped_column(String(20))
    approval_id: Mapped[int] = mapped_column(ForeignKey("publicity_approval.id"))
    kind: Mapped[str] = mapped_column(String(20), default="initial")
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int]
    # Why the end date is what it is (the holidays and adjusted working days skipped).
    explanation: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    approval: Mapped[Approval] = relationship()
    listings: Mapped[list["PublicityListing"]] = relationship(
        back_populates="period", cascade="all, delete-orphan", order_by="PublicityListing.id"
    )

    @property
    def kind_name(self) -> str:
        return PERIOD_KINDS[self.kind]


class PublicityListing(db.Model):
    """One application on a 公示 list."""

    __tablename__ = "publicity_listing"
    __table_args__ = (UniqueConstraint("period_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("publicity_period.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))

    period: Mapped[PublicityPeriod] = relationship(back_populates="listings")
    application: Mapped[Application] = relationship()


class Objection(Timestamps, db.Model):
    """异议: received by the coordinator or filed on the public page; 受理 or 不予受理, then 核查
    by an assigned checker, then 成立 or 不成立 with the reasoning."""

    __tablename__ = "objection"
    __table_args__ = (
        one_of("channel", tuple(CHANNELS)),
        one_of("status", tuple(OBJECTION_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("publicity_period.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    channel: Mapped[str] = mapped_column(String(20))
    objector_name: Mapped[str] = mapped_column(String(100), default="")
    objector_unit: Mapped[str] = mapped_column(String(200), default="")
    objector_phone: Mapped[str] = mapped_column(String(40), default="")
    objector_email: Mapped[str] = mapped_column(String(200), default="")
    # The enterprise as the objector named it (kept even when no listed one matches).
    subject: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="received")
    # 不予受理's reason, or the conclusion's reasoning (成立/不成立).
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    findings: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    period: Mapped[PublicityPeriod | None] = relationship()
    application: Mapped[Application | None] = relationship()
    checker: Mapped[User | None] = relationship(foreign_keys=[checker_id])
    files: Mapped[list["ObjectionFile"]] = relationship(
        back_populates="objection", cascade="all, delete-orphan", order_by="ObjectionFile.id"
    )

    @property
    def status_name(self) -> str:
        return OBJECTION_STATUSES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OBJECTION_STATUSES


class ObjectionFile(db.Model):
    """An objector's attachment or a checker's finding file (bounded, content-checked)."""

    __tablename__ = "objection_file"
    __table_args__ = (one_of("kind", tuple(FILE_KINDS)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="attachment")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    objection: Mapped[Objection] = relationship(back_populates="files")


class FinalIssue(Timestamps, db.Model):
    """正式发文: the final list issued once per program, with its notice (.docx, GB/T 9704)."""

    __tablename__ = "final_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), unique=True)
    doc_number: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    addressees: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Reconsideration(Timestamps, db.Model):
    """复核 of a final decision: the only way an admitted or rejected result changes."""

    __tablename__ = "reconsideration"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    approval_record: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    application: Mapped[Application] = relationship()
