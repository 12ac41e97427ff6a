"""The outbox: compose a message from a template file once, let the coordinator review and
release it (or release it at once for the kinds the program allows), deliver it over SMTP
with retries and a log, never twice.

Delivery runs outside any request (``deliver_due``, called by the queue's periodic task or
``review-app outbox deliver``) and commits per step, so a worker that dies leaves each message
in a state the next worker can read:

- claimed, ``stage="connect"``: the server was not yet handed the text; after the lease the
  next worker tries again;
- claimed, ``stage="data"``: the text was being handed over when the worker died, so it may
  have arrived; the message becomes ``uncertain`` and is only sent again when a coordinator,
  having checked, says so. At most once, and the window of doubt is one SMTP reply.
"""

import contextlib
import re
import smtplib
import ssl
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr

from flask import current_app
from sqlalchemy import func, select, update

from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..extensions import db
from .models import (
    ALWAYS_RELEASED,
    DEFAULT_AUTO_RELEASE,
    MESSAGE_KINDS,
    DeliveryAttempt,
    OutboxMessage,
)

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 15, 60)  # before attempts 2, 3, 4, 5
ADDRESS = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def _coordinator(actor) -> None:
    if getattr(actor, "role", None) != "coordinator":
        raise PermissionDenied("只有省厅协调员可以管理发件箱。")


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
    existing = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == key)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    subject, body = render(template, context)
    message = OutboxMessage(
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
    db.session.add(message)
    db.session.flush()
    released = kind in ALWAYS_RELEASED or kind in auto_release_kinds(program)
    if released and _deliverable(message) is None:
        _release(message, None)
    return message


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
    _coordinator(actor)
    if message.status != "draft":
        return False
    problem = _deliverable(message)
    if problem:
        raise InvalidInput(problem)
    _release(message, actor)
    return True


def release_all(program, actor, kind: str | None = None) -> tuple[int, int]:
    """Release every deliverable draft of the program (of one kind); (released, held back)."""
    _coordinator(actor)
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
    _coordinator(actor)
    if message.status not in ("draft", "released", "failed", "uncertain"):
        raise InvalidInput(f"“{message.status_name}”的消息不能取消。")
    before = message.status
    message.status = "cancelled"
    db.session.flush()
    audit.record("outbox.cancel", "outbox_message", message.id, actor=actor,
                 before={"status": before}, after={"status": "cancelled"}, reason=reason)  # fmt: skip


def resend(message: OutboxMessage, actor, reason: str) -> None:
    """Send a failed or uncertain message again (a person checked it did not arrive)."""
    _coordinator(actor)
    if message.status not in ("failed", "uncertain"):
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


def counts(program) -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.program_id == program.id)
        .group_by(OutboxMessage.status)
    ).all()
    return dict(rows)


# -- delivery -------------------------------------------------------------------------------


