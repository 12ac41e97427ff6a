"""Sign-in throttling per (name typed, client address), with growing delays.

A stranger who keeps failing for ``coord`` from one address only slows down their own attempts
from that address: after ``LOGIN_THROTTLE_FREE_FAILURES`` failures every further one makes them
wait 1, 2, 4, … minutes (at most ``LOGIN_THROTTLE_MAX_MINUTES``) before an attempt is checked at
all. The owner signing in from elsewhere is not affected. Unknown names are throttled the same
way, so the answer never tells which names exist. The state is a database row, so every worker
agrees; the per-account ceiling across all addresses is in ``service.authenticate``.
"""

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import LoginThrottle


def name_hash(username: str) -> str:
    """The key of a name as typed (case-folded): the table holds no usernames."""
    return hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()


def _row(username: str, address: str) -> LoginThrottle | None:
    return db.session.execute(
        select(LoginThrottle).where(
            LoginThrottle.username_hash == name_hash(username),
            LoginThrottle.address == (address or "")[:64],
        )
    ).scalar_one_or_none()


def blocked(username: str, address: str, now: datetime) -> bool:
    """True while attempts for this name from this address must wait."""
    row = _row(username, address)
    return row is not None and row.blocked_until is not None and row.blocked_until > now


def delay_minutes(failures: int) -> int:
    """The wait after ``failures`` failures: none while free, then 1, 2, 4, … up to the cap."""
    free = current_app.config["LOGIN_THROTTLE_FREE_FAILURES"]
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 20), current_app.config["LOGIN_THROTTLE_MAX_MINUTES"])


def record_failure(username: str, address: str, now: datetime) -> None:
    """Count one failure for the pair (atomically, so concurrent workers lose none)."""
    forget = now - timedelta(hours=current_app.config["LOGIN_THROTTLE_FORGET_HOURS"])
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < forget))
    key, addr = name_hash(username), (address or "")[:64]
    where = (LoginThrottle.username_hash == key, LoginThrottle.address == addr)
    counted = db.session.execute(
        update(LoginThrottle)
        .where(*where)
        .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        try:
            with db.session.begin_nested():
                db.session.add(
                    LoginThrottle(username_hash=key, address=addr, failures=1, last_failure_at=now)
                )
        except IntegrityError:  # another worker inserted it first: count on its row
            db.session.execute(
                update(LoginThrottle)
                .where(*where)
                .values(failures=LoginThrottle.failures + 1, last_failure_at=now)
                .execution_options(synchronize_session=False)
            )
    row = _row(username, address)
    db.session.refresh(row)
    wait = delay_minutes(row.failures)
    row.blocked_until = now + timedelta(minutes=wait) if wait else None
    db.session.flush()


def forget(username: str, address: str | None = None) -> None:
    """Clear the pair's failures (a successful sign-in), or all of a name's (unlock, reset)."""
    query = delete(LoginThrottle).where(LoginThrottle.username_hash == name_hash(username))
    if address is not None:
        query = query.where(LoginThrottle.address == address[:64])
    db.session.execute(query.execution_options(synchronize_session=False))
