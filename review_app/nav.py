"""The layout's links: built once per role (and script root) instead of on every page.

``url_for`` is the costliest part of rendering ``base.html``; the links do not depend on the
request beyond the script root, so each role's list is built once per process."""

from functools import cache

from flask import request, url_for

# (roles that see the link, label, endpoint, endpoint arguments), in the top bar's order.
NAV = (
    (
        ("coordinator", "prefecture", "expert", "inspector", "applicant", "admin"),
        "工作台",
        "dashboard.home",
        {},
    ),
    (("prefecture",), "本地市申报", "intake.index", {}),
    (("coordinator", "prefecture", "applicant", "inspector"), "申报列表", "applications.index", {}),
    (("coordinator",), "形式审查", "intake.format_queue", {}),
    (("coordinator",), "匿名化", "anonymise.index", {}),
    (("coordinator",), "专家库", "experts_admin.index", {}),
    (("coordinator",), "专家抽取", "draws.index", {}),
    (("coordinator",), "专家分配", "assignment.auto", {"track": "excellent"}),
    (("coordinator",), "评分进度", "scoring.progress", {}),
    (("coordinator",), "评分分析", "dashboard.analysis", {}),
    (("expert",), "我的评审任务", "expert.assignments", {}),
    (("expert",), "评审邀请", "draws.invitations", {}),
    (("expert",), "保密与回避承诺", "draws.pledge", {}),
    (("inspector", "coordinator"), "实地抽查", "inspection.index", {}),
    (("coordinator",), "入库决定", "decision.track", {"track": "excellent"}),
    (("coordinator", "prefecture"), "结果通知", "decision.notice_list", {}),
    (("coordinator",), "发件箱", "outbox.index", {}),
    (("coordinator",), "Webhook", "webhooks.index", {}),
    (("admin",), "用户管理", "admin.users", {}),
    (("admin", "coordinator"), "审计链", "admin.audit", {}),
)

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
    return tuple((label, url_for(endpoint, **args)) for roles, label, endpoint, args in NAV
                 if role in roles)  # fmt: skip


@cache
def _fixed(script_root: str) -> dict[str, str]:
    return {key: url_for(endpoint, **args) for key, (endpoint, args) in FIXED.items()}


def nav_links(role: str) -> tuple[tuple[str, str], ...]:
    """(label, address) of the top bar's links for ``role``."""
    return _nav(role, request.script_root)


def layout_urls() -> dict[str, str]:
    """The layout's stylesheet, script, home, jobs, tokens and logout addresses."""
    return _fixed(request.script_root)
