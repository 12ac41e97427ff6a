"""会议评审 verbs: schedule a meeting (答辩 order drawn with a recorded seed, the enterprises
notified through the outbox), sign in (attendance; the expert gets every scored section of each
application it has no conflict with), open the scoring (the ``assign`` transition, through the
table), mark a 答辩 held. Each verb flushes and audits; the caller commits. Scoring the whole
application is in ``scoring.py``."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..applications.catalogue import scored_sections
from ..applications.models import Application
from ..assignment.conflict_service import blocking_pairs, detect_conflicts
from ..assignment.models import Assignment
from ..assignment.service import ensure_panels
from ..audit import service as audit
from ..auth.permissions import require
from ..clock import china_date, utcnow
from ..errors import InvalidInput
from ..experts.models import Expert, Panel
from ..extensions import db
from ..outbox import service as outbox
from ..programs.models import TRACK_NAMES, Program
from ..scoring.in_force import MEETING_PANEL_GROUP, is_meeting_track
from ..workflow.service import fire, refusal
from ..workflow.states import STAFFING_STATES
from . import people
from .models import Attendance, Meeting, MeetingSlot
from .order import draw_order, verify_order
from .permissions import can_manage_meetings, can_mark_held, can_open_scoring, can_sign_in

MIN_MINUTES, MAX_MINUTES = 5, 240


@dataclass(frozen=True)
class Arrangement:
    """What the coordinator types to schedule a meeting."""

    held_on: date
    start: time
    minutes: int
    place: str = ""
    video_link: str = ""
    seed: str = ""


def meeting_panel(program: Program, track: str, actor) -> Panel:
    """The track's 综合组 panel (built with the others when missing)."""
    panels = ensure_panels(program, actor)
    return next(
        p for p in panels if p.track_code == track and p.section_group == MEETING_PANEL_GROUP
    )


def waiting_applications(program: Program, track: str) -> list[Application]:
    """The track's format-checked applications that have no 答辩 slot yet (by id)."""
    slotted = select(MeetingSlot.application_id)
    return list(
        db.session.execute(
            select(Application)
            .where(
                Application.program_id == program.id,
                Application.track_code == track,
                Application.state == "format_checked",
                Application.id.not_in(slotted),
            )
            .order_by(Application.id)
        ).scalars()
    )


def meetings_of(program: Program, track: str | None = None) -> list[Meeting]:
    query = select(Meeting).where(Meeting.program_id == program.id)
    if track is not None:
        query = query.where(Meeting.track_code == track)
    return list(db.session.execute(query.order_by(Meeting.held_on, Meeting.id)).scalars())


def _checked(arrangement: Arrangement) -> Arrangement:
    place = (arrangement.place or "").strip()
    link = (arrangement.video_link or "").strip()
    problems = []
    if not place and not link:
        problems.append("请填写答辩地点或视频会议链接。")
    if len(place) > 200:
        problems.append("答辩地点不能超过200字。")
    if link and (len(link) > 300 or not link.startswith(("https://", "http://"))):
        problems.append("视频会议链接应以 https:// 或 http:// 开头，且不超过300个字符。")
    if not MIN_MINUTES <= (arrangement.minutes or 0) <= MAX_MINUTES:
        problems.append(f"每家答辩时长应在{MIN_MINUTES}–{MAX_MINUTES}分钟之间。")
    if not (arrangement.seed or "").strip() or len(arrangement.seed.strip()) > 100:
        problems.append("请填写抽签种子（现场宣读的数字或短语，不超过100个字符）。")
    if problems:
        raise InvalidInput("".join(problems))
    return Arrangement(arrangement.held_on, arrangement.start, arrangement.minutes, place, link,
                       arrangement.seed.strip())  # fmt: skip


