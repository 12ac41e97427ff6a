"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator, require

REFUSAL = "只有省厅协调员可以管理发件箱。"


def can_manage_outbox(user, obj=None) -> bool:
    """Whether ``user`` may 管理发件箱 (省厅协调员 only)."""
    return is_coordinator(user)


def require_manage_outbox(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_manage_outbox(user)``."""
    require(can_manage_outbox(user), REFUSAL)
