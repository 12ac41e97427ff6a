"""推荐函 (one stamped PDF per prefecture and program), 地市审核意见 (one per application), the
dossier's files and the checks the coordinator records."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..applications.models import Application
from ..extensions import db
from ..modelbase import one_of
from ..programs.models import Prefecture, Program
from .kinds import BY_CODE as KIND_CODES

CHECK_CODES = ("stamped_copy", "credit", "accident")
CHECK_NAMES = {"stamped_copy": "盖章版已核对", "credit": "信用核查", "accident": "安全环保事故核查"}
RESULT_CODES = ("pass", "fail")
RESULT_NAMES = {"pass": "通过", "fail": "不通过"}


class EndorsementLetter(db.Model):
    """A prefecture's 正式推荐文件 (推荐函) for a program: the stamped PDF; a new upload replaces it."""

    __tablename__ = "endorsement_letter"
    __table_args__ = (
        UniqueConstraint("program_id", "prefecture_id"),
        CheckConstraint("size > 0", name="letter_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    pages: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    program: Mapped[Program] = relationship()
    prefecture: Mapped[Prefecture] = relationship()


class PrefectureOpinion(db.Model):
    """地市审核意见: the prefecture's written review of one application, required to endorse it."""

    __tablename__ = "prefecture_opinion"
    __table_args__ = (CheckConstraint("length(text) > 0", name="opinion_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    written_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()


class Attachment(db.Model):
    """A file of the dossier (kinds.py): an attachment the form calls for, the stamped 申报书
    (with its comparison against the Word text) or an outside check's screenshot."""

    __tablename__ = "dossier_file"
    __table_args__ = (
        one_of("kind", tuple(KIND_CODES)),
        one_of("content_type", ("application/pdf", "image/jpeg", "image/png")),
        CheckConstraint("size > 0", name="file_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    pages: Mapped[int | None]
    # The stamped 申报书 against the Word text: similarity 0..1 (None: a scan, compare by hand)
    # and the differing passages [{"word": ..., "pdf": ...}].
    similarity: Mapped[float | None] = mapped_column(Float)
    differences: Mapped[list] = mapped_column(JSON, default=list)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()


class DossierCheck(db.Model):
    """A check the coordinator records on an application: 盖章版已核对 (stamped_copy), the
    信用中国 / 国家企业信用信息公示系统 check (credit) and the safety and environment accident check
    (accident): who, when, the result and the file that shows it. The latest of each kind."""

    __tablename__ = "dossier_check"
    __table_args__ = (
        UniqueConstraint("application_id", "kind"),
        one_of("kind", CHECK_CODES),
        one_of("result", RESULT_CODES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(10))
    checked_by: Mapped[str] = mapped_column(String(100))  # who checked (a name, also imported)
    checked_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")  # e.g. 信用中国
    note: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_file.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()
    file: Mapped[Attachment | None] = relationship()


class EntryFigures(db.Model):
    """入库条件（三） figures of one application and its ticked 指引 scenarios (which use AI)."""

    __tablename__ = "entry_figures"
    __table_args__ = (
        CheckConstraint("nc_rate IS NULL OR (nc_rate BETWEEN 0 AND 100)", name="nc_rate_range"),
        CheckConstraint(
            "design_tool_rate IS NULL OR (design_tool_rate BETWEEN 0 AND 100)",
            name="design_tool_rate_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    nc_rate: Mapped[float | None] = mapped_column(Float)  # 关键工序数控化率（%）
    design_tool_rate: Mapped[float | None] = mapped_column(Float)  # 数字化研发设计工具普及率（%）
    scenarios: Mapped[list] = mapped_column(JSON, default=list)  # 指引 scenario names ticked
    ai_scenarios: Mapped[list] = mapped_column(JSON, default=list)  # those applying AI
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    application: Mapped[Application] = relationship()


class IndustryAverage(db.Model):
    """The coordinator's value of an industry average (overrides industry_averages.csv)."""

    __tablename__ = "industry_average"
    __table_args__ = (
        CheckConstraint("nc_rate BETWEEN 0 AND 100", name="avg_nc_rate_range"),
        CheckConstraint("design_tool_rate BETWEEN 0 AND 100", name="avg_design_tool_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    division: Mapped[str] = mapped_column(String(2), unique=True)  # 大类, e.g. "34"
    nc_rate: Mapped[float] = mapped_column(Float)
    design_tool_rate: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
