"""What the scoring progress page (评分进度) reads: the tasks counted per panel, and per expert
one page at a time (filters and order from the URL, the total shown), counted in the database
(issue 22 point 1: the page listed every expert with an upload form, 11,765 px at province
scale)."""

from datetime import date

from flask import request
from sqlalchemy import Float, and_, case, cast, func, or_, select

from .. import paging
from ..applications.models import Application
from ..assignment.models import Assignment
from ..experts.models import Expert, Panel
from ..extensions import db
from ..ids import db_id
from ..paging import Page, like_pattern, paginate
from ..programs.models import TRACK_NAMES, Program

PAGE_SIZE = 50
COUNTED = ("assigned", "submitted", "reopened")
STATUSES = {"open": "未完成", "done": "已完成", "overdue": "有逾期"}
SORTS = {"overdue": "逾期多的在前", "open": "未完成多的在前", "progress": "完成比例低的在前",
         "name": "姓名"}  # fmt: skip
DEFAULTS = {"sort": "overdue"}


def panels_of(program: Program, track: str = "") -> dict[int, Panel]:
    """The program's panels (of ``track`` if given), by id, in track and group order."""
    query = select(Panel).where(Panel.program_id == program.id)
    if track:
        query = query.where(Panel.track_code == track)
    panels = db.session.execute(query.order_by(Panel.track_code, Panel.id)).scalars()
    return {p.id: p for p in panels}


def filters(program: Program) -> dict:
    """The list's filters from the URL; anything unknown is ignored (a panel of another program
    or track too)."""
    track = paging.choice("track", TRACK_NAMES)
    panel = request.args.get("panel", type=db_id)
    return {
        "track": track,
        "panel": panel if panel in panels_of(program, track) else None,
        "status": paging.choice("status", STATUSES),
        "q": paging.text_arg("q", 50),
        "sort": paging.sort_arg(SORTS),
    }


def list_args(program: Program) -> dict:
    """The list's filters and page as URL arguments (after an upload, back to the same page)."""
    return paging.list_args(filters(program), DEFAULTS)


def _tasks(program: Program, f: dict):
    """The counted tasks of the program, narrowed by the track and panel filters."""
    query = (
        select(Assignment)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.program_id == program.id, Assignment.status.in_(COUNTED))
    )
    if f["track"]:
        query = query.where(Application.track_code == f["track"])
    if f["panel"]:
        query = query.where(Assignment.panel_id == f["panel"])
    return query


def _counts(today: date):
    total = func.count(Assignment.id)
    done = func.sum(case((Assignment.status == "submitted", 1), else_=0))
    overdue = func.sum(case((and_(Assignment.status != "submitted", Assignment.due_date < today),
                             1), else_=0))  # fmt: skip
    return total, done, overdue


def by_panel(program: Program, f: dict, today: date) -> list[tuple[str, dict]]:
    """Tasks, submitted and overdue per panel (a few rows: every panel of the track)."""
    total, done, overdue = _counts(today)
    rows = db.session.execute(
        _tasks(program, f).with_only_columns(Assignment.panel_id, total, done, overdue)
        .group_by(Assignment.panel_id)
    ).all()  # fmt: skip
    names = {i: p.name for i, p in panels_of(program).items()}
    table = [(names.get(panel_id, "（未编组）"), {"total": t, "done": d or 0, "overdue": o or 0})
             for panel_id, t, d, o in rows]  # fmt: skip
    return sorted(table, key=lambda row: row[0])


def by_expert(program: Program, f: dict, today: date) -> Page:
    """One page (at most ``PAGE_SIZE``) of experts with their counts: rows of (expert, total,
    done, overdue), filtered by status and name or employer, in the chosen order."""
    total, done, overdue = _counts(today)
    query = (
        _tasks(program, f)
        .join(Expert, Expert.id == Assignment.expert_id)
        .with_only_columns(Expert, total.label("total"), done.label("done"),
                           overdue.label("overdue"))
        .group_by(Expert.id)
    )  # fmt: skip
    if f["q"]:
        like = like_pattern(f["q"])
        query = query.where(or_(Expert.name.like(like, escape="\\"),
                                Expert.employer.like(like, escape="\\")))  # fmt: skip
    status = f["status"]
    if status == "open":
        query = query.having(done < total)
    elif status == "done":
        query = query.having(done == total)
    elif status == "overdue":
        query = query.having(overdue > 0)
    order = {
        "overdue": (overdue.desc(), Expert.name, Expert.id),
        "open": ((total - done).desc(), Expert.name, Expert.id),
        "progress": (cast(done, Float) / total, Expert.name, Expert.id),
        "name": (Expert.name, Expert.id),
    }[f["sort"]]
    return paginate(query.order_by(*order), size=PAGE_SIZE, scalars=False)
