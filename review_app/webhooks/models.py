"""Webhook (a URL and its secret) and WebhookDelivery (one event to one webhook, with its
attempts)."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..modelbase import Timestamps, one_of

DELIVERY_STATUSES = {"pending": "待投递", "sent": "已送达", "failed": "失败"}


class Webhook(Timestamps, db.Model):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept to sign each delivery (HMAC-SHA256); shown to the coordinator only when registered.
    secret: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    deliveries: Mapped[list["WebhookDelivery"]] = relationship(
        back_populates="webhook", cascade="all, delete-orphan", order_by="WebhookDelivery.id"
    )


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (one_of("status", tuple(DELIVERY_STATUSES)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhook.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(60))  # e.g. application.state_changed
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status_code: Mapped[int | None]
    # One line per attempt: time, HTTP status or error.
    log: Mapped[str] = mapped_column(Text, default="")

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")

    @property
    def status_name(self) -> str:
        return DELIVERY_STATUSES[self.status]
