"""Meeting (会议评审), its 答辩 slots in the drawn order, and the experts' attendance (签到)."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..experts.models import Expert, Panel
from ..extensions import db
from ..modelbase import Timestamps, one_of

SLOT_STATUSES = {"scheduled": "待答辩", "held": "已答辩"}


class Meeting(Timestamps, db.Model):
    """One 会议评审 of a track: when and where, the panel that scores, and the recorded draw of
    the 答辩 order (seed, the hash of the applications drawn from, the order)."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    track_code: Mapped[str] = mapped_column(String(20))
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    video_link: Mapped[str] = mapped_column(String(300), default="")
    seed: Mapped[str] = mapped_column(String(100))
    input_hash: Mapped[str] = mapped_column(String(64))
    order: Mapped[list] = mapped_column(JSON, default=list)  # application ids, drawn order
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    panel: Mapped[Panel] = relationship()
    slots: Mapped[list["MeetingSlot"]] = relationship(
        back_populates="meeting", order_by="MeetingSlot.position", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", order_by="Attendance.id", cascade="all, delete-orphan"
    )


class MeetingSlot(Timestamps, db.Model):
    """One enterprise's 答辩 in the meeting: its place in the drawn order and its time."""

    __tablename__ = "meeting_slot"
    __table_args__ = (
        UniqueConstraint("application_id"),  # an application defends once
        UniqueConstraint("meeting_id", "position"),
        one_of("status", tuple(SLOT_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # China time, as announced
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")

    meeting: Mapped[Meeting] = relationship(back_populates="slots")
    application: Mapped[Application] = relationship()

    @property
    def status_name(self) -> str:
        return SLOT_STATUSES[self.status]


class Attendance(Timestamps, db.Model):
    """An expert present at the meeting (签到), by the expert or recorded by the coordinator."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    signed_in_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    expert: Mapped[Expert] = relationship()
