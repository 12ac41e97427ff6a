"""Who may change an application's experts and decide conflicts, and when an expert may declare
one; the views, the services, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator
from ..experts.permissions import can_review
from ..workflow.states import STAFFING_STATES

# Assignments still open for the expert (回避 and 撤销 apply to them only).
OPEN_ASSIGNMENT_STATUSES = ("assigned", "reopened")
REFUSAL = "只有省厅协调员可以调整评审专家。"


def can_adjust_experts(user, application=None) -> bool:
    """调整评审专家: the coordinator, while the application is being staffed (or in general)."""
    return is_coordinator(user) and (application is None or application.state in STAFFING_STATES)


def can_remove_assignment(user, assignment=None) -> bool:
    """撤销 an expert's task: while staffing, before the expert submitted (or in general)."""
    if assignment is None:
        return can_adjust_experts(user)
    return (
        can_adjust_experts(user, assignment.application)
        and assignment.status in OPEN_ASSIGNMENT_STATUSES
    )


def can_settle_conflict(user, conflict=None) -> bool:
    """确认 or 排除 a detected conflict: the coordinator, while it is pending."""
    return is_coordinator(user) and (conflict is None or conflict.status == "pending")


def can_waive_conflict(user, conflict=None) -> bool:
    """豁免 a conflict: the coordinator, while it is pending or active (never a pinned one)."""
    return is_coordinator(user) and (conflict is None or conflict.status in ("active", "pending"))


def can_pin_conflict(user, conflict=None) -> bool:
    """锁定 a conflict: the coordinator, unless it is pinned already."""
    return is_coordinator(user) and (conflict is None or conflict.status != "pinned")


def can_declare_conflict(user, assignment=None) -> bool:
    """申报回避: the expert, on its own assignment that is still open (not submitted)."""
    return can_review(user, assignment) and (
        assignment is None or assignment.status in OPEN_ASSIGNMENT_STATUSES
    )
