"""Who may correct an application's declared fields (修改申报信息), and when.

One predicate for the service, the views and the templates (registered as the Jinja global
``can_edit_application``), so the 修改 button shows exactly when the edit is allowed:

* a prefecture officer: its own applications while 已提交 or 已退回;
* the coordinator: any application that is not final (入库、未入库、已撤回).

Edits of identifying fields after anonymisation are allowed in these states: they re-run the
redaction and put confirmed sections back to unconfirmed (see anonymise/service.py).
"""

from ..applications.models import Application
from ..auth.permissions import can_view_application, has_role, is_coordinator
from ..workflow.states import BEFORE_ENDORSEMENT_STATES, FINAL_STATES

# States in which the prefecture may still replace or correct what the enterprise submitted.
EDITABLE_STATES = BEFORE_ENDORSEMENT_STATES
EDIT_ROLES = ("prefecture", "coordinator")


def can_recommend(user, obj=None) -> bool:
    """本地市申报 (upload, priority order, endorsement, 附件2 import): a prefecture officer."""
    return has_role(user, "prefecture")


def can_review_format(user, obj=None) -> bool:
    """形式审查 queue: the coordinator."""
    return is_coordinator(user)


def can_export_summary(user, obj=None) -> bool:
    """附件2 汇总表: a prefecture officer (its own) and the coordinator (any, or all)."""
    return has_role(user, "prefecture", "coordinator")


def edit_refusal(user, application: Application | None) -> str | None:
    """Why ``user`` may not correct ``application`` now (Chinese), or None when allowed; without
    an application, whether the role may correct applications at all."""
    if not has_role(user, *EDIT_ROLES):
        return "您没有修改该申报的权限。"
    if application is None:
        return None
    if not can_view_application(user, application):
        return "您没有修改该申报的权限。"
    if application.state in FINAL_STATES:
        return "已结束的申报不能修改。"
    if has_role(user, "prefecture") and application.state not in EDITABLE_STATES:
        return "只有“已提交”或“已退回”的申报可以修改。"
    return None


def can_edit_application(user, application: Application | None = None) -> bool:
    """Whether the 修改 button shows and the edit is accepted."""
    return edit_refusal(user, application) is None


def can_recheck_format(user, application: Application | None = None) -> bool:
    """重新检查 the format report: a prefecture officer or the coordinator who sees the application."""
    if not has_role(user, *EDIT_ROLES):
        return False
    return application is None or can_view_application(user, application)


def can_download_template(user, obj=None) -> bool:
    """The 空白申报书 buttons on the application list (enterprises and the coordinator)."""
    return has_role(user, "applicant", "coordinator")
