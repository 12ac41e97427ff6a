"""What the 审计链 page lists: the audit events one page at a time (at most ``PAGE_SIZE``),
filtered by action, object type, actor and a date range (Beijing calendar days), newest or
oldest first, the total shown (issue 22 point 1). Filters name actions and objects by their
Chinese labels (audit/labels.py); the codes stay in the URL."""

from datetime import date, datetime, time, timedelta

from flask import request
from sqlalchemy import Select, select

from ..audit.labels import ACTION_LABELS, OBJECT_LABELS
from ..audit.models import AuditEvent
from ..clock import CHINA_TZ
from ..paging import choice, like_pattern, text_arg

PAGE_SIZE = 50
SORTS = {"newest": "最新在前", "oldest": "最早在前"}
DEFAULTS = {"sort": "newest"}


def _day(name: str) -> date | None:
    """A YYYY-MM-DD from the URL; malformed or far-off dates (which would overflow the
    conversion to UTC) are ignored."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None


def _utc(day: date) -> datetime:
    """The first moment of a Beijing calendar day, as the naive UTC the table stores."""
    return datetime.combine(day, time()) - CHINA_TZ.utcoffset(None)


def filters() -> dict:
    """The list's filters from the URL; anything unknown or malformed is ignored."""
    return {
        "action": choice("action", ACTION_LABELS),
        "object": choice("object", OBJECT_LABELS),
        "actor": text_arg("actor", 100),
        "since": _day("since"),
        "until": _day("until"),
        "sort": choice("sort", SORTS, DEFAULTS["sort"]),
    }


def url_args(f: dict) -> dict:
    """``f`` as URL arguments (dates as YYYY-MM-DD)."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in f.items()}


def filtered(f: dict) -> bool:
    return any(f[k] for k in ("action", "object", "actor", "since", "until"))


def action_options() -> list[tuple[str, str]]:
    """One (code, label) per label, in the table's order (by stage): choosing it lists every
    action of that label (two codes share one, e.g. 确认专家分配)."""
    first: dict[str, str] = {}
    for code, label in ACTION_LABELS.items():
        first.setdefault(label, code)
    return [(code, label) for label, code in first.items()]


def events(f: dict) -> Select:
    """The events matching ``f``, in the chosen order (the caller pages them)."""
    query = select(AuditEvent)
    if f["action"]:
        label = ACTION_LABELS[f["action"]]
        query = query.where(
            AuditEvent.action.in_([c for c, name in ACTION_LABELS.items() if name == label])
        )
    if f["object"]:
        query = query.where(AuditEvent.object_type == f["object"])
    if f["actor"]:
        query = query.where(AuditEvent.actor.like(like_pattern(f["actor"]), escape="\\"))
    if f["since"]:
        query = query.where(AuditEvent.created_at >= _utc(f["since"]))
    if f["until"]:
        query = query.where(AuditEvent.created_at < _utc(f["until"] + timedelta(days=1)))
    order = AuditEvent.id.asc() if f["sort"] == "oldest" else AuditEvent.id.desc()
    return query.order_by(order)
