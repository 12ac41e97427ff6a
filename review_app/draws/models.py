"""DrawRun (one recorded draw for a panel), Invitation (one drawn expert's answer) and Pledge
(保密与回避承诺, one per expert and program)."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..experts.models import Expert, Panel
from ..extensions import db
from ..modelbase import Timestamps, one_of

INVITATION_STATUSES = {
    "standby": "备选（未邀请）",
    "pending": "已邀请，待答复",
    "accepted": "已接受",
    "declined": "已谢绝",
    "expired": "逾期未答复",
    "cancelled": "已取消",
}
# Invitations that still hold (or may still take) a seat on the panel.
OPEN_INVITATIONS = ("pending", "accepted")


class DrawRun(Timestamps, db.Model):
    """A draw as it happened: the seed typed at the draw, the limits, the eligible pool's
    snapshot (every field that mattered) and its hash, and the ordered result."""

    __tablename__ = "draw_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"), index=True)
    seed: Mapped[str] = mapped_column(String(100))
    limits: Mapped[dict] = mapped_column(JSON, default=dict)
    snapshot: Mapped[list] = mapped_column(JSON, default=list)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    drawn: Mapped[list] = mapped_column(JSON, default=list)
    backups: Mapped[list] = mapped_column(JSON, default=list)
    eligible: Mapped[int] = mapped_column(default=0)
    excluded: Mapped[dict] = mapped_column(JSON, default=dict)
    answer_by: Mapped[datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    panel: Mapped[Panel] = relationship()
    created_by: Mapped[User | None] = relationship()
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="run", order_by="Invitation.position", cascade="all, delete-orphan"
    )


class Invitation(Timestamps, db.Model):
    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("draw_run_id", "expert_id"),
        one_of("status", tuple(INVITATION_STATUSES)),
        one_of("role", ("drawn", "backup")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_run_id: Mapped[int] = mapped_column(ForeignKey("draw_run.id", ondelete="CASCADE"))
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    position: Mapped[int]  # 1-based place in the draw's order (drawn first, then backups)
    role: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="standby")
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    # The invitation this one replaced (a decline or a missed deadline).
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))

    run: Mapped[DrawRun] = relationship(back_populates="invitations")
    panel: Mapped[Panel] = relationship()
    expert: Mapped[Expert] = relationship()

    @property
    def status_name(self) -> str:
        return INVITATION_STATUSES[self.status]


class Pledge(db.Model):
    """保密与回避承诺: signed in the app before the expert sees any text of the program."""

    __tablename__ = "pledge"
    __table_args__ = (UniqueConstraint("expert_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime)
    signed_name: Mapped[str] = mapped_column(String(60))
    text_sha256: Mapped[str] = mapped_column(String(64))
    # Relations declared in the pledge: [{"enterprise": ..., "kind": ..., "note": ...}].
    declared: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    expert: Mapped[Expert] = relationship()
