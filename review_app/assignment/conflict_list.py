"""What the conflicts page (利益冲突) reads: the "全部冲突" list one page at a time (filters and
order from the URL, the total shown), and the matrix of experts × applications being staffed,
built from a light query (the cells need the pair, rule, status and evidence only)."""

from dataclasses import dataclass

from flask import request
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, joinedload

from .. import paging
from ..applications.models import Application
from ..enterprises.models import Enterprise
from ..experts.models import Expert
from ..extensions import db
from ..paging import Page, like_pattern, paginate
from .models import CONFLICT_RULES, CONFLICT_STATUSES, Conflict

PAGE_SIZE = 50
SOURCES = {"declared": "专家申报", "detected": "系统检测"}
SORTS = {"status": "状态", "expert": "专家", "enterprise": "企业", "rule": "规则", "newest": "最新"}


@dataclass(frozen=True)
class Cell:
    """One conflict as a matrix cell shows it."""

    rule: str
    status: str
    evidence: str

    @property
    def blocks(self) -> bool:
        return self.status in ("active", "pinned", "pending")


def filters() -> dict:
    """The list's filters from the URL; anything unknown is ignored."""
    args = request.args
    return {
        "status": args.get("status") if args.get("status") in CONFLICT_STATUSES else "",
        "rule": args.get("rule") if args.get("rule") in CONFLICT_RULES else "",
        "source": args.get("source") if args.get("source") in SOURCES else "",
        "q": (args.get("q") or "").strip()[:100],
        "sort": args.get("sort") if args.get("sort") in SORTS else "status",
    }


def list_args() -> dict:
    """The list's filters and page as URL arguments (after a POST, back to the same page)."""
    return paging.list_args(filters(), {"sort": "status"})


def conflict_page(f: dict) -> Page:
    """One page (``?page=N``, at most ``PAGE_SIZE`` rows) of the conflicts matching ``f``, with
    their experts and enterprises loaded in the same query."""
    expert, enterprise = aliased(Expert), aliased(Enterprise)
    query = (
        select(Conflict)
        .join(expert, expert.id == Conflict.expert_id)
        .join(enterprise, enterprise.id == Conflict.enterprise_id)
        .options(joinedload(Conflict.expert), joinedload(Conflict.enterprise))
    )
    for key in ("status", "rule", "source"):
        if f[key]:
            query = query.where(getattr(Conflict, key) == f[key])
    if f["q"]:
        like = like_pattern(f["q"])
        query = query.where(or_(expert.name.like(like, escape="\\"),
                                expert.employer.like(like, escape="\\"),
                                enterprise.name.like(like, escape="\\")))  # fmt: skip
    order = {
        "status": (Conflict.status, Conflict.expert_id, Conflict.id),
        "expert": (expert.name, Conflict.expert_id, Conflict.id),
        "enterprise": (enterprise.name, Conflict.enterprise_id, Conflict.id),
        "rule": (Conflict.rule, Conflict.expert_id, Conflict.id),
        "newest": (Conflict.id.desc(),),
    }[f["sort"]]
    return paginate(query.order_by(*order), size=PAGE_SIZE)


def conflict_matrix(apps: list[Application]) -> list[tuple[Expert, list[tuple[Cell, ...]]]]:
    """Every expert with a conflict (by name) and, for each of ``apps``, that expert's conflicts
    with the application's enterprise: the lookups done here, once (tens of thousands of cells
    at province scale, too many for lookups in the template)."""
    by_pair: dict[tuple[int, int], list[Cell]] = {}
    for expert_id, enterprise_id, rule, status, evidence in db.session.execute(
        select(Conflict.expert_id, Conflict.enterprise_id, Conflict.rule, Conflict.status,
               Conflict.evidence).order_by(Conflict.status, Conflict.expert_id, Conflict.id)
    ):  # fmt: skip
        by_pair.setdefault((expert_id, enterprise_id), []).append(Cell(rule, status, evidence))
    ids = {expert_id for expert_id, _ in by_pair}
    experts = sorted(
        db.session.execute(select(Expert).where(Expert.id.in_(ids))).scalars() if ids else [],
        key=lambda e: (e.name, e.id),
    )
    columns = [a.enterprise_id for a in apps]
    return [(e, [tuple(by_pair.get((e.id, k), ())) for k in columns]) for e in experts]
