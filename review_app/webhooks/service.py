"""Webhooks: the coordinator registers a URL and a secret; every application state change is
posted there as JSON signed with HMAC-SHA256, by the queue, with retries and a log.

A delivery row is added in the transaction of the transition: ``on_state_changed`` receives the
``state_changed`` signal that ``workflow.fire`` sends once the new state is flushed and calls
``enqueue_state_change``, so a refused or rolled-back transition sends nothing. ``deliver_due`` (the queue's periodic task)
runs the delivery core (``review_app/delivery.py``) with ``HttpChannel``: it claims due rows by
compare-and-set and commits per step. A worker that dies while posting
leaves the row pending with its lease as ``next_attempt_at``: it is posted again after the
lease. Delivery is therefore *at least once*; receivers deduplicate by ``X-Review-Delivery``.

The URL is checked at registration and again before each attempt (``egress``): it must carry
no credentials and resolve to public addresses only (``WEBHOOK_ALLOWED_HOSTS`` lets an intranet
receiver through); the post goes to exactly the address checked, never follows a redirect, and
an attempt without an HTTP answer is logged with one neutral line whatever the cause.

Receivers check a delivery with ``verify_signature`` (or its few lines re-written in their
language): the signature is ``sha256=`` + hex HMAC-SHA256(secret, ``"<timestamp>." + body``),
the timestamp is ``X-Review-Timestamp`` (unix seconds) and must be recent.
"""

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import delivery
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..workflow.states import STATE_NAMES
from . import egress
from .models import Webhook, WebhookDelivery
from .permissions import require_manage_webhooks

EVENT_STATE_CHANGED = "application.state_changed"
MAX_ATTEMPTS = delivery.MAX_ATTEMPTS
TIMEOUT_SECONDS = 10
LEASE_MINUTES = 10  # a claimed delivery whose worker died is tried again after this
MIN_SECRET = 16
MAX_URL = 500
MAX_DESCRIPTION = 200
MAX_SECRET = 200
ADDRESS_REFUSED = (
    "回调地址不允许：该主机指向本机、内网、链路本地或保留地址。内网接收方须由系统管理员"
    "在 WEBHOOK_ALLOWED_HOSTS 中放行。"
)
# What the log says of an attempt that got no HTTP answer, whatever the cause (refused, reset,
# timeout, TLS, name not resolved): never which, so the log cannot tell open ports from closed.
NO_ANSWER = "投递失败：未收到接收方的 HTTP 应答"


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def masked(secret: str) -> str:
    """What the pages show of a secret once it is registered."""
    return "••••••••" + (secret[-4:] if len(secret) >= MIN_SECRET else "")


