"""The delivery core (``review_app/delivery.py``) that the outbox and the webhooks share: one
retry table, the compare-and-set claim with a lease, the loop with its at-most-once hook."""

from datetime import timedelta

import pytest

from review_app import delivery
from review_app.clock import utcnow
from review_app.delivery import Attempt, Channel, claim, verdict
from review_app.extensions import db
from review_app.outbox import service as outbox
from review_app.outbox.models import OutboxMessage
from review_app.outbox.smtp import MailChannel
from review_app.webhooks import service as webhooks


def test_one_retry_table_for_both_channels():
    assert outbox.MAX_ATTEMPTS == webhooks.MAX_ATTEMPTS == delivery.MAX_ATTEMPTS
    assert not hasattr(outbox, "BACKOFF_MINUTES") and not hasattr(webhooks, "BACKOFF_MINUTES")


@pytest.mark.parametrize(
    "attempts, result, expected",
    [
        (1, Attempt(True, "250 ok", utcnow()), ("sent", None)),
        (1, Attempt(False, "x", utcnow(), uncertain=True), ("uncertain", None)),
        (1, Attempt(False, "550", utcnow(), permanent=True), ("failed", None)),
        (1, Attempt(False, "x", utcnow()), ("retry", 1)),
        (2, Attempt(False, "x", utcnow()), ("retry", 5)),
        (3, Attempt(False, "x", utcnow()), ("retry", 15)),
        (4, Attempt(False, "x", utcnow()), ("retry", 60)),
        (5, Attempt(False, "x", utcnow()), ("failed", None)),
    ],
)
def test_verdict(attempts, result, expected):
    assert verdict(attempts, result) == expected


def _message(key: str = "k1", due=None) -> OutboxMessage:
    message = OutboxMessage(
        kind="invitation", dedupe_key=key, subject="s", body="b", message_id=f"<{key}@t>",
        status="released", attempts=0, stage="", next_attempt_at=due or utcnow(),
    )  # fmt: skip
    db.session.add(message)
    db.session.commit()
    return message


def test_claim_is_compare_and_set_and_waits_for_the_due_time(app):
    now = utcnow()
    message, later = _message(), _message("k2", due=now + timedelta(hours=1))
    lease = {"status": "sending"}
    assert claim(OutboxMessage, message.id, now, ready="released", values=lease)
    assert not claim(OutboxMessage, message.id, now, ready="released", values=lease)
    assert not claim(OutboxMessage, later.id, now, ready="released", values=lease)
    db.session.expire_all()
    assert (message.status, message.attempts) == ("sending", 1)
    assert (later.status, later.attempts) == ("released", 0)


class Recording(Channel):
    """A channel that fails once and then delivers, recording the boundary calls."""

    model = OutboxMessage
    ready = "released"

    def __init__(self):
        self.calls = []

    def due(self, now, limit):
        return MailChannel.due(self, now, limit)

    def lease(self, now):
        return {"status": "sending"}

    def handing_over(self, row):
        self.calls.append(("boundary", row.id))

    def attempt(self, row):
        self.handing_over(row)
        return Attempt(row.attempts > 1, f"try {row.attempts}", utcnow())

    def settle(self, row, outcome, result, wait):
        self.calls.append((outcome, wait))
        row.status = "sent" if outcome == "sent" else "released"
        if wait:
            row.next_attempt_at = result.started + timedelta(minutes=wait)

    def close(self):
        self.calls.append(("close",))


def test_run_claims_attempts_settles_and_backs_off(app):
    message = _message()
    channel = Recording()
    assert delivery.run(channel) == {"sent": 0, "retry": 1, "failed": 0}
    assert delivery.run(channel)["retry"] == 0  # backing off: not due yet
    later = utcnow() + timedelta(minutes=2)
    assert delivery.run(channel, lambda: later)["sent"] == 1
    assert delivery.run(channel, lambda: later)["sent"] == 0  # never twice
    db.session.expire_all()
    assert (message.status, message.attempts) == ("sent", 2)
    boundary = ("boundary", message.id)
    assert channel.calls == [boundary, ("retry", 1), ("close",), ("close",),
                             boundary, ("sent", None), ("close",), ("close",)]  # fmt: skip
