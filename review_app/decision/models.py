"""DecisionRun: the ranking of a track with every number behind it; frozen once confirmed."""

from datetime import datetime

from sqlalchemy import (
    JSON,
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
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import TRACKS, Prefecture


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
    # cut line, counts and blocking reasons at the time of the run
    summary: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    entries: Mapped[list["DecisionEntry"]] = relationship(
        back_populates="run", order_by="DecisionEntry.id", cascade="all, delete-orphan"
    )

    @property
    def entries_in_order(self) -> list["DecisionEntry"]:
        """Ranked entries by rank, then the unranked ones (vetoed, incomplete) as stored."""
        return sorted(self.entries, key=lambda e: (e.rank == 0, e.rank, e.id))


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


class ResultNotice(Timestamps, db.Model):
    """A result letter to one prefecture (.docx), held in an outbox until the coordinator
    releases it; released letters are visible to that prefecture and cannot change."""

    __tablename__ = "result_notice"
    __table_args__ = (
        UniqueConstraint("program_id", "prefecture_id"),
        one_of("status", ("draft", "released")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    admitted: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    released_at: Mapped[datetime | None] = mapped_column(DateTime)

    prefecture: Mapped[Prefecture] = relationship()