def _check_url(url: str) -> str:
    """The trimmed URL, or ``InvalidInput``: malformed, with credentials, unresolvable, or
    reaching an address a webhook may not post to (checked again at each delivery)."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput("请填写回调地址（URL）。")
    if len(url) > MAX_URL:
        raise InvalidInput(f"回调地址（URL）不能超过{MAX_URL}个字符。")
    try:
        egress.target_for(url, allowed_hosts())
    except egress.UrlInvalid as err:
        raise InvalidInput(str(err)) from None
    except egress.DeliveryFailed:
        raise InvalidInput("回调地址（URL）的主机名无法解析，请检查拼写。") from None
    except egress.AddressRefused:
        raise InvalidInput(ADDRESS_REFUSED) from None
    return url


def allowed_hosts() -> tuple[str, ...]:
    """``WEBHOOK_ALLOWED_HOSTS``: names, IPs and networks let through although not public."""
    return tuple(current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or ())


def register(url: str, secret: str | None, description: str, actor) -> Webhook:
    """Register a webhook; a blank ``secret`` is generated (the caller shows it once)."""
    require_manage_webhooks(actor)
    url = _check_url(url)
    secret = (secret or "").strip() or generate_secret()
    if len(secret) < MIN_SECRET:
        raise InvalidInput(f"签名密钥（secret）至少需要{MIN_SECRET}个字符；留空则由系统生成。")
    if len(secret) > MAX_SECRET:
        raise InvalidInput(f"签名密钥（secret）不能超过{MAX_SECRET}个字符。")
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"说明不能超过{MAX_DESCRIPTION}个字符。")
    webhook = Webhook(
        url=url, secret=secret, description=description, active=True,
        created_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(webhook)
    db.session.flush()
    audit.record("webhook.register", "webhook", webhook.id, actor=actor,
                 after={"url": url, "description": description, "active": True})  # fmt: skip
    return webhook


def set_active(webhook: Webhook, active: bool, actor) -> bool:
    """Switch a webhook on or off; switching off gives up its pending deliveries. Returns
    whether anything changed."""
    require_manage_webhooks(actor)
    active = bool(active)
    if webhook.active == active:
        return False
    webhook.active = active
    given_up = 0
    if not active:
        stamp = utcnow()
        for delivery in _pending(webhook):
            delivery.status = "failed"
            delivery.next_attempt_at = None
            delivery.log = _append(delivery.log, f"{_stamp(stamp)} 事件推送已停用，不再投递")
            given_up += 1
    db.session.flush()
    after = {"active": active} | ({"pending_given_up": given_up} if given_up else {})
    audit.record("webhook.activate" if active else "webhook.deactivate", "webhook", webhook.id,
                 actor=actor, before={"active": not active}, after=after)  # fmt: skip
    return True


def delete(webhook: Webhook, actor) -> None:
    """Delete a webhook with its delivery log."""
    require_manage_webhooks(actor)
    before = {"url": webhook.url, "description": webhook.description, "active": webhook.active}
    webhook_id = webhook.id
    db.session.delete(webhook)
    db.session.flush()
    audit.record("webhook.delete", "webhook", webhook_id, actor=actor, before=before)


def _pending(webhook: Webhook):
    return db.session.execute(
        select(WebhookDelivery).where(
            WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == "pending"
        )
    ).scalars()


def require_webhook(webhook_id: int) -> Webhook:
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        raise NotFound("没有这个事件推送地址。")
    return webhook


def counts(webhook: Webhook) -> dict[str, int]:
    rows = db.session.execute(
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.webhook_id == webhook.id)
        .group_by(WebhookDelivery.status)
    ).all()
    return dict(rows)


# -- events ---------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def on_state_changed(sender, *, application, from_state, trigger, actor, reason, **_) -> None:
    """Receiver of ``signals.state_changed`` (connected at app creation)."""
    enqueue_state_change(application, from_state, trigger, actor, reason)


def enqueue_state_change(application, from_state: str, trigger: str, actor, reason: str) -> list:
    """Add one delivery per active webhook in the caller's transaction (flushes)."""
    webhooks = db.session.execute(
        select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)
    ).scalars().all()  # fmt: skip
    if not webhooks:
        return []
    now = utcnow()
    base = {
        "event": EVENT_STATE_CHANGED,
        "occurred_at": _iso(now),
        "application": {
            "id": application.id,
            "anon_code": application.anon_code,
            "track": application.track_code,
            "prefecture": application.prefecture.name if application.prefecture else None,
            "enterprise_name": application.enterprise.name if application.enterprise else None,
            "uscc": application.enterprise.uscc if application.enterprise else None,
            "priority_rank": application.priority_rank,
        },
        "from_state": from_state,
        "to_state": application.state,
        "to_state_name": STATE_NAMES.get(application.state, application.state),
        "trigger": trigger,
        "actor_role": getattr(actor, "role", None),
        "reason": reason or "",
    }
    deliveries = []
    for webhook in webhooks:
        delivery = WebhookDelivery(
            webhook_id=webhook.id, event=EVENT_STATE_CHANGED, payload=dict(base),
            status="pending", attempts=0, created_at=now, next_attempt_at=now, log="",
        )  # fmt: skip
        db.session.add(delivery)
        deliveries.append(delivery)
    db.session.flush()
    for delivery in deliveries:
        delivery.payload = {**base, "delivery_id": delivery.id}
    db.session.flush()
    return deliveries


# -- signing --------------------------------------------------------------------------------


