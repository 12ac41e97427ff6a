"""Who may read the panel's record and act in it; the views, the service, the navigation and
the templates ask here. An expert's rights on an object come from its own assignments (the
复议 thread of a section it reviews) and the panel's 组长 (the opinions of its panel)."""

from ..auth.permissions import has_role, is_coordinator, require
from ..scoring.permissions import can_view_score_breakdown
from . import roles


def can_read_comments(user, application=None) -> bool:
    """Every review's comments beside its scores (评分明细, 复议, the decision drill-down): the
    coordinator, as for the breakdown."""
    return can_view_score_breakdown(user, application)


def can_view_thread(user, flag=None) -> bool:
    """The 复议 discussion: the coordinator, and the experts assigned to the flagged section."""
    if is_coordinator(user):
        return True
    if not has_role(user, "expert"):
        return False
    return flag is None or roles.assigned_to_flag(user, flag)


def can_post_in_thread(user, flag=None) -> bool:
    """Post in the discussion while the flag is open (afterwards the thread is kept, read-only)."""
    return can_view_thread(user, flag) and (flag is None or flag.status == "open")


def can_manage_opinions(user, obj=None) -> bool:
    """专家组意见 status per application, setting a panel's 组长, the letter choice: the
    coordinator."""
    return is_coordinator(user)


def can_choose_letter(user, opinion=None) -> bool:
    """Put a signed opinion's problems into the result letter: the coordinator, once signed."""
    return is_coordinator(user) and (opinion is None or opinion.status == "signed")


def can_work_on_opinions(user, obj=None) -> bool:
    """我的专家组意见 (the 组长's drafts, the member's confirmations): an expert."""
    return has_role(user, "expert")


def can_view_opinion(user, opinion=None) -> bool:
    """Read one opinion: the coordinator, the panel's 组长 and the members who reviewed the
    application in that panel."""
    if is_coordinator(user):
        return True
    if not has_role(user, "expert"):
        return False
    return opinion is None or roles.is_lead(user, opinion) or roles.is_member(user, opinion)


def can_edit_opinion(user, opinion=None) -> bool:
    """Edit, circulate and sign: the panel's 组长, until it is signed."""
    if not has_role(user, "expert"):
        return False
    return opinion is None or (opinion.status != "signed" and roles.is_lead(user, opinion))


def can_sign_opinion(user, opinion=None) -> bool:
    """Sign off (签发): the 组长, once circulated."""
    return can_edit_opinion(user, opinion) and (opinion is None or opinion.status == "circulated")


def can_vote_opinion(user, opinion=None) -> bool:
    """Agree or object: a member who is not the 组长, while the opinion is circulated."""
    if not has_role(user, "expert"):
        return False
    if opinion is None:
        return True
    return (
        opinion.status == "circulated"
        and roles.is_member(user, opinion)
        and not roles.is_lead(user, opinion)
    )


def require_coordinator(user) -> None:
    require(is_coordinator(user), "只有省厅协调员可以执行此操作。")


def is_panel_lead(user, panel) -> bool:
    """``user`` is the 组长 of ``panel``."""
    if not has_role(user, "expert"):
        return False
    return roles.is_panel_lead(user, panel)


def can_download_summary(user, panel=None) -> bool:
    """A panel's 评审意见汇总表: the coordinator, and the panel's 组长."""
    if is_coordinator(user):
        return True
    return has_role(user, "expert") and (panel is None or roles.is_panel_lead(user, panel))


def can_sign_summary(user, panel=None) -> bool:
    """Sign the 汇总表: the panel's 组长."""
    return has_role(user, "expert") and (panel is None or roles.is_panel_lead(user, panel))


def can_sign_score_sheet(user, obj=None) -> bool:
    """Download and sign one's own 评分表: an expert."""
    return has_role(user, "expert")


def can_download_score_sheet(user, obj=None) -> bool:
    """An expert's 评分表 (.docx): the expert's own, or any for the coordinator (?expert=)."""
    return is_coordinator(user) or has_role(user, "expert")
