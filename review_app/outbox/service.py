"""The outbox: compose a message from a template file once, let the coordinator review and
release it (or release it at once for the kinds the program allows), deliver it over SMTP
with retries and a log, never twice.

Delivery runs on the delivery core (``review_app/delivery.py``: claim with a lease, retries with
backoff, attempt log, at-most-once boundary); ``smtp.py`` is the mail channel's adapter.
Delivery runs outside any request (``deliver_due``, called by the queue's periodic task or
``review-app outbox deliver``) and commits per step, so a worker that dies leaves each message
in a state the next worker can read:

- claimed, ``stage="connect"``: the server was not yet handed the text; after the lease the
  next worker tries again;
- claimed, ``stage="data"``: the text was being handed over when the worker died, so it may
  have arrived; the message becomes ``uncertain`` and is only sent again when a coordinator,
  having checked, says so. At most once, and the window of doubt is one SMTP reply.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, func, select

from .. import delivery
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from . import tally
from .models import (
    ALWAYS_RELEASED,
    DEFAULT_AUTO_RELEASE,
    MESSAGE_KINDS,
    OutboxMessage,
)
from .permissions import (
    can_cancel_message,
    can_release_message,
    can_resend_message,
    require_manage_outbox,
)
from .smtp import MailChannel, recover_stale

MAX_ATTEMPTS = delivery.MAX_ATTEMPTS
ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def auto_release_kinds(program) -> tuple[str, ...]:
    settings = (program.settings or {}) if program is not None else {}
    kinds = settings.get("outbox_auto_release")
    return tuple(kinds) if kinds is not None else DEFAULT_AUTO_RELEASE


def delivery_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def render(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) from ``templates/mail/<template>.txt``: the file sets ``subject``."""
    tmpl = current_app.jinja_env.get_template(f"mail/{template}.txt")
    module = tmpl.make_module({"base_url": current_app.config["APP_BASE_URL"], **context})
    subject = " ".join(str(getattr(module, "subject", "")).split())
    if not subject:
        raise RuntimeError(f"mail/{template}.txt sets no subject")
    return subject, str(module).strip() + "\n"


@cache
def _by_key():
    """Built once (building it cost more than running it: a message per member of a panel)."""
    return select(OutboxMessage).where(OutboxMessage.dedupe_key == bindparam("key"))


def compose(
    kind: str,
    *,
    key: str,
    template: str,
    context: dict,
    to_name: str,
    to_address: str,
    recipient=None,
    program=None,
    attachment: tuple[str, bytes] | None = None,
) -> OutboxMessage:
    """Render and store one message; a key already used returns that message unchanged."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(kind)
    existing = db.session.execute(_by_key(), {"key": key}).scalar_one_or_none()
    if existing is not None:
        return existing
    message = _message(kind, key, template, context, to_name, to_address, recipient, program,
                       attachment)  # fmt: skip
    db.session.add(message)
    db.session.flush()
    _release_if_allowed(message, program)
    return message


@cache
def _by_keys():
    return select(OutboxMessage).where(
        OutboxMessage.dedupe_key.in_(bindparam("keys", expanding=True))
    )


def compose_many(kind: str, messages: Sequence[Mapping]) -> list[OutboxMessage]:
    """``compose`` of several messages of one kind (each a mapping of ``compose``'s keyword
    arguments), in order: their keys looked up in one query; the new messages are written by
    the transaction's next flush (a message to each member of a panel), at once when one is
    released (its event names its id). A key already used, or given twice, gives that message
    unchanged."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(kind)
    keys = list(dict.fromkeys(m["key"] for m in messages))
    found = (
        {m.dedupe_key: m for m in db.session.execute(_by_keys(), {"keys": keys}).scalars()}
        if keys
        else {}
    )
    out, new = [], []
    for m in messages:
        message = found.get(m["key"])
        if message is None:
            message = _message(kind, m["key"], m["template"], m["context"], m["to_name"],
                               m["to_address"], m.get("recipient"), m.get("program"),
                               m.get("attachment"))  # fmt: skip
            found[m["key"]] = message
            new.append((message, m.get("program")))
        out.append(message)
    db.session.add_all([message for message, _ in new])
    released = [(m, p) for m, p in new if _released(m.kind, p) and _deliverable(m) is None]
    if released:
        db.session.flush()
        for message, _ in released:
            _release(message, None)
    return out


