"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import has_role, is_coordinator, require

REFUSAL = "只有省厅协调员可以作出入库决定。"


def can_decide(user, obj=None) -> bool:
    """Whether ``user`` may 作出入库决定 (省厅协调员 only)."""
    return is_coordinator(user)


def require_decide(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_decide(user)``."""
    require(can_decide(user), REFUSAL)


def can_view_notices(user, obj=None) -> bool:
    """The 结果通知 page: the coordinator, and prefectures (their released notices only)."""
    return has_role(user, "coordinator", "prefecture")


def can_release_notices(user, obj=None) -> bool:
    """Generate, check and release the prefectures' result notices, and their result sheets."""
    return is_coordinator(user)


def can_release_notice(user, notice=None) -> bool:
    """发出 one result notice: the coordinator, while it is a draft."""
    return can_release_notices(user) and (notice is None or notice.status == "draft")


def can_download_notice(user, notice) -> bool:
    """Download a result notice: the coordinator any; a prefecture its own once released."""
    if can_release_notices(user):
        return True
    return (
        has_role(user, "prefecture")
        and notice.prefecture_id == user.prefecture_id
        and notice.status == "released"
    )
