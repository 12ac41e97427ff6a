"""Who may manage the expert pool and who works as an expert; views, the API, the navigation
and templates ask here."""

from ..auth.permissions import has_role, is_coordinator


def can_manage_experts(user, obj=None) -> bool:
    """专家库 (list, import, edit): the coordinator only."""
    return is_coordinator(user)


def can_review(user, assignment=None) -> bool:
    """An expert's own pages (我的评审任务, its assignments and packets); with an assignment:
    only the expert's own."""
    if not has_role(user, "expert"):
        return False
    return assignment is None or (
        assignment.expert is not None and assignment.expert.user_id == user.id
    )
