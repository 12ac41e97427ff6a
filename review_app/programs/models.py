"""Program (培育批次), Track, Prefecture (地市) and ProgramQuota (附件3)."""

from datetime import date

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..modelbase import Timestamps, one_of

TRACKS = ("excellent", "leading")
TRACK_NAMES = {"excellent": "卓越级智能工厂培育", "leading": "领航级智能工厂培育"}


class Prefecture(db.Model):
    """One of the 19 recommending units of 附件3 (17 cities, 济源示范区, 航空港区)."""

    __tablename__ = "prefecture"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    division_code: Mapped[str] = mapped_column(String(6), unique=True)
    sort_order: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<Prefecture {self.name}>"


class Program(Timestamps, db.Model):
    """A selection round (one year), e.g. <year>年卓越级领航级智能工厂培育."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    deadline: Mapped[date]
    # Switches and thresholds of this round (e.g. same_prefecture_conflict).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)

    tracks: Mapped[list["Track"]] = relationship(
        back_populates="program", order_by="Track.id", cascade="all, delete-orphan"
    )
    quotas: Mapped[list["ProgramQuota"]] = relationship(
        back_populates="program", cascade="all, delete-orphan"
    )

    def track(self, code: str) -> "Track":
        return next(t for t in self.tracks if t.code == code)

    def quota_for(self, prefecture_id: int, track_code: str) -> int | None:
        """The prefecture's recommendation quota on a track, or None when unlimited."""
        for q in self.quotas:
            if q.prefecture_id == prefecture_id and q.track_code == track_code:
                return q.quota
        return None


class Track(db.Model):
    """卓越级 (excellent) or 领航级 (leading) within a program."""

    __tablename__ = "track"
    __table_args__ = (
        UniqueConstraint("program_id", "code"),
        one_of("code", TRACKS),
        CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int]
    min_score: Mapped[float | None] = mapped_column(Numeric(6, 2))
    min_maturity_level: Mapped[int] = mapped_column(default=2)
    rubric_file: Mapped[str | None] = mapped_column(String(200))
    requires_national_excellent: Mapped[bool] = mapped_column(default=False)

    program: Mapped[Program] = relationship(back_populates="tracks")


class ProgramQuota(db.Model):
    """How many applications a prefecture may recommend on a track (附件3)."""

    __tablename__ = "program_quota"
    __table_args__ = (
        UniqueConstraint("program_id", "prefecture_id", "track_code"),
        one_of("track_code", TRACKS),
        CheckConstraint("quota >= 0", name="quota_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"))
    track_code: Mapped[str] = mapped_column(String(20))
    quota: Mapped[int]

    program: Mapped[Program] = relationship(back_populates="quotas")
    prefecture: Mapped[Prefecture] = relationship()
