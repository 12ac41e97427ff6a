"""Who may see what of the scoring; the views, the navigation and templates ask here."""

from ..auth.permissions import is_coordinator
from ..workflow.states import REVIEWED_STATES


def can_view_score_breakdown(user, application=None) -> bool:
    """评分明细: the coordinator, once an application's scoring has started (or in general)."""
    return is_coordinator(user) and (application is None or application.state in REVIEWED_STATES)