def schedule(program: Program, track: str, arrangement: Arrangement, actor) -> Meeting:
    """Schedule a 会议评审 of ``track`` for every format-checked application without a slot:
    the 答辩 order is drawn with the seed (recorded with the hash of the list), each slot timed
    from the start, each enterprise's contact sent a 答辩通知 (outbox, for release)."""
    require(can_manage_meetings(actor), "只有省厅协调员可以安排会议评审。")
    if track not in TRACK_NAMES:
        raise InvalidInput("未知的申报类别。")
    if not is_meeting_track(track, program):
        raise InvalidInput(f"{TRACK_NAMES[track]}按章节分配专家评审，不安排会议评审。")
    arrangement = _checked(arrangement)
    apps = waiting_applications(program, track)
    if not apps:
        raise InvalidInput("没有待安排答辩的申报（须形式审查通过，且尚未安排答辩）。")
    drawn = draw_order([a.anon_code for a in apps], arrangement.seed)
    panel = meeting_panel(program, track, actor)
    meeting = Meeting(
        program_id=program.id, track_code=track, panel_id=panel.id,
        held_on=arrangement.held_on, place=arrangement.place, video_link=arrangement.video_link,
        seed=drawn.seed, input_hash=drawn.input_hash, order=list(drawn.order),
        created_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(meeting)
    by_code = {a.anon_code: a for a in apps}
    start = datetime.combine(arrangement.held_on, arrangement.start)
    for position, code in enumerate(drawn.order, start=1):
        meeting.slots.append(
            MeetingSlot(
                application_id=by_code[code].id, position=position, status="scheduled",
                minutes=arrangement.minutes,
                starts_at=start + timedelta(minutes=arrangement.minutes * (position - 1)),
            )
        )  # fmt: skip
    db.session.flush()
    for slot in meeting.slots:
        _notify(meeting, slot, by_code[slot.application.anon_code], len(apps))
    audit.record(
        "meeting.schedule", "meeting", meeting.id, actor=actor,
        after={"track": track, "held_on": arrangement.held_on.isoformat(), "seed": drawn.seed,
               "input_hash": drawn.input_hash, "order": list(drawn.order),
               "minutes": arrangement.minutes},
    )  # fmt: skip
    return meeting


def _notify(meeting: Meeting, slot: MeetingSlot, app: Application, total: int) -> None:
    enterprise = app.enterprise
    program = app.program
    outbox.compose(
        "defense_notice", key=f"defense_notice:{slot.id}", template="defense_notice",
        program=program, to_name=enterprise.contact_name or enterprise.name,
        to_address=enterprise.contact_email,
        context={"to_name": enterprise.contact_name or enterprise.name,
                 "enterprise_name": enterprise.name, "program_name": program.name,
                 "track_name": TRACK_NAMES[meeting.track_code],
                 "starts_at": f"{slot.starts_at:%Y年%m月%d日 %H:%M}", "minutes": slot.minutes,
                 "position": slot.position, "total": total, "place": meeting.place,
                 "video_link": meeting.video_link},
    )  # fmt: skip


def verify(meeting: Meeting) -> list[str]:
    """Recompute the recorded draw from the slots' codes and the seed (Chinese differences)."""
    codes = [s.application.anon_code for s in meeting.slots]
    return verify_order(codes, meeting.seed, meeting.input_hash, meeting.order)


@dataclass
class SignIn:
    attendance: Attendance
    assigned: list[str] = field(default_factory=list)  # codes of the applications it scores
    conflicted: list[str] = field(default_factory=list)  # codes it does not score (回避)


def sign_in(meeting: Meeting, expert: Expert, actor) -> SignIn:
    """签到: by the expert (its own) or recorded by the coordinator. Conflicts are checked on the
    identified applications (the detection run for this expert, then every blocking conflict);
    the expert gets every scored section of each application still being staffed that it has
    no conflict with."""
    coordinator = can_manage_meetings(actor)
    if not coordinator:
        require(
            can_sign_in(actor, meeting) and expert.user_id == actor.id,
            "只能由本组专家本人签到（须已签署保密与回避承诺）。",
        )
    if not people.is_panel_member(expert.id, meeting):
        raise InvalidInput(f"{expert.name}不是本次会议评审专家组的成员。")
    if not people.has_pledged(expert.id, meeting.program_id):
        raise InvalidInput(f"{expert.name}尚未签署本批次的保密与回避承诺，不能参加会议评审。")
    if people.attendance_of(expert.id, meeting) is not None:
        raise InvalidInput(f"{expert.name}已签到。")
    if china_date(utcnow()) < meeting.held_on:
        raise InvalidInput(f"会议评审定于{meeting.held_on:%Y年%m月%d日}，当天方可签到。")
    program = db.session.get(Program, meeting.program_id)
    detect_conflicts(program, actor, experts=[expert])
    blocked = {a for e, a in blocking_pairs(program) if e == expert.id}
    attendance = Attendance(
        meeting_id=meeting.id, expert_id=expert.id, signed_in_at=utcnow(),
        recorded_by_id=getattr(actor, "id", None) if coordinator else None,
    )  # fmt: skip
    db.session.add(attendance)
    result = SignIn(attendance)
    held = set(
        db.session.execute(
            select(Assignment.section_id).where(Assignment.expert_id == expert.id)
        ).scalars()
    )
    for slot in meeting.slots:
        app = slot.application
        if app.state not in STAFFING_STATES:
            continue
        if app.id in blocked:
            result.conflicted.append(app.anon_code)
            continue
        for spec in scored_sections(app.track_code):
            section = app.section(spec.key)
            if section is None or section.id in held:
                continue
            db.session.add(Assignment(
                application_id=app.id, section_id=section.id, expert_id=expert.id,
                panel_id=meeting.panel_id, status="assigned",
            ))  # fmt: skip
        result.assigned.append(app.anon_code)
    db.session.flush()
    audit.record(
        "meeting.sign_in", "meeting", meeting.id, actor=actor,
        after={"expert": expert.id, "applications": result.assigned,
               "conflicted": result.conflicted, "recorded_by_coordinator": coordinator},
    )  # fmt: skip
    return result


def open_scoring(meeting: Meeting, actor) -> tuple[int, list[tuple[str, str]]]:
    """开始评分: each application of the meeting still format-checked goes to expert_assigned
    through the transition table (its guards: every section staffed by the experts present, no
    conflicted reviewer). Returns (opened, [(code, reason not opened)])."""
    require(can_manage_meetings(actor), "只有省厅协调员可以开始会议评分。")
    if not can_open_scoring(actor, meeting):
        raise InvalidInput("本次会议的申报均已开始评分。")
    opened, waiting = 0, []
    for slot in meeting.slots:
        app = slot.application
        if app.state != "format_checked":
            continue
        why = refusal(app, "assign", actor)
        if why:
            waiting.append((app.anon_code, why))
            continue
        fire(app, "assign", actor)
        opened += 1
    if not opened:
        raise InvalidInput("没有可开始评分的申报：" + "；".join(f"{c}：{w}" for c, w in waiting))
    return opened, waiting


def mark_held(slot: MeetingSlot, actor) -> None:
    """The enterprise's 答辩 took place."""
    require(can_manage_meetings(actor), "只有省厅协调员可以登记答辩情况。")
    if not can_mark_held(actor, slot):
        raise InvalidInput("该答辩已登记。")
    slot.status = "held"
    db.session.flush()
    audit.record("meeting.held", "meeting", slot.meeting_id, actor=actor,
                 after={"application": slot.application_id, "position": slot.position})  # fmt: skip
