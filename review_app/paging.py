"""Paging a list query: the page asked for (clamped), its rows and the page count."""

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


def paginate(query: Select, size: int | None = None) -> Page:
    """Rows of ``query`` (already ordered) for ``?page=N``; a page past the end shows the last."""
    size = size or current_app.config["PAGE_SIZE"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // size))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = db.session.execute(query.limit(size).offset((page - 1) * size)).scalars().all()
    return Page(list(rows), page, pages, total)
