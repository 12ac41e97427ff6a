"""The 会议评审 part of the security world: a 领航级 application of 郑州市 with its 答辩 slot in a
meeting where the world's expert (a member of the track's 综合组 panel) has signed in, and a
second meeting of that panel (no slots yet) where the expert has not."""

from datetime import time

from review_app.assignment.service import set_members
from review_app.clock import china_date, utcnow
from review_app.extensions import db
from review_app.meeting import service
from review_app.meeting.models import Meeting
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE


def add(program, coordinator, officer, my_expert) -> tuple[dict, dict]:
    """(url arguments: meeting_id, slot_id), (targets: the meeting to sign in to)."""
    leading = f.application(track="leading", pref="郑州市", name="本市测试领航重工有限公司")
    fire(leading, "endorse", officer, now=BEFORE_DEADLINE)
    fire(leading, "pass_format_check", coordinator, now=BEFORE_DEADLINE)
    panel = service.meeting_panel(program, "leading", coordinator)
    set_members(panel, [my_expert.id], coordinator)
    today = china_date(utcnow())
    meeting = service.schedule(
        program, "leading",
        service.Arrangement(today, time(9, 0), 30, "第一会议室", "", "1"), coordinator,
    )  # fmt: skip
    service.sign_in(meeting, my_expert, my_expert.user)
    later = Meeting(program_id=program.id, track_code="leading", panel_id=panel.id,
                    held_on=today, place="第二会议室", seed="2", input_hash="0" * 64, order=[],
                    created_by_id=coordinator.id)  # fmt: skip
    db.session.add(later)
    db.session.flush()
    return {"meeting_id": meeting.id, "slot_id": meeting.slots[0].id}, {"meeting_later": later.id}
