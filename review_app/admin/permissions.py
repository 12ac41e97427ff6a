"""Who may administer users and read the audit chain; views, navigation and templates ask here."""

from ..auth.permissions import has_role


def can_manage_users(user, obj=None) -> bool:
    """用户管理: the administrator only."""
    return has_role(user, "admin")


def can_change_role(user, target=None) -> bool:
    """Change ``target``'s role: an administrator, never for itself nor for an applicant account."""
    if not can_manage_users(user):
        return False
    return target is None or (target.id != user.id and target.role != "applicant")


def can_verify_audit(user, obj=None) -> bool:
    """审计链 page (verify the chain): the administrator and the coordinator."""
    return has_role(user, "admin", "coordinator")


def can_read_audit_events(user, obj=None) -> bool:
    """The latest audit records with actors and reasons: the coordinator only."""
    return has_role(user, "coordinator")


def can_manage_account(user, target=None) -> bool:
    """重置密码, 停用 or 启用 ``target``: an administrator, never on its own account."""
    return can_manage_users(user) and (target is None or target.id != user.id)


def can_unlock_account(user, target=None) -> bool:
    """解除锁定: an administrator, for another account that is locked now (a lock whose time has
    passed no longer counts, ``User.is_locked``)."""
    return can_manage_account(user, target) and (target is None or target.is_locked)


def can_disable_account(user, target=None) -> bool:
    """停用: an administrator, for another account that is active."""
    return can_manage_account(user, target) and (target is None or target.is_active_account)


def can_enable_account(user, target=None) -> bool:
    """启用: an administrator, for another account that is disabled."""
    return can_manage_account(user, target) and (target is None or not target.is_active_account)
