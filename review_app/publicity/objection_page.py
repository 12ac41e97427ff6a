"""The 异议 register one page at a time (at most ``PAGE_SIZE``): filtered by status, channel and
a search (objector, unit, subject), newest or oldest first, the total shown (issue 22 point 1);
a checker sees only the objections assigned to it (``objections.visible``)."""

from sqlalchemy import or_
from sqlalchemy.orm import joinedload

from ..paging import Page, choice, like_pattern, paginate, text_arg
from ..programs.models import Program
from .models import CHANNELS, OBJECTION_STATUSES, Objection
from .objections import visible

PAGE_SIZE = 50
SORTS = {"oldest": "编号（先收到在前）", "newest": "最新在前"}
DEFAULTS = {"sort": "oldest"}


def filters() -> dict:
    """The list's filters from the URL; anything unknown is ignored."""
    return {
        "status": choice("status", OBJECTION_STATUSES),
        "channel": choice("channel", CHANNELS),
        "q": text_arg("q"),
        "sort": choice("sort", SORTS, DEFAULTS["sort"]),
    }


def filtered(f: dict) -> bool:
    return bool(f["status"] or f["channel"] or f["q"])


def objection_page(program: Program, user, f: dict) -> Page:
    query = visible(program, user).options(joinedload(Objection.checker))
    if f["status"]:
        query = query.where(Objection.status == f["status"])
    if f["channel"]:
        query = query.where(Objection.channel == f["channel"])
    if f["q"]:
        like = like_pattern(f["q"])
        query = query.where(or_(*(column.like(like, escape="\\") for column in (
            Objection.objector_name, Objection.objector_unit, Objection.subject))))  # fmt: skip
    order = Objection.id.desc() if f["sort"] == "newest" else Objection.id.asc()
    return paginate(query.order_by(order), size=PAGE_SIZE)
