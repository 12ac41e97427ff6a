"""Who may change an application's experts; the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator
from ..workflow.states import STAFFING_STATES


def can_adjust_experts(user, application=None) -> bool:
    """调整评审专家: the coordinator, while the application is being staffed (or in general)."""
    return is_coordinator(user) and (application is None or application.state in STAFFING_STATES)
