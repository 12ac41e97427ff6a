"""One delivery core for the outbox (mail over SMTP) and the webhooks (signed HTTP POST).

A channel keeps its rows in its own table (``OutboxMessage``, ``WebhookDelivery``) and is a
small adapter (``Channel``): which rows are due, what a claim writes, how one attempt is made,
how its outcome and log line are written. The core runs the loop the same way for both:

1. **Due rows** are read and the read transaction ends before any network I/O.
2. **Claim with a lease** (``claim``): ``UPDATE … SET attempts = attempts + 1, <lease> WHERE
   id = ? AND status = <ready> AND next_attempt_at <= now [AND attempts = <seen>]``, committed
   at once: of two workers exactly one gets rowcount 1. The lease is the channel's: webhooks
   push ``next_attempt_at`` forward (a dead worker's row is simply due again later); the outbox
   moves the row to ``sending`` with ``claimed_at`` and ``recover_stale`` settles it after
   ``OUTBOX_LEASE_SECONDS``.
3. **The at-most-once boundary** (``Channel.handing_over``): called by the adapter just before
   the bytes that may be acted upon leave (SMTP: before the message text; it commits
   ``stage="data"``). A channel that needs no boundary (webhooks: receivers deduplicate by
   delivery id, so delivery is at least once) leaves the hook empty.
4. **Retries with backoff** (``verdict``): one table, ``MAX_ATTEMPTS`` and ``BACKOFF_MINUTES``;
   a permanent refusal fails at once, an attempt interrupted past the boundary is
   ``uncertain`` and waits for a person.
5. **The attempt log**: the channel writes one entry per attempt (``Channel.settle``) and the
   core commits it with the row's new status.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, update

from .clock import utcnow
from .extensions import db

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 15, 60)  # before attempts 2, 3, 4, 5


@dataclass(frozen=True)
class Attempt:
    """What one attempt came to. ``permanent``: retrying cannot help (a 5xx SMTP refusal);
    ``uncertain``: the attempt broke past the at-most-once boundary, so it may have arrived."""

    ok: bool
    detail: str
    started: datetime
    permanent: bool = False
    uncertain: bool = False
    status_code: int | None = None


def backoff_minutes(attempts: int) -> int:
    """Minutes to wait after the ``attempts``-th failed attempt."""
    return BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]


def verdict(attempts: int, result: Attempt) -> tuple[str, int | None]:
    """(outcome, minutes to wait): ``sent``, ``uncertain``, ``failed`` or ``retry``."""
    if result.ok:
        return "sent", None
    if result.uncertain:
        return "uncertain", None
    if result.permanent or attempts >= MAX_ATTEMPTS:
        return "failed", None
    return "retry", backoff_minutes(attempts)


def claim(model, row_id: int, now: datetime, *, ready: str, values: dict, attempts=None) -> bool:
    """Take one due row for this worker by compare-and-set, with the channel's lease in
    ``values``; commits. ``attempts``: also require the count the worker read (a row retried
    and claimed again in between is not taken twice)."""
    conditions = [model.id == row_id, model.status == ready, model.next_attempt_at <= now]
    if attempts is not None:
        conditions.append(model.attempts == attempts)
    result = db.session.execute(
        update(model).where(*conditions).values(attempts=model.attempts + 1, **values)
    )
    db.session.commit()
    return result.rowcount == 1


class Channel:
    """A delivery channel's adapter; subclasses fill in the table and the network step."""

    model: type
    ready: str = "pending"  # the status of a row waiting for its next attempt
    outcomes: tuple[str, ...] = ("sent", "retry", "failed")
    check_attempts = False  # whether the claim also compares the attempts read

    def due(self, now: datetime, limit: int) -> Select:
        """(id, attempts) of the rows due at ``now``, in delivery order."""
        raise NotImplementedError

    def lease(self, now: datetime) -> dict:
        """Columns the claim sets besides ``attempts``."""
        return {}

    def attempt(self, row) -> Attempt:
        raise NotImplementedError

    def handing_over(self, row) -> None:
        """The at-most-once boundary: called before the point of no return (default: none)."""

    def settle(self, row, outcome: str, result: Attempt, wait: int | None) -> None:
        """Write the outcome on the row and its attempt log (the core commits)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the batch held (a connection)."""


def run(channel: Channel, clock: Callable[[], datetime] = utcnow, limit: int = 100) -> dict:
    """Deliver the channel's due rows; counts by outcome. Commits per step."""
    out = dict.fromkeys(channel.outcomes, 0)
    due = db.session.execute(channel.due(clock(), limit)).all()
    db.session.commit()  # end the read transaction before any network I/O
    try:
        for row_id, attempts in due:
            now = clock()
            seen = attempts if channel.check_attempts else None
            values = channel.lease(now)
            if not claim(channel.model, row_id, now, ready=channel.ready, values=values,
                         attempts=seen):  # fmt: skip
                continue  # another worker took it
            row = db.session.get(channel.model, row_id, populate_existing=True)
            result = channel.attempt(row)
            outcome, wait = verdict(row.attempts, result)
            channel.settle(row, outcome, result, wait)
            db.session.commit()
            out[outcome] += 1
    finally:
        channel.close()
    return out
