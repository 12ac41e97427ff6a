"""The layout's links, each gated by the predicate its page checks; built once per role.

``url_for`` is the costliest part of rendering ``base.html``. Every link's predicate depends only
on the user's role (the object argument is None here), so each role's list is built once per
process (and script root) by asking the predicates for a stand-in user of that role."""

from functools import cache
from typing import NamedTuple

from flask import request, url_for

from .admin.permissions import (
    can_change_role,
    can_disable_account,
    can_enable_account,
    can_manage_account,
    can_manage_users,
    can_read_audit_events,
    can_unlock_account,
    can_verify_audit,
)
from .anonymise.permissions import can_anonymise, can_see_anonymisation_status
from .api.permissions import can_use_api
from .applications.permissions import can_view_applications, can_view_every_prefecture
from .assignment.permissions import (
    can_adjust_experts,
    can_declare_conflict,
    can_pin_conflict,
    can_remove_assignment,
    can_settle_conflict,
    can_waive_conflict,
)
from .auth.models import ROLES
from .auth.permissions import role_predicate
from .dashboard.permissions import can_view_analysis
from .decision.permissions import (
    can_decide,
    can_download_notice,
    can_release_notice,
    can_release_notices,
    can_view_notices,
)
from .dossier.permissions import (
    can_add_check_file,
    can_check_dossiers,
    can_edit_entry_figures,
    can_upload_attachment,
    can_upload_letter,
    can_view_dossier,
    can_view_statistics,
    can_write_opinion,
)
from .draws.permissions import can_answer_invitation, can_manage_draws, can_sign_pledge
from .experts.permissions import can_manage_experts, can_review
from .inspection.permissions import (
    can_assign_inspectors,
    can_manage_inspections,
    can_record_inspection,
    can_remove_inspection,
    can_view_inspections,
)
from .intake.permissions import (
    can_download_template,
    can_edit_application,
    can_recheck_format,
    can_recommend,
    can_review_format,
)
from .jobs.permissions import can_download_job_result
from .meeting.permissions import (
    can_attend_meetings,
    can_manage_meetings,
    can_mark_held,
    can_open_scoring,
    can_score_in_meeting,
    can_sign_in,
)
from .outbox.permissions import (
    can_cancel_message,
    can_manage_outbox,
    can_release_message,
    can_resend_message,
)
from .panel.permissions import can_manage_opinions, can_work_on_opinions
from .publicity.permissions import (
    can_accept_objection,
    can_assign_checker,
    can_conclude_objection,
    can_manage_publicity,
    can_reconsider,
    can_record_findings,
    can_view_objections,
)
from .scoring.permissions import (
    can_reopen_review,
    can_resolve_flag,
    can_score,
    can_view_score_breakdown,
    can_view_scoring_progress,
)
from .similarity.permissions import can_review_similarity
from .webhooks.permissions import can_manage_webhooks

# Every signed-in role has a dashboard (each its own).
signed_in = role_predicate(*ROLES)

# (predicate, label, endpoint, endpoint arguments), in the top bar's order.
NAV = (
    (signed_in, "工作台", "dashboard.home", {}),
    (can_recommend, "本地市申报", "intake.index", {}),
    (can_view_applications, "申报列表", "applications.index", {}),
    (can_review_format, "形式审查", "intake.format_queue", {}),
    (can_review_similarity, "雷同检测", "similarity.index", {}),
    (can_anonymise, "匿名化", "anonymise.index", {}),
    (can_manage_experts, "专家库", "experts_admin.index", {}),
    (can_manage_draws, "专家抽取", "draws.index", {}),
    (can_adjust_experts, "专家分配", "assignment.auto", {"track": "excellent"}),
    (can_manage_meetings, "会议评审", "meeting.track", {"track": "leading"}),
    (can_view_scoring_progress, "评分进度", "scoring.progress", {}),
    (can_view_analysis, "评分分析", "dashboard.analysis", {}),
    (can_review, "我的评审任务", "expert.assignments", {}),
    (can_attend_meetings, "我的会议评审", "meeting.mine", {}),
    (can_answer_invitation, "评审邀请", "draws.invitations", {}),
    (can_sign_pledge, "保密与回避承诺", "draws.pledge", {}),
    (can_view_inspections, "实地抽查", "inspection.index", {}),
    (can_decide, "入库决定", "decision.track", {"track": "excellent"}),
    (can_manage_publicity, "审定公示", "publicity.track", {"track": "excellent"}),
    (can_view_objections, "异议", "publicity.objection_list", {}),
    (can_view_notices, "结果通知", "decision.notice_list", {}),
    (can_manage_outbox, "发件箱", "outbox.index", {}),
    (can_manage_webhooks, "事件推送", "webhooks.index", {}),
    (can_manage_users, "用户管理", "admin.users", {}),
    (can_verify_audit, "审计链", "admin.audit", {}),
    (can_view_dossier, "推荐材料", "dossier.index", {}),
    (can_view_statistics, "统计", "dossier.stats", {}),
    (can_manage_opinions, "专家组意见", "panel.opinions_status", {}),
    (can_work_on_opinions, "专家组意见与复议", "panel.mine", {}),
)

