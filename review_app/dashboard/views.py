"""Dashboards: each role's overview after login, and the coordinator's 评分分析 charts."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import charts
from ..applications.catalogue import GROUP_NAMES
from ..audit.display import describe
from ..auth.permissions import permission_required
from ..clock import china_date, utcnow
from ..decision.visibility import VISIBLE_STATE_NAMES, state_column
from ..programs.models import TRACK_NAMES, TRACKS
from ..programs.selection import selected_program
from ..publicity.stage import stage_of
from ..web import reads_only
from ..workflow.states import DECIDABLE_STATES, STATE_NAMES
from . import accounts, service
from .permissions import can_view_analysis

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
ROLES_WITH_DASHBOARD = ("coordinator", "prefecture", "expert", "inspector", "applicant", "admin")
PROGRESS_SERIES = [("submitted", "已提交", "#12b76a"), ("draft", "已暂存", "#f79009"),
                   ("assigned", "未开始", "#d0d5dd")]  # fmt: skip


@bp.route("/")
@reads_only
@login_required
def home():
    role = current_user.role
    if role not in ROLES_WITH_DASHBOARD:
        abort(404)
    # The expert's dashboard does not show the program: no query for it there.
    program = selected_program() if role != "expert" else None
    today = china_date(utcnow())
    return {
        "coordinator": _coordinator,
        "prefecture": _prefecture,
        "expert": _expert,
        "inspector": _inspector,
        "applicant": _applicant,
        "admin": _admin,
    }[role](program, today)


def _quota_chart(rows, track: str):
    items = [(r.prefecture.name, float(r.endorsed)) for r in rows if r.track == track]
    marks = {r.prefecture.name: float(r.quota) for r in rows if r.track == track and r.quota}
    if not items:
        return None
    return charts.bar_chart(items, title=f"{TRACK_NAMES[track]}：各地市已推荐数与名额",
                            unit="家", marks=marks)  # fmt: skip


def _coordinator(program, today):
    counts = service.state_counts(program)
    totals: dict[str, int] = {}
    for row in counts.values():
        for state, n in row.items():
            totals[state] = totals.get(state, 0) + n
    quotas = service.quota_rows(program)
    panels = service.panel_progress(program, today)
    progress_chart = charts.stacked_progress(
        [(f"{TRACK_NAMES[p.track][:3]}·{p.name.split(' · ')[-1]}", p.counts) for p in panels],
        title="各评审组评分进度", series=PROGRESS_SERIES,
    ) if panels else None  # fmt: skip
    return render_template(
        "dashboard/coordinator.html", counts=counts, totals=totals, quotas=quotas, panels=panels,
        decidable=sum(totals.get(s, 0) for s in DECIDABLE_STATES),
        quota_charts=[c for t in TRACKS if (c := _quota_chart(quotas, t)) is not None],
        progress_chart=progress_chart, flags=service.open_flags(program),
        pending=service.inspections_pending(program), states=STATE_NAMES, program=program,
        after=stage_of(program),
    )  # fmt: skip


def _prefecture(program, today):
    pid = current_user.prefecture_id
    quotas = service.quota_rows(program, pid)
    counts = service.state_counts(program, pid, state_column(current_user))
    return render_template(
        "dashboard/prefecture.html", counts=counts, quotas=quotas,
        states=VISIBLE_STATE_NAMES, program=program, today=today, after=stage_of(program),
        notice=service.notice_of(program, pid),
    )  # fmt: skip


def _expert(program, today):
    work = service.expert_work(current_user.id, today)
    invitations, pledged = service.expert_notices(current_user.id)
    return render_template("dashboard/expert.html", work=work, today=today,
                           invitations=invitations, pledged=pledged)  # fmt: skip


def _inspector(program, today):
    pending = service.inspections_pending(program, current_user.id)
    return render_template("dashboard/inspector.html", pending=pending, after=stage_of(program))


def _applicant(program, today):
    return render_template(
        "dashboard/applicant.html", applications=accounts.own_applications(current_user)
    )


def _admin(program, today):
    return render_template(
        "dashboard/admin.html", roles=accounts.accounts_by_role(),
        sign_ins=accounts.recent_sign_ins(),
        rows=describe(accounts.recent_account_events(), identities=False),
    )  # fmt: skip


@bp.route("/analysis")
@permission_required(can_view_analysis)
def analysis():
    program = selected_program()
    track = request.args.get("track") if request.args.get("track") in TRACKS else "excellent"
    group = request.args.get("group") or "general"
    if group not in GROUP_NAMES:
        abort(404)
    distribution = service.score_distribution(program, track)
    points, cut_rank, cut_score, label = service.ranking_points(program, track)
    reviewers = service.reviewer_leniency(program, track, group)
    all_scores = [s for _, scores, _ in reviewers for s in scores]
    return render_template(
        "dashboard/analysis.html", track=track, group=group, groups=GROUP_NAMES,
        histogram=charts.histogram([], title="各评审组评分分布（百分制）", groups=distribution),
        leniency=charts.reviewer_strip(
            reviewers, title=f"{GROUP_NAMES[group]}：每位专家的评分与宽严偏差",
            overall_mean=(sum(all_scores) / len(all_scores)) if all_scores else None,
        ),
        progress=charts.line_chart(service.review_progress(program),
                                   title="累计提交评分数（按日）", unit="份"),
        ranking=charts.ranking_chart(points, title=f"{TRACK_NAMES[track]}排名（{label}）",
                                     cut_rank=cut_rank, cut_score=cut_score),
    )  # fmt: skip
