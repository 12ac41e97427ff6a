"""Who is who in a meeting (reads only): the panel's members, who signed in, who signed the
pledge, an expert's tasks on an application. The permissions and the verbs both ask here."""

from sqlalchemy import select

from ..assignment.models import ACTIVE_ASSIGNMENT_STATUSES, Assignment
from ..draws.models import Pledge
from ..experts.models import PanelMember
from ..experts.service import expert_of
from ..extensions import db
from .models import Attendance, Meeting, MeetingSlot


def is_panel_member(expert_id: int, meeting: Meeting) -> bool:
    return (
        db.session.execute(
            select(PanelMember.id).where(
                PanelMember.panel_id == meeting.panel_id, PanelMember.expert_id == expert_id
            )
        ).first()
        is not None
    )


def attendance_of(expert_id: int, meeting: Meeting) -> Attendance | None:
    return db.session.execute(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.expert_id == expert_id
        )
    ).scalar_one_or_none()


def has_pledged(expert_id: int, program_id: int) -> bool:
    """The expert signed the program's 保密与回避承诺 (it covers the identified applications)."""
    return (
        db.session.execute(
            select(Pledge.id).where(Pledge.expert_id == expert_id, Pledge.program_id == program_id)
        ).first()
        is not None
    )


def tasks(expert_id: int, application_id: int) -> list[Assignment]:
    """The expert's active assignments on the application (one per scored section), in
    assignment order."""
    return list(
        db.session.execute(
            select(Assignment)
            .where(
                Assignment.expert_id == expert_id,
                Assignment.application_id == application_id,
                Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES),
            )
            .order_by(Assignment.id)
        ).scalars()
    )


def expert_id_of(user) -> int | None:
    expert = expert_of(user) if getattr(user, "id", None) is not None else None
    return expert.id if expert is not None else None


def slot_of(application_id: int) -> MeetingSlot | None:
    """The application's 答辩 slot, if it has one."""
    return db.session.execute(
        select(MeetingSlot).where(MeetingSlot.application_id == application_id)
    ).scalar_one_or_none()
