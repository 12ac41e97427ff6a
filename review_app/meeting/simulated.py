"""会议评审 for generated data (``review-app simulate``), through the verbs the pages use: each
meeting-mode track with format-checked applications gets a meeting on the simulation's day (the
答辩 order drawn with the run's seed, the notices in the outbox), part of its 综合组 panel signs
in, the coordinator opens the scoring and marks each 答辩 held, and every expert present scores
each application it holds on the whole-application sheet."""

import random
from collections.abc import Callable
from datetime import time

from sqlalchemy import func, select

from ..applications.catalogue import scored_sections
from ..assignment.models import Assignment
from ..clock import china_date, utcnow
from ..extensions import db
from ..programs.models import TRACK_NAMES, Program
from ..scoring.in_force import is_meeting_track
from ..scoring.models import Review
from ..scoring.service import rubric_for
from . import people, service
from .models import Attendance, Meeting, MeetingSlot
from .scoring import save_application

PRESENT = 9  # experts of the 综合组 panel at the meeting
PLACE = "河南省工业和信息化厅第一会议室"
COMMENT = "答辩陈述清楚，建设成效有数据支撑，建议进一步量化投入产出并加强数据贯通。"


def hold(program: Program, track: str, coordinator, seed, rng: random.Random,
         present: int = PRESENT) -> tuple[Meeting, list]:  # fmt: skip
    """Schedule the track's meeting today (the 答辩 order drawn with ``seed``), sign in
    ``present`` members of its panel (drawn with ``rng``) and open the scoring. Returns the
    meeting and the experts present."""
    arrangement = service.Arrangement(china_date(utcnow()), time(9, 0), 30, PLACE, "", f"{seed}")
    meeting = service.schedule(program, track, arrangement, coordinator)
    members = sorted((m.expert for m in meeting.panel.members), key=lambda e: e.id)
    chosen = sorted(rng.sample(members, min(present, len(members))), key=lambda e: e.id)
    for expert in chosen:
        service.sign_in(meeting, expert, expert.user)
    service.open_scoring(meeting, coordinator)
    return meeting, chosen


def run(program: Program, coordinator, seed: int, rng: random.Random,
        quality: Callable[[int, int], float]) -> dict:  # fmt: skip
    """Hold the meetings; ``quality(application_id, expert_id)``: the fraction of each
    criterion's maximum that expert gives that application (before noise). Returns counts."""
    for track in TRACK_NAMES:
        if not is_meeting_track(track, program):
            continue
        if not service.waiting_applications(program, track):
            continue
        meeting, present = hold(program, track, coordinator, seed, rng)
        rubric = rubric_for(track, program)
        for slot in meeting.slots:
            service.mark_held(slot, coordinator)
            app = slot.application
            if app.state != "expert_assigned":
                continue
            for expert in present:
                if not people.tasks(expert.id, app.id):
                    continue  # 回避: a conflict with the enterprise
                q = quality(app.id, expert.id)
                entries = {}
                for spec in scored_sections(app.track_code):
                    values = {}
                    for c in rubric.section(spec.key).criteria:
                        fraction = min(1.0, max(0.0, q + rng.gauss(0, 0.05)))
                        values[c.code] = (round(fraction * c.max * 2) / 2, False)
                    entries[spec.key] = (values, "")
                save_application(slot, entries, COMMENT, submit=True, actor=expert.user)
    return counts(program)


def counts(program: Program) -> dict:
    """slots, attended (sign-ins) and reviews (submitted sections) of the program's meetings."""
    in_program = select(Meeting.id).where(Meeting.program_id == program.id)
    slotted = select(MeetingSlot.application_id).where(MeetingSlot.meeting_id.in_(in_program))
    return {
        "meetings": db.session.scalar(
            select(func.count(Meeting.id)).where(Meeting.program_id == program.id)
        ),
        "slots": db.session.scalar(
            select(func.count(MeetingSlot.id)).where(MeetingSlot.meeting_id.in_(in_program))
        ),
        "attended": db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.meeting_id.in_(in_program))
        ),
        "reviews": db.session.scalar(
            select(func.count(Review.id))
            .join(Assignment, Assignment.id == Review.assignment_id)
            .where(Assignment.application_id.in_(slotted), Review.status == "submitted")
        ),
    }