# The stages grouping the top bar (each shown only when it has a link for the role); a link of
# no stage stands alone before them (工作台).
STAGES = ("受理", "评审", "抽查与决定", "公示与通知", "系统")
STAGE_OF = {
    "intake.index": "受理", "applications.index": "受理", "intake.format_queue": "受理",
    "similarity.index": "受理", "anonymise.index": "受理", "dossier.index": "受理",
    "dossier.stats": "受理",
    "experts_admin.index": "评审", "draws.index": "评审", "assignment.auto": "评审",
    "scoring.progress": "评审", "dashboard.analysis": "评审", "expert.assignments": "评审",
    "draws.invitations": "评审", "draws.pledge": "评审", "panel.opinions_status": "评审",
    "panel.mine": "评审", "meeting.track": "评审", "meeting.mine": "评审",
    "inspection.index": "抽查与决定", "decision.track": "抽查与决定",
    "publicity.track": "公示与通知", "publicity.objection_list": "公示与通知",
    "decision.notice_list": "公示与通知", "outbox.index": "公示与通知",
    "webhooks.index": "系统", "admin.users": "系统", "admin.audit": "系统",
}  # fmt: skip

# Predicates that templates test (registered as Jinja globals under their own names).
PREDICATES = (
    can_attend_meetings,
    can_manage_meetings,
    can_mark_held,
    can_open_scoring,
    can_score_in_meeting,
    can_sign_in,
    can_adjust_experts,
    can_anonymise,
    can_answer_invitation,
    can_assign_inspectors,
    can_cancel_message,
    can_change_role,
    can_decide,
    can_declare_conflict,
    can_disable_account,
    can_download_job_result,
    can_download_notice,
    can_download_template,
    can_edit_application,
    can_enable_account,
    can_manage_account,
    can_manage_draws,
    can_manage_experts,
    can_manage_inspections,
    can_manage_outbox,
    can_manage_users,
    can_manage_webhooks,
    can_pin_conflict,
    can_use_api,
    can_read_audit_events,
    can_recheck_format,
    can_recommend,
    can_record_inspection,
    can_release_message,
    can_release_notice,
    can_release_notices,
    can_remove_assignment,
    can_remove_inspection,
    can_reopen_review,
    can_resend_message,
    can_resolve_flag,
    can_review,
    can_review_format,
    can_review_similarity,
    can_score,
    can_see_anonymisation_status,
    can_settle_conflict,
    can_sign_pledge,
    can_unlock_account,
    can_verify_audit,
    can_view_analysis,
    can_view_applications,
    can_view_every_prefecture,
    can_view_inspections,
    can_view_notices,
    can_view_score_breakdown,
    can_view_scoring_progress,
    can_waive_conflict,
    can_upload_letter,
    can_view_dossier,
    can_write_opinion,
    can_upload_attachment,
    can_add_check_file,
    can_check_dossiers,
    can_edit_entry_figures,
    # after the decision (publicity/permissions.py)
    can_accept_objection,
    can_assign_checker,
    can_conclude_objection,
    can_manage_publicity,
    can_reconsider,
    can_record_findings,
    can_view_objections,
)


class _RoleUser(NamedTuple):
    """A signed-in stand-in for any user of ``role`` (role-only predicates ask nothing else)."""

    role: str
    is_authenticated: bool = True


# The layout's other fixed addresses.
FIXED = {
    "css": ("static", {"filename": "css/app.css"}),
    "confirm_js": ("static", {"filename": "js/confirm.js"}),
    "home": ("main.index", {}),
    "jobs": ("jobs.index", {}),
    "tokens": ("api_pages.token_settings", {}),
    "logout": ("auth.logout", {}),
    "password": ("auth.change_password", {}),
}


@cache
def _nav(role: str, script_root: str) -> tuple[tuple[str, str], ...]:
    user = _RoleUser(role)
    return tuple((label, url_for(endpoint, **args)) for allowed, label, endpoint, args in NAV
                 if allowed(user))  # fmt: skip


class NavGroup(NamedTuple):
    label: str  # 受理, or the link's own label for a link outside the stages
    links: tuple[tuple[str, str], ...]  # (label, address)


@cache
def _groups(role: str, script_root: str) -> tuple[NavGroup, ...]:
    user = _RoleUser(role)
    alone, staged = [], {stage: [] for stage in STAGES}
    for allowed, label, endpoint, args in NAV:
        if allowed(user):
            link = (label, url_for(endpoint, **args))
            stage = STAGE_OF.get(endpoint)
            (staged[stage] if stage else alone).append(link)
    return tuple(NavGroup(link[0], (link,)) for link in alone) + tuple(
        NavGroup(stage, tuple(links)) for stage, links in staged.items() if links
    )


def nav_groups(user) -> tuple[NavGroup, ...]:
    """The top bar: links outside the stages, then each stage that has links for ``user``."""
    return _groups(user.role, request.script_root)


def current_link(user) -> str | None:
    """The address of the top-bar link naming the page shown (the longest path prefix), if any."""
    path = request.path
    best = None
    for _label, href in _nav(user.role, request.script_root):
        base = href.split("?", 1)[0]
        if (path == base or path.startswith(base.rstrip("/") + "/")) and (
            best is None or len(base) > len(best.split("?", 1)[0])
        ):
            best = href
    return best


@cache
def _fixed(script_root: str) -> dict[str, str]:
    return {key: url_for(endpoint, **args) for key, (endpoint, args) in FIXED.items()}


def nav_links(user) -> tuple[tuple[str, str], ...]:
    """(label, address) of the top bar's links that ``user``'s predicates allow."""
    return _nav(user.role, request.script_root)


def layout_urls() -> dict[str, str]:
    """The layout's stylesheet, script, home, jobs, tokens and logout addresses."""
    return _fixed(request.script_root)
