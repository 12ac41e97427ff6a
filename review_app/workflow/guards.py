"""Guards: named functions that return a Chinese reason to refuse, or None to allow.

Each guard takes a ``Context`` (the application, the actor, the reason typed, the moment and any
extra data) and reads the database only; it never writes.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..anonymise.service import distribution_refusal
from ..applications.catalogue import required_sections, scored_sections
from ..applications.models import Application
from ..assignment.models import ACTIVE_ASSIGNMENT_STATUSES, Assignment, Conflict
from ..clock import before_deadline
from ..extensions import db
from ..inspection.models import Inspection
from ..programs.models import ProgramQuota
from ..scoring.in_force import is_meeting_review
from ..scoring.models import DispersionFlag, Review
from .states import ENDORSED_STATES, SELECTED_STATES


@dataclass
class Context:
    application: Application
    actor: object
    reason: str
    now: datetime
    data: dict = field(default_factory=dict)
    # True when only showing which actions are possible: take no locks.
    preview: bool = False


def reason_given(ctx: Context) -> str | None:
    if not ctx.reason:
        return "请填写理由。"
    if len(ctx.reason) > 2000:
        return "理由不能超过2000字。"
    return None


def within_quota(ctx: Context) -> str | None:
    """A prefecture may recommend at most its 附件3 quota on a track."""
    app = ctx.application
    query = select(ProgramQuota).where(
        ProgramQuota.program_id == app.program_id,
        ProgramQuota.prefecture_id == app.prefecture_id,
        ProgramQuota.track_code == app.track_code,
    )
    if not ctx.preview:
        query = query.with_for_update()  # serialise concurrent endorsements of one prefecture
    quota_row = db.session.execute(query).scalar_one_or_none()
    if quota_row is None:
        return None
    used = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.program_id == app.program_id,
            Application.prefecture_id == app.prefecture_id,
            Application.track_code == app.track_code,
            Application.state.in_(ENDORSED_STATES),
            Application.id != app.id,
        )
    )
    if used >= quota_row.quota:
        return (
            f"{app.prefecture.name}{app.track.name}推荐名额为{quota_row.quota}家，已推荐{used}家，"
            "不能再推荐。请先撤回或退回其他推荐。"
        )
    return None


def before_the_deadline(ctx: Context) -> str | None:
    deadline = ctx.application.program.deadline
    if not before_deadline(deadline, ctx.now):
        return (
            f"已过申报截止日期（{deadline:%Y年%m月%d日}），不能再推荐、退回修改或重新提交；"
            "不予推荐的申报请撤回。"
        )
    return None


def after_the_deadline(ctx: Context) -> str | None:
    deadline = ctx.application.program.deadline
    if before_deadline(deadline, ctx.now):
        return (
            f"申报截止日期（{deadline:%Y年%m月%d日}）前请退回企业修改；"
            "截止后方可判定形式审查不通过。"
        )
    return None


def required_sections_present(ctx: Context) -> str | None:
    app = ctx.application
    missing = [s.title for s in required_sections(app.track_code) if not _section_text(app, s.key)]
    if missing:
        return "申报书缺少以下必填章节：" + "、".join(missing) + "。"
    return None


def _section_text(app: Application, key: str) -> str:
    section = app.section(key)
    return (section.text or "").strip() if section else ""


def no_blocking_problems(ctx: Context) -> str | None:
    blocking = [p for p in (ctx.application.format_report or []) if p.get("severity") == "blocking"]
    if blocking:
        shown = "；".join(p.get("message", "") for p in blocking[:5])
        more = f"等{len(blocking)}项" if len(blocking) > 5 else ""
        return f"形式审查报告中有未解决的阻断问题：{shown}{more}。"
    return None


def national_title_for_leading(ctx: Context) -> str | None:
    app = ctx.application
    if app.track.requires_national_excellent and not app.national_excellent:
        return "申报领航级智能工厂培育须已获得国家卓越级智能工厂称号。"
    return None


def reviewers_per_section(app: Application) -> int:
    return int((app.program.settings or {}).get("reviewers_per_section", 3))


def all_sections_staffed(ctx: Context) -> str | None:
    app = ctx.application
    need = reviewers_per_section(app)
    counts = dict(
        db.session.execute(
            select(Assignment.section_id, func.count(Assignment.id))
            .where(
                Assignment.application_id == app.id,
                Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES),
            )
            .group_by(Assignment.section_id)
        ).all()
    )
    short = []
    for spec in scored_sections(app.track_code):
        section = app.section(spec.key)
        have = counts.get(section.id, 0) if section else 0
        if have < need:
            short.append(f"{spec.title}（已分配{have}人，需{need}人）")
    if short:
        return "以下章节评审专家不足：" + "、".join(short) + "。"
    return None


def sections_anonymised(ctx: Context) -> str | None:
    """Sections go to experts only once their anonymised text passed the leak scan and was
    confirmed (DESIGN.md section 6). A track reviewed in a meeting (会议评审 with 答辩) is not
    anonymised: its experts meet the enterprise."""
    if is_meeting_review(ctx.application):
        return None
    return distribution_refusal(ctx.application)


def no_conflicted_reviewer(ctx: Context) -> str | None:
    app = ctx.application
    rows = db.session.execute(
        select(Assignment, Conflict)
        .join(Conflict, Conflict.expert_id == Assignment.expert_id)
        .where(
            Assignment.application_id == app.id,
            Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES),
            Conflict.enterprise_id == app.enterprise_id,
            Conflict.status.in_(("active", "pinned", "pending")),
        )
    ).all()
    if rows:
        names = "、".join(sorted({a.expert.name for a, _ in rows}))
        return f"以下专家与该企业存在利益冲突，须先调整分配：{names}。"
    return None


def all_reviews_submitted(ctx: Context) -> str | None:
    app = ctx.application
    rows = db.session.execute(
        select(Assignment.id, Review.status)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.application_id == app.id,
            Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES),
        )
    ).all()
    if not rows:
        return "该申报尚无评审分配。"
    pending = sum(1 for _, status in rows if status != "submitted")
    if pending:
        return f"还有{pending}份评分未提交（共{len(rows)}份）。"
    return None


def no_open_dispersion_flag(ctx: Context) -> str | None:
    open_flags = db.session.scalar(
        select(func.count(DispersionFlag.id)).where(
            DispersionFlag.application_id == ctx.application.id, DispersionFlag.status == "open"
        )
    )
    if open_flags:
        return f"有{open_flags}个章节评分分歧过大待复议，须先重评或记录合议结论。"
    return None


def _inspection(app: Application):
    return db.session.execute(
        select(Inspection).where(Inspection.application_id == app.id)
    ).scalar_one_or_none()


def sampled_for_inspection(app: Application) -> bool:
    """Whether the application was drawn for 实地抽查 (an inspection exists for it)."""
    return _inspection(app) is not None


def inspection_verdict_recorded(ctx: Context) -> str | None:
    inspection = _inspection(ctx.application)
    if inspection is None:
        return "该申报未被抽中实地核查。"
    if inspection.verdict is None:
        return "请先记录实地抽查结论（属实、基本属实或不属实）。"
    return None


def inspected_if_sampled(ctx: Context) -> str | None:
    app = ctx.application
    if app.state == "scored" and _inspection(app) is not None:
        return "该申报已被抽中实地核查，须先记录抽查结论。"
    return None


def not_vetoed(ctx: Context) -> str | None:
    inspection = _inspection(ctx.application)
    if inspection is not None and inspection.verdict == "untrue":
        return "实地抽查结论为“不属实”，一票否决，不能入库。"
    return None


def capacity_available(ctx: Context) -> str | None:
    app = ctx.application
    track = app.track
    # Proposed, in 公示 and admitted applications hold places; a revoked one frees its place.
    admitted = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.program_id == app.program_id,
            Application.track_code == app.track_code,
            Application.state.in_(sorted(SELECTED_STATES)),
            Application.id != app.id,
        )
    )
    if admitted >= track.capacity:
        return f"{track.name}入库名额为{track.capacity}家，已全部占用。"
    return None
