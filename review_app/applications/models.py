"""Application (申报书), its yearly figures, its sections and its uploaded files."""

from datetime import datetime

from sqlalchemy import (
    JSON,
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

from ..enterprises.models import Enterprise
from ..extensions import db
from ..modelbase import Timestamps, one_of
from ..programs.models import TRACKS, Prefecture, Program
from ..workflow.states import INITIAL_STATE, STATE_NAMES
from .catalogue import SECTION_KEYS


class Application(Timestamps, db.Model):
    """One enterprise's application on one track of a program."""

    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("program_id", "enterprise_id"),
        one_of("state", tuple(STATE_NAMES)),
        one_of("track_code", TRACKS),
        CheckConstraint("priority_rank IS NULL OR priority_rank >= 1", name="rank_positive"),
        CheckConstraint(
            "maturity_level IS NULL OR (maturity_level BETWEEN 1 AND 5)", name="maturity_level"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    track_code: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    # The recommending unit (推荐单位); it scopes prefecture officers and counts against quota.
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"), index=True)
    state: Mapped[str] = mapped_column(String(30), index=True)
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    # Random code shown to experts instead of any identity, e.g. ZY-<yy>-K7Q3 (the program's year).
    anon_code: Mapped[str] = mapped_column(String(20), unique=True)
    priority_rank: Mapped[int | None]

    infrastructure: Mapped[list] = mapped_column(JSON, default=list)
    infrastructure_other: Mapped[str] = mapped_column(String(200), default="")
    national_excellent: Mapped[bool] = mapped_column(default=False)
    provincial_demo: Mapped[bool] = mapped_column(default=False)
    provincial_demo_project: Mapped[str] = mapped_column(String(200), default="")
    honours: Mapped[str | None] = mapped_column(Text)
    maturity_level: Mapped[int | None]
    maturity_score: Mapped[float | None] = mapped_column(Numeric(6, 2))
    other_evidence: Mapped[str] = mapped_column(Text, default="")
    accidents: Mapped[bool] = mapped_column(default=False)
    accidents_detail: Mapped[str] = mapped_column(Text, default="")
    employees: Mapped[int | None]  # 从业人员（人）, for 划型 (intake/entry_terms.py)

    # The latest format-check report: a list of {code, severity, field, message}.
    format_report: Mapped[list] = mapped_column(JSON, default=list)
    # Last reason given on a return, failure or withdrawal, shown to the applicant.
    state_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    program: Mapped[Program] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    prefecture: Mapped[Prefecture] = relationship()
    figures: Mapped[list["ApplicationFigure"]] = relationship(
        back_populates="application",
        order_by="ApplicationFigure.year",
        cascade="all, delete-orphan",
    )
    sections: Mapped[list["Section"]] = relationship(
        back_populates="application", order_by="Section.id", cascade="all, delete-orphan"
    )
    files: Mapped[list["SourceFile"]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __init__(self, **kwargs):
        # SQLAlchemy defaults apply at flush; guards read the state before that.
        kwargs.setdefault("state", INITIAL_STATE)
        super().__init__(**kwargs)

    @property
    def track(self):
        return self.program.track(self.track_code)

    def section(self, key: str) -> "Section | None":
        return next((s for s in self.sections if s.key == key), None)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.anon_code} {self.state}>"


class ApplicationFigure(db.Model):
    """近三年发展情况: one row per year."""

    __tablename__ = "application_figure"
    __table_args__ = (
        UniqueConstraint("application_id", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    year: Mapped[int]
    total_assets: Mapped[float | None] = mapped_column(Numeric(16, 2))  # 资产总额（万元）
    debt_ratio: Mapped[float | None] = mapped_column(Numeric(7, 2))  # 资产负债率（%）
    revenue: Mapped[float | None] = mapped_column(Numeric(16, 2))  # 主营业务收入（万元）
    profit_margin: Mapped[float | None] = mapped_column(Numeric(7, 2))  # 利润率（%）

    application: Mapped[Application] = relationship(back_populates="figures")


class Section(db.Model):
    """One narrative section of an application, as submitted and as anonymised."""

    __tablename__ = "section"
    __table_args__ = (
        UniqueConstraint("application_id", "key"),
        one_of("key", SECTION_KEYS),
        CheckConstraint("char_count >= 0", name="char_count_nonnegative"),
        one_of("leak_status", ("pending", "leaking", "clean", "confirmed")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    char_count: Mapped[int] = mapped_column(default=0)
    word_limit: Mapped[int | None]
    anonymised_text: Mapped[str | None] = mapped_column(Text)
    redaction_report: Mapped[dict] = mapped_column(JSON, default=dict)
    leak_status: Mapped[str] = mapped_column(String(20), default="pending")

    application: Mapped[Application] = relationship(back_populates="sections")


class SourceFile(db.Model):
    """An uploaded file, kept in the database so app servers stay stateless."""

    __tablename__ = "source_file"
    __table_args__ = (CheckConstraint("size >= 0", name="size_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship(back_populates="files")
