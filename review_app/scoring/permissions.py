"""Who may score, see and correct the scoring; the views, the service, the navigation and
templates ask here."""

from ..auth.permissions import is_coordinator
from ..experts.permissions import can_review
from ..workflow.states import REOPENABLE_STATES, REVIEWED_STATES


def can_view_score_breakdown(user, application=None) -> bool:
    """评分明细: the coordinator, once an application's scoring has started (or in general)."""
    return is_coordinator(user) and (application is None or application.state in REVIEWED_STATES)


def can_score(user, assignment=None) -> bool:
    """打分 on the form: the expert, on its own assignment."""
    return can_review(user, assignment)


def can_enter_scores(user, assignment=None) -> bool:
    """Save scores (the form or the 评分表 sheet): the expert on its own assignments, and the
    coordinator entering a sheet for an expert."""
    return is_coordinator(user) or can_review(user, assignment)


def can_view_scoring_progress(user, obj=None) -> bool:
    """评分进度: the coordinator."""
    return is_coordinator(user)


def can_resolve_flag(user, flag=None) -> bool:
    """复议 (rescore or consensus): the coordinator, while the flag is open."""
    return is_coordinator(user) and (flag is None or flag.status == "open")


def can_reopen_review(user, review=None) -> bool:
    """重新开放 a submitted review: the coordinator, before the application moves past scoring."""
    if not is_coordinator(user):
        return False
    if review is None:
        return True
    return review.status == "submitted" and review.assignment.application.state in REOPENABLE_STATES
