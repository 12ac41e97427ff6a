"""Guards of the transitions after the decision (the workflow table names them): each takes the
workflow's ``Context``, reads the database only and returns a Chinese reason or None.

This module imports no workflow module, so the table can import it."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from ..applications.models import Application
from ..clock import china_date
from ..decision.models import DecisionEntry, DecisionRun
from ..extensions import db
from .models import (
    OPEN_OBJECTION_STATUSES,
    Approval,
    Objection,
    PublicityListing,
    PublicityPeriod,
)

# The state of an application waiting for its 公示: the list a 审定 approves.
AWAITING_PUBLICITY = "proposed"


def list_hash(run_id: int, application_ids) -> str:
    """The hash of a list approved at 审定: the confirmed run and the applications on it."""
    text = f"{run_id}:" + ",".join(str(i) for i in sorted(application_ids))
    return hashlib.sha256(text.encode()).hexdigest()


def awaiting_publicity(program_id: int, track: str) -> list[int]:
    """Ids of the track's applications proposed and not yet published (the list to approve)."""
    return list(
        db.session.execute(
            select(Application.id)
            .where(
                Application.program_id == program_id,
                Application.track_code == track,
                Application.state == AWAITING_PUBLICITY,
            )
            .order_by(Application.id)
        ).scalars()
    )


def latest_approval(program_id: int, track: str) -> Approval | None:
    return db.session.execute(
        select(Approval)
        .where(Approval.program_id == program_id, Approval.track_code == track)
        .order_by(Approval.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def through_publicity(ctx) -> str | None:
    """Fired by the publicity verbs only (they keep the 公示 list, the objection, the notice and
    the 复核 record with the state), never alone from an application's page or the API."""
    if ctx.data.get("via_publicity"):
        return None
    return "此操作须在“审定公示”页面办理（公示、异议、递补、正式发文、复核）。"


def approval_refusal(program_id: int, track: str, run_id: int | None) -> str | None:
    """Why the track's proposed list may not be published now: no 审定, or one of another list
    (an application added, withdrawn or revoked since, or another confirmed run)."""
    approval = latest_approval(program_id, track)
    if approval is None:
        return "拟入库名单尚未审定，请先记录审定（厅长办公会、党组会或专题会）。"
    approved = set(approval.listed or [])
    # The approved list as it stands: those still waiting, and those of it already published
    # (publishing goes one application at a time within one transaction).
    published = set(
        db.session.execute(
            select(Application.id).where(
                Application.id.in_(sorted(approved)), Application.state == "in_publicity"
            )
        ).scalars()
    )
    current = set(awaiting_publicity(program_id, track)) | published
    if approval.run_id != run_id or list_hash(run_id or 0, current) != approval.list_hash:
        return "审定之后拟入库名单有变化，须重新审定后才能公示。"
    return None


@dataclass(frozen=True)
class CheckedList:
    """The list of the latest 审定 as ``publish`` found it current (``approval_refusal``) in this
    transaction; it checks the list again once every application is published, before its
    caller commits."""

    approval_id: int
    application_ids: frozenset[int]


NOT_ON_LIST = "该申报不在最近一次审定的拟入库名单中，须重新审定。"


def approved_list_current(ctx) -> str | None:
    """publish: the application is on the list of the latest 审定, and the list is unchanged.

    Fired by ``publish`` (``checked_list`` in the context), the list as a whole was checked once
    for all its applications: only the application's place on it is asked here. Checking the
    whole list for each application read the track's proposals once per application (the time
    grew with the square of the list: 54x for 25x the applications)."""
    app = ctx.application
    checked = ctx.data.get("checked_list")
    if checked is not None:
        return None if app.id in checked.application_ids else NOT_ON_LIST
    approval = latest_approval(app.program_id, app.track_code)
    if approval is not None and app.id not in (approval.listed or []):
        return NOT_ON_LIST
    run_id = db.session.scalar(
        select(DecisionRun.id).where(
            DecisionRun.program_id == app.program_id,
            DecisionRun.track_code == app.track_code,
            DecisionRun.status == "confirmed",
        )
    )
    return approval_refusal(app.program_id, app.track_code, run_id)


def latest_period(application_id: int) -> PublicityPeriod | None:
    return db.session.execute(
        select(PublicityPeriod)
        .join(PublicityListing, PublicityListing.period_id == PublicityPeriod.id)
        .where(PublicityListing.application_id == application_id)
        .order_by(PublicityPeriod.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def publicity_over(ctx) -> str | None:
    """issue (in 公示): its period has ended (the day after the end date in Beijing)."""
    period = latest_period(ctx.application.id)
    if period is None:
        return "该申报尚未公示。"
    if china_date(ctx.now) <= period.end_on:
        return f"公示期至{period.end_on:%Y年%m月%d日}，公示期结束后方可正式发文。"
    return None


def open_objections(application_id: int) -> list[Objection]:
    return list(
        db.session.execute(
            select(Objection)
            .where(
                Objection.application_id == application_id,
                Objection.status.in_(sorted(OPEN_OBJECTION_STATUSES)),
            )
            .order_by(Objection.id)
        ).scalars()
    )


def no_open_objection(ctx) -> str | None:
    """issue: every objection about the application is closed."""
    pending = open_objections(ctx.application.id)
    if pending:
        names = "、".join(f"第{o.id}号" for o in pending)
        return f"该申报尚有未办结的异议（{names}），须办结后方可正式发文。"
    return None


def objection_upheld(ctx) -> str | None:
    """revoke: an objection about the application was found 成立."""
    upheld = db.session.scalar(
        select(func.count(Objection.id)).where(
            Objection.application_id == ctx.application.id, Objection.status == "upheld"
        )
    )
    if not upheld:
        return "该申报没有成立的异议，不能撤销拟入库。"
    return None


def reconsideration_recorded(ctx) -> str | None:
    """reconsider: a 复核 record (reason and approval record) accompanies the change."""
    record = ctx.data.get("reconsideration")
    if record is None or not (record.approval_record or "").strip():
        return "复核须记录理由和审批记录。"
    return None


def next_eligible(program_id: int, track: str) -> tuple[DecisionEntry | None, str]:
    """递补: the next application by the rules of the confirmed run (the best-ranked one that was
    below the cut line, above the minimum score, not vetoed and still not selected), and why."""
    rows = db.session.execute(
        select(DecisionEntry, Application)
        .join(DecisionRun, DecisionRun.id == DecisionEntry.run_id)
        .join(Application, Application.id == DecisionEntry.application_id)
        .where(
            DecisionRun.program_id == program_id,
            DecisionRun.track_code == track,
            DecisionRun.status == "confirmed",
            DecisionEntry.rank > 0,
        )
        .order_by(DecisionEntry.rank)
    ).all()
    for entry, app in rows:
        if entry.numbers.get("reason") != "below_cut" or app.state != "not_selected":
            continue
        score = "—" if entry.score is None else f"{float(entry.score):.2f}"
        return entry, (
            f"确认的排名中第{entry.rank}位（综合得分{score}）：入库线以下排名最高、达到最低分数线、"
            "未被一票否决且仍未入选的申报。"
        )
    return None, "排名中已没有达到最低分数线且未入选的申报，无法递补。"


def next_in_ranking(ctx) -> str | None:
    """backfill: the application is the next eligible one of its track's ranking."""
    app = ctx.application
    entry, why = next_eligible(app.program_id, app.track_code)
    if entry is None:
        return why
    if entry.application_id != app.id:
        return f"递补须按排名顺序：下一家可递补的是{entry.application.enterprise.name}。"
    return None
