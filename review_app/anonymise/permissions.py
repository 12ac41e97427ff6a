"""Who may run and see the anonymisation; the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator
from ..workflow.states import STAFFING_STATES


def can_see_anonymisation_status(user, obj=None) -> bool:
    """The per-section 匿名化 tags (confirmed, leaking, to confirm): the coordinator only."""
    return is_coordinator(user)


def can_anonymise(user, application=None) -> bool:
    """匿名化: the coordinator, while the application is being staffed (or in general)."""
    return is_coordinator(user) and (application is None or application.state in STAFFING_STATES)
