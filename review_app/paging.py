"""Paging a list query: the page asked for (clamped), its rows and the page count; and the
pieces every list shares (a choice from the URL, a LIKE pattern, the list's own URL arguments),
so lists page, sort and filter the same way (issue 22 point 1)."""

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import Select, func, select

from .extensions import db


@dataclass
class Page:
    rows: list
    page: int
    pages: int
    total: int


def paginate(query: Select, size: int | None = None, *, scalars: bool = True) -> Page:
    """Rows of ``query`` (already ordered) for ``?page=N``; a page past the end shows the last.
    ``scalars=False``: whole result rows (an entity with its counts), not the first column."""
    size = size or current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // size))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    result = db.session.execute(query.limit(size).offset((page - 1) * size))
    return Page(list(result.scalars() if scalars else result), page, pages, total)


def paginate_list(items: list, size: int | None = None) -> Page:
    """``paginate`` for rows already in memory (a table built in Python), same ``?page=N``."""
    size = size or current_app.config["PAGE_SIZE"]
    pages = max(1, -(-len(items) // size))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return Page(items[(page - 1) * size : page * size], page, pages, len(items))


def choice(name: str, allowed, default: str = "") -> str:
    """``?name=`` when it is one of ``allowed`` (a dict's keys or any container), else
    ``default``: unknown values are ignored, never an error."""
    value = request.args.get(name, "")
    return value if value in allowed else default


def sort_arg(sorts: dict, name: str = "sort") -> str:
    """``?sort=`` when it is one of ``sorts``, else the first of them (the list's default)."""
    return choice(name, sorts, next(iter(sorts)))


def text_arg(name: str = "q", limit: int = 100) -> str:
    """A search box's text from the URL, trimmed and bounded."""
    return (request.args.get(name) or "").strip()[:limit]


def like_pattern(text: str) -> str:
    """``text`` anywhere, its own % _ and \\ taken literally (with ``escape="\\"``)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_args(filters: dict, defaults: dict | None = None) -> dict:
    """A list's filters and page as URL arguments, the empty and default ones left out (after a
    POST, back to the same filtered page)."""
    defaults = defaults or {}
    args = {k: v for k, v in filters.items() if v and defaults.get(k) != v}
    page = request.args.get("page", type=int)
    return {**args, "page": page} if page and page > 1 else args