def email_for(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    mail = EmailMessage()
    mail["From"] = formataddr(("河南省智能工厂培育评审系统", config["MAIL_FROM"]))
    mail["To"] = formataddr((message.to_name, message.to_address))
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime((message.released_at or utcnow()).replace(tzinfo=UTC))
    mail.set_content(message.body)
    if message.attachment is not None:
        maintype, subtype = "application", "octet-stream"
        if message.attachment_name and message.attachment_name.endswith(".docx"):
            subtype = "vnd.openxmlformats-officedocument.wordprocessingml.document"
        mail.add_attachment(message.attachment, maintype=maintype, subtype=subtype,
                            filename=message.attachment_name)  # fmt: skip
    return mail


class SmtpSender:
    """One SMTP connection for a batch; the DATA step is split so the caller can record that
    the text is being handed over before the final dot."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c["SMTP_SECURITY"] == "ssl":
            smtp = smtplib.SMTP_SSL(c["SMTP_HOST"], c["SMTP_PORT"], timeout=30,
                                    context=ssl.create_default_context())  # fmt: skip
        else:
            smtp = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=30)
        smtp.ehlo()
        if c["SMTP_SECURITY"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if c["SMTP_USERNAME"]:
            smtp.login(c["SMTP_USERNAME"], c["SMTP_PASSWORD"])
        return smtp

    def send(self, sender: str, to: str, data: bytes, handing_over: Callable[[], None]) -> str:
        if self.smtp is None:
            self.smtp = self._connect()
        smtp = self.smtp
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = smtp.rcpt(to)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
        code, reply = smtp.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        handing_over()
        payload = re.sub(rb"(?m)^\.", b"..", data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        smtp.send(payload + b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return f"{code} {reply.decode('utf-8', 'replace')}"

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
            self.smtp = None

    def reset(self) -> None:
        """Drop the connection after an error (the next message reconnects)."""
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
            self.smtp = None


def _log(message_id: int, started: datetime, outcome: str, detail: str) -> None:
    db.session.add(
        DeliveryAttempt(
            message_id=message_id,
            started_at=started,
            finished_at=utcnow(),
            outcome=outcome,
            detail=detail[:2000],
        )  # fmt: skip
    )


def recover_stale(now: datetime | None = None) -> dict[str, int]:
    """Deliveries whose worker died: before the text was handed over they are tried again,
    after it they become ``uncertain``."""
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config.get("OUTBOX_LEASE_SECONDS", 600))
    stale = db.session.execute(
        select(OutboxMessage).where(
            OutboxMessage.status == "sending", OutboxMessage.claimed_at <= now - lease
        )
    ).scalars()
    out = {"retry": 0, "uncertain": 0}
    for message in stale:
        if message.stage == "data":
            message.status = "uncertain"
            message.last_error = (
                "发送进程在交付邮件内容时中断，邮件可能已经送达；请核实后决定是否重新发送。"
            )
            out["uncertain"] += 1
        else:
            message.status = "released"
            message.next_attempt_at = now
            message.last_error = "发送进程在连接邮件服务器时中断，将重新发送。"
            out["retry"] += 1
        message.stage = ""
        _log(message.id, message.claimed_at or now, "interrupted", message.last_error)
    db.session.commit()
    return out


def _claim(message_id: int, now: datetime) -> bool:
    """Take one released message for this worker (compare-and-set: one worker wins)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "released")
        .values(
            status="sending", stage="connect", claimed_at=now, attempts=OutboxMessage.attempts + 1
        )  # fmt: skip
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_due(now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Deliver released messages whose time has come; returns counts by outcome. Commits."""
    out = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "skipped": 0}
    if not delivery_configured():
        out["skipped"] = db.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == "released")
        ).scalar_one()
        return out
    recover_stale(now)
    now = now or utcnow()
    ids = list(
        db.session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "released", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
    )
    config = current_app.config
    sender = SmtpSender(config)
    try:
        for message_id in ids:
            if not _claim(message_id, utcnow()):
                continue  # another worker took it
            out[_deliver_one(sender, message_id, config["MAIL_FROM"])] += 1
    finally:
        sender.close()
    return out


def _deliver_one(sender: SmtpSender, message_id: int, mail_from: str) -> str:
    message = db.session.get(OutboxMessage, message_id)
    started = utcnow()
    data = email_for(message).as_bytes(policy=SMTP_POLICY)

    def handing_over() -> None:
        message.stage = "data"
        db.session.commit()

    try:
        reply = sender.send(mail_from, message.to_address, data, handing_over)
    except (smtplib.SMTPException, OSError) as err:
        sender.reset()
        permanent = isinstance(err, smtplib.SMTPResponseException) and 500 <= err.smtp_code < 600
        if isinstance(err, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in err.recipients.values()]
            permanent = all(500 <= c < 600 for c in codes)
        detail = f"{type(err).__name__}: {err}"
        if message.stage == "data" and not isinstance(err, smtplib.SMTPResponseException):
            # The connection broke while the text was handed over: it may have arrived.
            message.status = "uncertain"
            message.stage = ""
            message.last_error = (
                "交付邮件内容时连接中断，邮件可能已经送达；请核实后决定是否重新发送。"
            )
            _log(message.id, started, "interrupted", detail)
            db.session.commit()
            return "uncertain"
        if permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            outcome = "failed"
        else:
            message.status = "released"
            wait = BACKOFF_MINUTES[min(message.attempts, len(BACKOFF_MINUTES)) - 1]
            message.next_attempt_at = utcnow() + timedelta(minutes=wait)
            outcome = "retry"
        message.stage = ""
        message.last_error = detail
        _log(message.id, started, outcome, detail)
        db.session.commit()
        return outcome
    message.status = "sent"
    message.stage = ""
    message.sent_at = utcnow()
    message.last_error = ""
    _log(message.id, started, "sent", reply)
    db.session.commit()
    return "sent"


def require_message(message_id: int, program) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.program_id != program.id:
        raise NotFound("没有这条消息。")
    return message
