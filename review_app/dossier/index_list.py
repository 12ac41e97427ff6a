"""What the 推荐材料 page's 地市审核意见 list reads: one page of applications (at most
``PAGE_SIZE``), filtered by prefecture, track, whether the opinion is written and a search, in
an order from the URL, with the total (issue 22 point 1). The 审核情况表 (.xlsx) keeps every row."""

from flask import request
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from ..applications.models import Application
from ..enterprises.models import Enterprise
from ..extensions import db
from ..ids import db_id
from ..paging import Page, choice, like_pattern, paginate, text_arg
from ..programs.models import TRACK_NAMES, Prefecture, Program
from ..workflow.states import STATE_NAMES
from .models import PrefectureOpinion
from .review_sheet import SheetRow, sheet_row

PAGE_SIZE = 50
OPINION_FILTERS = {"missing": "未填写", "written": "已填写"}
SORTS = {"prefecture": "地市与推荐顺序", "enterprise": "企业名称", "state": "状态",
         "opinion": "意见填写时间（最新）"}  # fmt: skip
DEFAULTS = {"sort": "prefecture"}


def filters(prefecture: Prefecture | None) -> dict:
    """The list's filters from the URL (anything unknown ignored); a prefecture officer's own
    prefecture is fixed, the ``prefecture`` argument then ignored."""
    prefecture_id = request.args.get("prefecture", type=db_id)
    known = prefecture_id is not None and db.session.get(Prefecture, prefecture_id) is not None
    if prefecture is not None or not known:
        prefecture_id = None
    return {
        "prefecture": prefecture_id,
        "track": choice("track", TRACK_NAMES),
        "opinion": choice("opinion", OPINION_FILTERS),
        "state": choice("state", STATE_NAMES),
        "q": text_arg("q"),
        "sort": choice("sort", SORTS, DEFAULTS["sort"]),
    }


def filtered(f: dict) -> bool:
    return any(f[k] for k in ("prefecture", "track", "opinion", "state", "q"))


def applications(program: Program, prefecture: Prefecture | None, f: dict) -> Select:
    """``program``'s applications (``prefecture``'s only for an officer) matching ``f``, in its
    order (the 材料核对 page pages the recommended ones the same way)."""
    query = (
        select(Application)
        .join(Prefecture, Prefecture.id == Application.prefecture_id)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .outerjoin(PrefectureOpinion, PrefectureOpinion.application_id == Application.id)
        .where(Application.program_id == program.id)
        .options(joinedload(Application.prefecture), joinedload(Application.enterprise))
    )
    if prefecture is not None:
        query = query.where(Application.prefecture_id == prefecture.id)
    elif f["prefecture"]:
        query = query.where(Application.prefecture_id == f["prefecture"])
    if f["track"]:
        query = query.where(Application.track_code == f["track"])
    if f["state"]:
        query = query.where(Application.state == f["state"])
    if f["opinion"] == "written":
        query = query.where(PrefectureOpinion.id.is_not(None))
    elif f["opinion"] == "missing":
        query = query.where(PrefectureOpinion.id.is_(None))
    if f["q"]:
        like = like_pattern(f["q"])
        query = query.where(or_(Enterprise.name.like(like, escape="\\"),
                                Enterprise.uscc.like(like, escape="\\")))  # fmt: skip
    by_rank = (Application.track_code, Application.priority_rank.is_(None),
               Application.priority_rank, Application.id)  # fmt: skip
    order = {
        "prefecture": (Prefecture.sort_order, Prefecture.id, *by_rank),
        "enterprise": (Enterprise.name, Application.id),
        "state": (Application.state, Prefecture.sort_order, *by_rank),
        "opinion": (PrefectureOpinion.written_at.is_(None), PrefectureOpinion.written_at.desc(),
                    Application.id),
    }[f["sort"]]  # fmt: skip
    return query.order_by(*order)


def page(program: Program, prefecture: Prefecture | None, f: dict) -> tuple[Page, list[SheetRow]]:
    """One page of ``applications``, and its rows as the 审核情况表 shows them."""
    listing = paginate(applications(program, prefecture, f), size=PAGE_SIZE)
    ids = [a.id for a in listing.rows]
    opinions = {
        o.application_id: o
        for o in db.session.execute(
            select(PrefectureOpinion).where(PrefectureOpinion.application_id.in_(ids or [-1]))
        ).scalars()
    }
    return listing, [sheet_row(a, opinions.get(a.id), None) for a in listing.rows]
