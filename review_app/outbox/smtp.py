"""The outbox's mail channel on the delivery core (``review_app/delivery.py``): an SMTP sender
that splits the DATA step, the adapter that claims a released message (``status="sending"``,
``stage="connect"``, ``claimed_at``) and writes its ``DeliveryAttempt`` log, and the lease's
recovery.

The at-most-once boundary is ``stage="data"``, committed just before the message text is
handed over: a worker that dies after it leaves the message ``uncertain`` (never sent again
without a person), one that dies before it leaves it to be tried again after the lease.
"""

import contextlib
import re
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr

from flask import current_app
from sqlalchemy import Select, select

from ..clock import utcnow
from ..delivery import Attempt, Channel
from ..extensions import db
from .models import DeliveryAttempt, OutboxMessage

UNCERTAIN_INTERRUPTED = "交付邮件内容时连接中断，邮件可能已经送达；请核实后决定是否重新发送。"
UNCERTAIN_DIED = "发送进程在交付邮件内容时中断，邮件可能已经送达；请核实后决定是否重新发送。"
RETRY_DIED = "发送进程在连接邮件服务器时中断，将重新发送。"


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


def _permanent(err: Exception) -> bool:
    """A 5xx answer: sending again cannot help."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in err.recipients.values())
    return isinstance(err, smtplib.SMTPResponseException) and 500 <= err.smtp_code < 600


class MailChannel(Channel):
    """Released ``OutboxMessage`` rows, sent over one SMTP connection per batch."""

    model = OutboxMessage
    ready = "released"
    outcomes = ("sent", "retry", "failed", "uncertain", "skipped")

    def __init__(self, config):
        self.sender = SmtpSender(config)
        self.mail_from = config["MAIL_FROM"]

    def due(self, now: datetime, limit: int) -> Select:
        return (
            select(OutboxMessage.id, OutboxMessage.attempts)
            .where(OutboxMessage.status == "released", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )

    def lease(self, now: datetime) -> dict:
        # claimed_at on the wall clock: recover_stale compares it with the wall clock.
        return {"status": "sending", "stage": "connect", "claimed_at": utcnow()}

    def handing_over(self, message: OutboxMessage) -> None:
        message.stage = "data"
        db.session.commit()

    def attempt(self, message: OutboxMessage) -> Attempt:
        started = utcnow()
        data = email_for(message).as_bytes(policy=SMTP_POLICY)
        try:
            reply = self.sender.send(
                self.mail_from, message.to_address, data, lambda: self.handing_over(message)
            )
        except (smtplib.SMTPException, OSError) as err:
            self.sender.reset()
            detail = f"{type(err).__name__}: {err}"
            # The connection broke while the text was handed over: it may have arrived.
            broke = message.stage == "data" and not isinstance(err, smtplib.SMTPResponseException)
            return Attempt(False, detail, started, permanent=_permanent(err), uncertain=broke)
        return Attempt(True, reply, started)

    def settle(self, message: OutboxMessage, outcome: str, result: Attempt, wait) -> None:
        message.stage = ""
        if outcome == "sent":
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = ""
        elif outcome == "uncertain":
            message.status = "uncertain"
            message.last_error = UNCERTAIN_INTERRUPTED
        elif outcome == "failed":
            message.status = "failed"
            message.last_error = result.detail
        else:
            message.status = "released"
            message.next_attempt_at = utcnow() + timedelta(minutes=wait)
            message.last_error = result.detail
        log_outcome = "interrupted" if outcome == "uncertain" else outcome
        _log(message.id, result.started, log_outcome, result.detail)

    def close(self) -> None:
        self.sender.close()


def recover_stale(now: datetime | None = None) -> dict[str, int]:
    """The lease's end: deliveries whose worker died before the text was handed over are tried
    again, after it they become ``uncertain``. Commits."""
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
            message.last_error = UNCERTAIN_DIED
            out["uncertain"] += 1
        else:
            message.status = "released"
            message.next_attempt_at = now
            message.last_error = RETRY_DIED
            out["retry"] += 1
        message.stage = ""
        _log(message.id, message.claimed_at or now, "interrupted", message.last_error)
    db.session.commit()
    return out
