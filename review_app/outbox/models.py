"""OutboxMessage and its DeliveryAttempt log."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..modelbase import Timestamps, one_of

MESSAGE_KINDS = {
    "invitation": "评审邀请",
    "review_due": "评分即将到期提醒",
    "review_overdue": "评分逾期提醒",
    "result_letter": "评审结果通知",
    "password_reset": "重置密码链接",
    "objection_reply": "异议处理答复",
    "flag_post": "复议讨论新发言",
    "panel_opinion": "专家组意见征求意见",
    "defense_notice": "答辩通知",
}
# Kinds a program may release without review (program.settings["outbox_auto_release"]).
DEFAULT_AUTO_RELEASE = ("review_due", "review_overdue")
# Kinds released at once whatever the program says: they belong to no program, and no
# coordinator should read them (a password reset link).
ALWAYS_RELEASED = ("password_reset",)

MESSAGE_STATUSES = {
    "draft": "待审核",
    "released": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
    "uncertain": "发送中断，待核实",
    "cancelled": "已取消",
}
ATTEMPT_OUTCOMES = {
    "sent": "已送达邮件服务器",
    "retry": "暂时失败，稍后重试",
    "failed": "失败",
    "interrupted": "发送进程中断",
}


class OutboxMessage(Timestamps, db.Model):
    """One message: rendered once, reviewed, released, then delivered at most once.

    ``stage`` records how far the delivery got while ``status`` is ``sending``: ``connect``
    (the SMTP server has not been handed the message's text: safe to try again) or ``data``
    (the text was being handed over: if the worker died there, the message may have arrived,
    so it becomes ``uncertain`` and is never sent again without a person's decision)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        one_of("kind", tuple(MESSAGE_KINDS)),
        one_of("status", tuple(MESSAGE_STATUSES)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("program.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # What the message is about, e.g. "invitation:12"; a message is composed once per key.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    to_name: Mapped[str] = mapped_column(String(100), default="")
    to_address: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(255))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    stage: Mapped[str] = mapped_column(String(10), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_at: Mapped[datetime | None] = mapped_column(DateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_error: Mapped[str] = mapped_column(Text, default="")

    attempts_log: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="message", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )

    @property
    def kind_name(self) -> str:
        return MESSAGE_KINDS[self.kind]

    @property
    def status_name(self) -> str:
        return MESSAGE_STATUSES[self.status]


class DeliveryAttempt(db.Model):
    __tablename__ = "delivery_attempt"
    __table_args__ = (one_of("outcome", tuple(ATTEMPT_OUTCOMES)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")

    message: Mapped[OutboxMessage] = relationship(back_populates="attempts_log")

    @property
    def outcome_name(self) -> str:
        return ATTEMPT_OUTCOMES[self.outcome]
