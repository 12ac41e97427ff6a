"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator, require

REFUSAL = "只有省厅协调员可以抽取专家。"


def can_manage_draws(user, obj=None) -> bool:
    """Whether ``user`` may 抽取专家、管理专家邀请 (省厅协调员 only)."""
    return is_coordinator(user)


def require_manage_draws(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_manage_draws(user)``."""
    require(can_manage_draws(user), REFUSAL)
