"""Who may schedule a 会议评审, record attendance, sign in and score in it; the views, the
service, the navigation and the templates ask here. In a meeting the experts see the identified
application (no anonymisation), so every expert predicate asks for the program's pledge and the
sign-in at the meeting."""

from ..auth.permissions import has_role, is_coordinator
from . import people


def can_manage_meetings(user, obj=None) -> bool:
    """会议评审 pages (schedule, order, attendance): the coordinator."""
    return is_coordinator(user)


def can_open_scoring(user, meeting=None) -> bool:
    """开始评分 (the applications staffed by the experts present go to expert_assigned): the
    coordinator, while an application of the meeting still waits for it."""
    if not is_coordinator(user):
        return False
    return meeting is None or any(s.application.state == "format_checked" for s in meeting.slots)


def can_mark_held(user, slot=None) -> bool:
    """登记已答辩: the coordinator, while the slot is still scheduled."""
    return is_coordinator(user) and (slot is None or slot.status == "scheduled")


def can_attend_meetings(user, obj=None) -> bool:
    """我的会议评审 (the meetings of the expert's panels): an expert."""
    return has_role(user, "expert")


def can_sign_in(user, meeting=None) -> bool:
    """签到: an expert of the meeting's panel who signed the program's pledge, once."""
    if not has_role(user, "expert"):
        return False
    if meeting is None:
        return True
    expert_id = people.expert_id_of(user)
    return (
        expert_id is not None
        and people.is_panel_member(expert_id, meeting)
        and people.has_pledged(expert_id, meeting.program_id)
        and people.attendance_of(expert_id, meeting) is None
    )


def can_score_in_meeting(user, slot=None) -> bool:
    """整体评分 of one application (its identified text shown): an expert who signed in at the
    slot's meeting, signed the pledge and holds the application's sections."""
    if not has_role(user, "expert"):
        return False
    if slot is None:
        return True
    expert_id = people.expert_id_of(user)
    meeting = slot.meeting
    return (
        expert_id is not None
        and people.attendance_of(expert_id, meeting) is not None
        and people.has_pledged(expert_id, meeting.program_id)
        and bool(people.tasks(expert_id, slot.application_id))
    )
