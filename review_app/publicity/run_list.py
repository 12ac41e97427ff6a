"""The 撤销与递补 list of a track's 公示 page: the confirmed run's applications one page at a
time (at most ``PAGE_SIZE``), filtered by state and a search, in the decision's order or by
name, the total shown (issue 22 point 1: every ranked application, 185 at province scale)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..applications.models import Application
from ..decision.models import DecisionEntry, DecisionRun
from ..enterprises.models import Enterprise
from ..paging import Page, choice, like_pattern, paginate, text_arg
from ..programs.models import Prefecture
from ..workflow.states import STATE_NAMES

PAGE_SIZE = 50
SORTS = {"rank": "决定排名", "enterprise": "企业名称", "prefecture": "地市"}
DEFAULTS = {"sort": "rank"}


def filters() -> dict:
    """The list's filters from the URL; anything unknown is ignored."""
    return {
        "state": choice("state", STATE_NAMES),
        "q": text_arg("q"),
        "sort": choice("sort", SORTS, DEFAULTS["sort"]),
    }


def filtered(f: dict) -> bool:
    return bool(f["state"] or f["q"])


def run_page(run: DecisionRun, f: dict) -> Page:
    """One page of ``run``'s applications matching ``f`` (rows: (entry, application))."""
    query = (
        select(DecisionEntry)
        .join(Application, Application.id == DecisionEntry.application_id)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .join(Prefecture, Prefecture.id == Application.prefecture_id)
        .where(DecisionEntry.run_id == run.id)
        .options(joinedload(DecisionEntry.application).options(
            joinedload(Application.enterprise), joinedload(Application.prefecture)))
    )  # fmt: skip
    if f["state"]:
        query = query.where(Application.state == f["state"])
    if f["q"]:
        query = query.where(Enterprise.name.like(like_pattern(f["q"]), escape="\\"))
    order = {
        "rank": (DecisionEntry.rank, DecisionEntry.id),
        "enterprise": (Enterprise.name, DecisionEntry.id),
        "prefecture": (Prefecture.sort_order, DecisionEntry.rank, DecisionEntry.id),
    }[f["sort"]]
    return paginate(query.order_by(*order), size=PAGE_SIZE)
