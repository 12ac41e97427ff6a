"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator, require

REFUSAL = "只有省厅协调员可以管理发件箱。"


def can_manage_outbox(user, obj=None) -> bool:
    """Whether ``user`` may 管理发件箱 (省厅协调员 only)."""
    return is_coordinator(user)


def require_manage_outbox(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_manage_outbox(user)``."""
    require(can_manage_outbox(user), REFUSAL)


# Messages that may still be cancelled (not sent, not cancelled already).
CANCELLABLE_STATUSES = ("draft", "released", "failed", "uncertain")
RESENDABLE_STATUSES = ("failed", "uncertain")


def can_release_message(user, message=None) -> bool:
    """发出 a draft: the coordinator."""
    return can_manage_outbox(user) and (message is None or message.status == "draft")


def can_resend_message(user, message=None) -> bool:
    """重新发送 a failed or uncertain message: the coordinator."""
    return can_manage_outbox(user) and (message is None or message.status in RESENDABLE_STATUSES)


def can_cancel_message(user, message=None) -> bool:
    """取消 a message not yet sent: the coordinator."""
    return can_manage_outbox(user) and (message is None or message.status in CANCELLABLE_STATUSES)
