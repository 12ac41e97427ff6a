"""The one clock the domain reads, so tests and the demo can fix "now".

Times are stored as naive UTC. Deadlines are calendar dates in China Standard Time (UTC+8,
no daylight saving), so a deadline day ends at 24:00 Beijing time.
"""

from datetime import UTC, date, datetime, timedelta, timezone

from flask import current_app, has_app_context

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    """Current time as naive UTC. ``FROZEN_NOW`` in the app config stops the clock (tests);
    ``CLOCK_OFFSET`` shifts it (the demo runs on a day before the deadline)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if has_app_context():
        frozen = current_app.config.get("FROZEN_NOW")
        if frozen is not None:
            return frozen
        offset = current_app.config.get("CLOCK_OFFSET")
        if offset:
            return now + offset
    return now


def offset_to(day: date) -> timedelta:
    """The shift that makes today (in Beijing) read as ``day``, time of day kept."""
    today = china_date(datetime.now(UTC).replace(tzinfo=None))
    return timedelta(days=(day - today).days)


def china_date(moment: datetime) -> date:
    """The calendar date in Beijing of a naive-UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()


def before_deadline(deadline: date, moment: datetime | None = None) -> bool:
    """True while the deadline day has not ended in Beijing."""
    return china_date(moment or utcnow()) <= deadline
