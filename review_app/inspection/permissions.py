"""Who may act in this area; the service, the views, the navigation and templates ask here."""

from ..auth.permissions import can_view_inspection, has_role, is_coordinator, require

REFUSAL = "只有省厅协调员可以管理抽查名单。"


def can_manage_inspections(user, obj=None) -> bool:
    """Whether ``user`` may 管理实地抽查名单 (省厅协调员 only)."""
    return is_coordinator(user)


def require_manage_inspections(user) -> None:
    """Raise PermissionDenied (with this area's message) unless ``can_manage_inspections(user)``."""
    require(can_manage_inspections(user), REFUSAL)


def can_view_inspections(user, inspection=None) -> bool:
    """实地抽查 pages: the coordinator (all) and inspectors (the inspections assigned to them)."""
    if not has_role(user, "inspector", "coordinator"):
        return False
    return inspection is None or can_view_inspection(user, inspection)


def can_record_inspection(user, inspection=None) -> bool:
    """Record checklist items, evidence and the verdict: the coordinator or an assigned
    inspector, until the verdict is recorded."""
    if inspection is None:
        return can_view_inspections(user)
    return can_view_inspections(user, inspection) and inspection.verdict is None


def can_assign_inspectors(user, inspection=None) -> bool:
    """指派 inspectors: the coordinator, until the verdict is recorded."""
    return can_manage_inspections(user) and (inspection is None or inspection.verdict is None)


def can_remove_inspection(user, inspection=None) -> bool:
    """移出 the sample: the coordinator, before any verdict, while the application is scored."""
    return can_manage_inspections(user) and (
        inspection is None
        or (inspection.verdict is None and inspection.application.state == "scored")
    )