def _message(kind, key, template, context, to_name, to_address, recipient, program,
             attachment) -> OutboxMessage:  # fmt: skip
    subject, body = render(template, context)
    return OutboxMessage(
        program_id=getattr(program, "id", None),
        kind=kind,
        dedupe_key=key,
        recipient_user_id=getattr(recipient, "id", None),
        to_name=to_name or "",
        to_address=(to_address or "").strip(),
        subject=subject,
        body=body,
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
        status="draft",
        message_id=f"<{uuid.uuid4().hex}@review-app>",
    )


def _released(kind: str, program) -> bool:
    """Messages of ``kind`` are released as soon as composed."""
    return kind in ALWAYS_RELEASED or kind in auto_release_kinds(program)


def _release_if_allowed(message: OutboxMessage, program) -> None:
    if _released(message.kind, program) and _deliverable(message) is None:
        _release(message, None)


def _deliverable(message: OutboxMessage) -> str | None:
    """Why the message cannot be released, or None."""
    if not message.to_address:
        return "收件人没有登记邮箱，无法发送（站内页面中仍可看到该事项）。"
    if not ADDRESS.match(message.to_address):
        return f"收件人邮箱“{message.to_address}”格式不正确。"
    return None


def _release(message: OutboxMessage, actor) -> None:
    message.status = "released"
    message.released_at = utcnow()
    message.released_by_id = getattr(actor, "id", None)
    message.next_attempt_at = message.released_at
    db.session.flush()
    audit.record(
        "outbox.release", "outbox_message", message.id, actor=actor,
        after={"kind": message.kind, "to": message.to_address, "subject": message.subject},
    )  # fmt: skip


def release(message: OutboxMessage, actor) -> bool:
    """Release a draft for delivery; releasing twice does nothing."""
    require_manage_outbox(actor)
    if not can_release_message(actor, message):
        return False
    problem = _deliverable(message)
    if problem:
        raise InvalidInput(problem)
    _release(message, actor)
    return True


def release_all(program, actor, kind: str | None = None) -> tuple[int, int]:
    """Release every deliverable draft of the program (of one kind); (released, held back)."""
    require_manage_outbox(actor)
    query = select(OutboxMessage).where(
        OutboxMessage.status == "draft", OutboxMessage.program_id == program.id
    )
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    released = held = 0
    for message in db.session.execute(query.order_by(OutboxMessage.id)).scalars():
        if _deliverable(message):
            held += 1
            continue
        _release(message, actor)
        released += 1
    return released, held


def cancel(message: OutboxMessage, actor, reason: str = "") -> None:
    require_manage_outbox(actor)
    if not can_cancel_message(actor, message):
        raise InvalidInput(f"“{message.status_name}”的消息不能取消。")
    before = message.status
    message.status = "cancelled"
    db.session.flush()
    audit.record("outbox.cancel", "outbox_message", message.id, actor=actor,
                 before={"status": before}, after={"status": "cancelled"}, reason=reason)  # fmt: skip


def resend(message: OutboxMessage, actor, reason: str) -> None:
    """Send a failed or uncertain message again (a person checked it did not arrive)."""
    require_manage_outbox(actor)
    if not can_resend_message(actor, message):
        raise InvalidInput("只有发送失败或发送中断待核实的消息可以重新发送。")
    reason = (reason or "").strip()
    if message.status == "uncertain" and not reason:
        raise InvalidInput("发送中断的消息可能已经送达：请核实后填写重新发送的理由。")
    before = message.status
    message.status = "released"
    message.attempts = 0
    message.stage = ""
    message.next_attempt_at = utcnow()
    db.session.flush()
    audit.record("outbox.resend", "outbox_message", message.id, actor=actor,
                 before={"status": before}, after={"status": "released"}, reason=reason)  # fmt: skip


def counts(program, kind: str | None = None) -> dict[str, int]:
    """The program's messages by status (``tally``: one definition of sent)."""
    return tally.status_counts(program, kind)


# -- delivery -------------------------------------------------------------------------------


def deliver_due(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Deliver released messages whose time has come; returns counts by outcome. Commits."""
    if not delivery_configured():
        out = dict.fromkeys(MailChannel.outcomes, 0)
        out["skipped"] = db.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "released")
        ).scalar_one()
        return out
    recover_stale(now)
    clock = (lambda: now) if now is not None else utcnow
    return delivery.run(MailChannel(current_app.config), clock, limit)


def require_message(message_id: int, program) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.program_id != program.id:
        raise NotFound("没有这条消息。")
    return message
