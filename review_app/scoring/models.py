"""Review (score sheet), its criterion scores, dispersion flags (复议) and the stored aggregates of
a track (``ScoreAggregate``)."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application, Section
from ..assignment.models import Assignment
from ..extensions import db
from ..modelbase import Timestamps, one_of


class Review(Timestamps, db.Model):
    """One expert's score sheet for one assignment; immutable once submitted."""

    __tablename__ = "review"
    __table_args__ = (
        one_of("status", ("draft", "submitted")),
        CheckConstraint("total IS NULL OR total >= 0", name="total_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    comment: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[float | None] = mapped_column(Numeric(7, 2))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    assignment: Mapped[Assignment] = relationship()
    scores: Mapped[list["ReviewScore"]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class ReviewScore(db.Model):
    """Points for one rubric criterion; ``not_applicable`` leaves it out of the total."""

    __tablename__ = "review_score"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_code"),
        CheckConstraint("points IS NULL OR points >= 0", name="points_nonnegative"),
        CheckConstraint("NOT (not_applicable AND points IS NOT NULL)", name="na_has_no_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    criterion_code: Mapped[str] = mapped_column(String(40))
    points: Mapped[float | None] = mapped_column(Numeric(6, 2))
    not_applicable: Mapped[bool] = mapped_column(default=False)

    review: Mapped[Review] = relationship(back_populates="scores")


class DispersionFlag(Timestamps, db.Model):
    """A section whose reviewers disagree beyond the rubric's threshold (复议)."""

    __tablename__ = "dispersion_flag"
    __table_args__ = (one_of("status", ("open", "rescored", "consensus")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    spread: Mapped[float] = mapped_column(Numeric(7, 2))
    threshold: Mapped[float] = mapped_column(Numeric(7, 2))
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship()
    section: Mapped[Section] = relationship()


class ScoreAggregate(db.Model):
    """The aggregation of one program's track as ``scoring.stored`` computed it: every section
    aggregate, the application scores raw and calibrated, the panels' leniency biases
    (``payload``, JSON), valid while ``payload`` is set and ``rubric_key`` is the digest of
    the rubric settings it was computed with. Any change to the submitted reviews of the track sets a new ``token`` and clears
    ``payload`` in the changing transaction; a reader that recomputed stores its result only
    where the token is still the one it read before reading the reviews. Read and written with
    SQL statements only (``scoring.stored``), never through the ORM."""

    __tablename__ = "score_aggregate"
    __table_args__ = (UniqueConstraint("program_id", "track_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    track_code: Mapped[str] = mapped_column(String(20))
    token: Mapped[str] = mapped_column(String(32))
    rubric_key: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    computed_at: Mapped[datetime | None] = mapped_column(DateTime)
