"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator, require

REFUSAL = "只有省厅协调员可以管理事件推送。"


def can_manage_webhooks(user, obj=None) -> bool:
    """Whether ``user`` may 管理 Webhook (省厅协调员 only)."""
    return is_coordinator(user)


def require_manage_webhooks(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_manage_webhooks(user)``."""
    require(can_manage_webhooks(user), REFUSAL)
