"""What the expert pool page (专家库) lists: the experts one page at a time, filtered by
prefecture, 重点环节 and a search, ordered from the URL, the total shown (issue 22 point 1)."""

from flask import request
from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import joinedload

from .. import paging
from ..applications.catalogue import GROUP_NAMES
from ..extensions import db
from ..ids import db_id
from ..paging import Page, like_pattern, paginate
from ..programs.models import Prefecture
from .models import Expert

SPECIALTIES = {k: v for k, v in GROUP_NAMES.items() if k != "general"}
SORTS = {"name": "姓名", "employer": "工作单位", "prefecture": "所在地市", "capacity": "容量大的在前",
         "newest": "最新加入"}  # fmt: skip
DEFAULTS = {"sort": "name"}


def prefectures() -> dict[int, str]:
    rows = db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars()
    return {p.id: p.name for p in rows}


def filters() -> dict:
    """The list's filters from the URL; anything unknown is ignored."""
    prefecture = request.args.get("prefecture", type=db_id)
    return {
        "prefecture": prefecture if prefecture in prefectures() else None,
        "specialty": paging.choice("specialty", SPECIALTIES),
        "q": paging.text_arg("q", 50),
        "sort": paging.sort_arg(SORTS),
    }


def list_args() -> dict:
    return paging.list_args(filters(), DEFAULTS)


def expert_page(f: dict, *where) -> Page:
    """One page (``?page=N``, ``PAGE_SIZE`` rows at most) of the experts matching ``f`` and the
    further conditions ``where`` (the draw pool's availability)."""
    query = (
        select(Expert)
        .outerjoin(Prefecture, Prefecture.id == Expert.prefecture_id)
        .options(joinedload(Expert.prefecture), joinedload(Expert.user))
    )
    query = query.where(*where)
    if f["prefecture"]:
        query = query.where(Expert.prefecture_id == f["prefecture"])
    if f["specialty"]:
        query = query.where(cast(Expert.specialties, String).like(f'%"{f["specialty"]}"%'))
    if f["q"]:
        like = like_pattern(f["q"])
        query = query.where(or_(Expert.name.like(like, escape="\\"),
                                Expert.employer.like(like, escape="\\")))  # fmt: skip
    order = {
        "name": (Expert.name, Expert.id),
        "employer": (Expert.employer, Expert.name, Expert.id),
        "prefecture": (Prefecture.sort_order.is_(None), Prefecture.sort_order, Expert.name,
                       Expert.id),
        "capacity": (Expert.capacity.desc(), Expert.name, Expert.id),
        "newest": (Expert.id.desc(),),
    }[f["sort"]]  # fmt: skip
    return paginate(query.order_by(*order))
