"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import has_role, is_coordinator, require

REFUSAL = "只有省厅协调员可以抽取专家。"


def can_manage_draws(user, obj=None) -> bool:
    """Whether ``user`` may 抽取专家、管理专家邀请 (省厅协调员 only)."""
    return is_coordinator(user)


def require_manage_draws(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_manage_draws(user)``."""
    require(can_manage_draws(user), REFUSAL)


def can_answer_invitation(user, invitation=None) -> bool:
    """答复 an invitation: the expert, while it is pending (the service also checks it is the
    expert's own and not past its deadline)."""
    return has_role(user, "expert") and (invitation is None or invitation.status == "pending")


def can_sign_pledge(user, obj=None) -> bool:
    """保密与回避承诺 (and 评审邀请): the expert."""
    return has_role(user, "expert")