def body_for(payload: dict) -> bytes:
    """The exact bytes posted (and signed)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``"<timestamp>." + body``)."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    header: str | None,
    tolerance: int = 300,
    now: float | datetime | None = None,
) -> bool:
    """Whether ``header`` (X-Review-Signature) signs ``body`` at ``timestamp``
    (X-Review-Timestamp) with ``secret``, and the timestamp is within ``tolerance`` seconds of
    ``now`` (unix seconds or a naive-UTC datetime; default: the system clock)."""
    if not header or not secret:
        return False
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        return False
    if now is None:
        now = time.time()
    elif isinstance(now, datetime):
        now = (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
    if abs(now - ts) > tolerance:
        return False
    if isinstance(body, str):
        body = body.encode()
    return hmac.compare_digest(sign(secret, ts, body).encode(), header.strip().encode())


def headers_for(delivery: WebhookDelivery, secret: str, body: bytes, timestamp: int) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": "review-app-webhook/1",
        "X-Review-Event": delivery.event,
        "X-Review-Delivery": str(delivery.id),
        "X-Review-Timestamp": str(timestamp),
        "X-Review-Signature": sign(secret, timestamp, body),
    }


# -- delivery -------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def _append(log: str | None, line: str) -> str:
    return (log or "") + line + "\n"


def _claim(delivery_id: int, attempts: int, now: datetime) -> bool:
    """Take one due delivery for this worker (the core's compare-and-set, also on the attempts
    read). The lease pushes ``next_attempt_at`` forward, so a worker that dies leaves it for a
    later retry."""
    return delivery.claim(WebhookDelivery, delivery_id, now, ready="pending",
                          values=_lease(now), attempts=attempts)  # fmt: skip


def _lease(now: datetime) -> dict:
    return {"next_attempt_at": now + timedelta(minutes=LEASE_MINUTES)}


def deliver_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Post pending deliveries whose time has come; returns counts by outcome. Commits.
    ``now`` fixes the clock for scheduling (tests); by default the app clock is read."""
    clock = (lambda: now) if now is not None else utcnow
    return delivery.run(HttpChannel(clock, allowed_hosts()), clock, limit)


def _attempt(webhook: Webhook, row: WebhookDelivery, allowed) -> tuple[int | None, str]:
    """Check the URL again now and post to the address checked: (HTTP status or None, what
    the log says)."""
    body = body_for(row.payload)
    timestamp = int(time.time())
    try:
        target = egress.target_for(webhook.url, allowed)
    except (egress.UrlInvalid, egress.AddressRefused):
        return None, "地址不允许，未投递"
    except egress.DeliveryFailed:
        return None, NO_ANSWER
    headers = headers_for(row, webhook.secret, body, timestamp)
    try:
        code = egress.post(target, body, headers, TIMEOUT_SECONDS)
    except egress.DeliveryFailed:
        return None, NO_ANSWER
    if 300 <= code < 400:
        return code, f"HTTP {code}（重定向不跟随，视为失败）"
    return code, f"HTTP {code}"


class HttpChannel(delivery.Channel):
    """The webhooks' channel on the delivery core: pending ``WebhookDelivery`` rows of active
    webhooks, posted at least once (no at-most-once boundary: receivers deduplicate), one log
    line per attempt."""

    model = WebhookDelivery
    ready = "pending"
    check_attempts = True

    def __init__(self, clock, allowed=()):
        self.clock = clock
        self.allowed = allowed

    def due(self, now: datetime, limit: int):
        return (
            select(WebhookDelivery.id, WebhookDelivery.attempts)
            .join(Webhook)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )

    def lease(self, now: datetime) -> dict:
        return _lease(now)

    def attempt(self, row: WebhookDelivery) -> delivery.Attempt:
        started = self.clock()
        code, detail = _attempt(row.webhook, row, self.allowed)
        ok = code is not None and 200 <= code < 300
        return delivery.Attempt(ok, detail, started, status_code=code)

    def settle(self, row: WebhookDelivery, outcome: str, result, wait) -> None:
        line = f"{_stamp(result.started)} 第{row.attempts}次：{result.detail}"
        row.last_status_code = result.status_code
        if outcome == "sent":
            row.status = "sent"
            row.delivered_at = self.clock()
            row.next_attempt_at = None
        elif outcome == "failed":
            row.status = "failed"
            row.next_attempt_at = None
            line += f"，已尝试{MAX_ATTEMPTS}次，放弃"
        else:
            # From the attempt's start, not its end: how long it took would tell a silent port
            # (timeout) from a closed one.
            row.next_attempt_at = result.started + timedelta(minutes=wait)
            line += f"，{wait}分钟后重试"
        row.log = _append(row.log, line)


def pretty(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
