"""Small helpers shared by the model modules of each area."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow


def one_of(column: str, values, name: str | None = None) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``values`` (the database guards too)."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")


class Timestamps:
    """``created_at`` and ``updated_at`` as naive UTC."""

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
