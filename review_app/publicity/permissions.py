"""Who may act after the decision (审定, 公示, 异议, 递补, 正式发文, 复核); the service, the views,
the navigation and the templates ask here."""

from ..auth.permissions import has_role, is_coordinator, require
from ..workflow.states import RESULT_STATES

REFUSAL = "只有省厅协调员可以办理审定、公示、递补和正式发文。"
CHECKER_ROLES = ("coordinator", "inspector")


def can_manage_publicity(user, obj=None) -> bool:
    """审定, 公示, 递补, 正式发文, 复核 and the objections' register: 省厅协调员 only."""
    return is_coordinator(user)


def require_manage_publicity(user) -> None:
    require(can_manage_publicity(user), REFUSAL)


def is_checker(user, objection) -> bool:
    return (
        objection is not None
        and objection.checker_id is not None
        and getattr(user, "id", None) == objection.checker_id
        and has_role(user, *CHECKER_ROLES)
    )


def can_view_objections(user, obj=None) -> bool:
    """The objections page: coordinators (all) and inspectors (those assigned to them)."""
    return has_role(user, *CHECKER_ROLES)


def can_view_objection(user, objection) -> bool:
    """An objection and its files: the coordinators and its assigned checker only."""
    return is_coordinator(user) or is_checker(user, objection)


def can_accept_objection(user, objection) -> bool:
    """受理 or 不予受理: the coordinator, while the objection waits for it."""
    return is_coordinator(user) and objection is not None and objection.status == "received"


def can_assign_checker(user, objection) -> bool:
    """Assign (or change) the 核查 of an accepted objection: the coordinator."""
    return (
        is_coordinator(user)
        and objection is not None
        and objection.status in ("accepted", "checking")
    )


def can_record_findings(user, objection) -> bool:
    """Record the 核查 findings and files: the assigned checker, while checking."""
    return objection is not None and objection.status == "checking" and is_checker(user, objection)


def can_conclude_objection(user, objection) -> bool:
    """成立 or 不成立: the coordinator, once the checker recorded findings."""
    return (
        is_coordinator(user)
        and objection is not None
        and objection.status == "checking"
        and bool((objection.findings or "").strip())
    )


def can_reconsider(user, application=None) -> bool:
    """复核 of a final result: the coordinator, on an admitted or rejected application."""
    return is_coordinator(user) and (application is None or application.state in RESULT_STATES)
