"""DecisionRun: the ranking of a track with every number behind it; frozen once confirmed."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import TRACKS


class DecisionRun(Timestamps, db.Model):
    __tablename__ = "decision_run"
    __table_args__ = (
        one_of("status", ("staged", "confirmed")),
        one_of("track_code", TRACKS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    track_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="staged")
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    entries: Mapped[list["DecisionEntry"]] = relationship(
        back_populates="run", order_by="DecisionEntry.rank", cascade="all, delete-orphan"
    )


class DecisionEntry(db.Model):
    """One application's place in a run, with the numbers and the explanation."""

    __tablename__ = "decision_entry"
    __table_args__ = (
        UniqueConstraint("run_id", "application_id"),
        one_of("outcome", ("admitted", "rejected")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("decision_run.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    rank: Mapped[int]
    score: Mapped[float | None] = mapped_column(Numeric(7, 2))
    outcome: Mapped[str] = mapped_column(String(20))
    numbers: Mapped[dict] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text, default="")

    run: Mapped[DecisionRun] = relationship(back_populates="entries")
    application: Mapped[Application] = relationship()
