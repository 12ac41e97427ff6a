"""会议评审 pages: the coordinator schedules the meeting (答辩 order drawn), records attendance,
opens the scoring, marks each 答辩 held; the expert signs in and scores each whole application on
one tablet-sized page (the identified application: no anonymisation in this mode)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..applications.catalogue import scored_sections
from ..auth.permissions import permission_required
from ..errors import DomainError
from ..experts.models import Expert, PanelMember
from ..extensions import db
from ..form_fields import ActionForm
from ..programs.models import TRACK_NAMES
from ..programs.selection import selected_program
from ..scoring.in_force import is_meeting_track
from ..web import act, commit_or_flash, posted, reads_only
from . import people, service
from .forms import AttendanceForm, ScheduleForm, entries_from, meeting_form_class
from .models import Meeting, MeetingSlot
from .permissions import (
    can_attend_meetings,
    can_manage_meetings,
    can_score_in_meeting,
    can_sign_in,
)
from .scoring import save_application, section_tasks

bp = Blueprint("meeting", __name__)


def _track_or_404(track: str) -> str:
    if track not in TRACK_NAMES:
        abort(404)
    return track


@bp.route("/meeting/<track>")
@reads_only
@permission_required(can_manage_meetings)
def track(track: str):
    program = selected_program()
    _track_or_404(track)
    return render_template(
        "meeting/track.html", track=track, form=ScheduleForm(),
        meeting_mode=is_meeting_track(track, program),
        meetings=service.meetings_of(program, track),
        waiting=service.waiting_applications(program, track),
    )  # fmt: skip


@bp.route("/meeting/<track>/schedule", methods=["POST"])
@permission_required(can_manage_meetings)
def schedule(track: str):
    program = selected_program()
    _track_or_404(track)

    def verb():
        form = posted(ScheduleForm)
        arrangement = service.Arrangement(
            form.held_on.data, form.start.data, form.minutes.data, form.place.data or "",
            form.video_link.data or "", form.seed.data or "",
        )  # fmt: skip
        return service.schedule(program, track, arrangement, current_user)

    done, meeting = commit_or_flash(verb, "答辩顺序已抽定，答辩通知已放入发件箱待审核发送。")
    if done:
        return redirect(url_for(".show", meeting_id=meeting.id))
    return redirect(url_for(".track", track=track))


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id) or abort(404)


@bp.route("/meeting/meetings/<int:meeting_id>")
@reads_only
@permission_required(can_manage_meetings)
def show(meeting_id: int):
    meeting = _meeting(meeting_id)
    present = {a.expert_id for a in meeting.attendance}
    members = db.session.execute(
        select(Expert).join(PanelMember, PanelMember.expert_id == Expert.id)
        .where(PanelMember.panel_id == meeting.panel_id).order_by(Expert.name)
    ).scalars().all()  # fmt: skip
    return render_template(
        "meeting/show.html", meeting=meeting, members=members, present=present,
        problems=service.verify(meeting), form=AttendanceForm(),
    )  # fmt: skip


@bp.route("/meeting/meetings/<int:meeting_id>/attendance", methods=["POST"])
@permission_required(can_manage_meetings)
def record_attendance(meeting_id: int):
    meeting = _meeting(meeting_id)

    def verb():
        form = posted(AttendanceForm)
        expert = db.session.get(Expert, form.expert_id.data)
        if expert is None:
            raise DomainError("未找到该专家。", code="not_found")
        return service.sign_in(meeting, expert, current_user)

    act(verb, "已登记签到。")
    return redirect(url_for(".show", meeting_id=meeting_id))


@bp.route("/meeting/meetings/<int:meeting_id>/open", methods=["POST"])
@permission_required(can_manage_meetings)
def open_scoring(meeting_id: int):
    meeting = _meeting(meeting_id)
    posted(ActionForm)  # the CSRF token only
    done, result = commit_or_flash(lambda: service.open_scoring(meeting, current_user))
    if done:
        opened, waiting = result
        flash(f"已开始评分：{opened}家。", "success")
        for code, why in waiting:
            flash(f"{code}暂不能开始评分：{why}", "warning")
    return redirect(url_for(".show", meeting_id=meeting_id))


@bp.route("/meeting/slots/<int:slot_id>/held", methods=["POST"])
@permission_required(can_manage_meetings)
def held(slot_id: int):
    slot = db.session.get(MeetingSlot, slot_id) or abort(404)
    posted(ActionForm)
    act(lambda: service.mark_held(slot, current_user), "已登记答辩。")
    return redirect(url_for(".show", meeting_id=slot.meeting_id))


@bp.route("/expert/meetings")
@reads_only
@permission_required(can_attend_meetings)
def mine():
    expert_id = people.expert_id_of(current_user)
    meetings = []
    if expert_id is not None:
        meetings = list(
            db.session.execute(
                select(Meeting).join(PanelMember, PanelMember.panel_id == Meeting.panel_id)
                .where(PanelMember.expert_id == expert_id)
                .order_by(Meeting.held_on, Meeting.id)
            ).scalars()
        )  # fmt: skip
    rows = []
    for meeting in meetings:
        attended = people.attendance_of(expert_id, meeting) is not None
        slots = [(s, people.tasks(expert_id, s.application_id)) for s in meeting.slots]
        rows.append((meeting, attended, slots))
    return render_template("meeting/mine.html", rows=rows, form=ActionForm())


@bp.route("/expert/meetings/<int:meeting_id>/sign-in", methods=["POST"])
@permission_required(can_attend_meetings)
def sign_in(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not can_sign_in(current_user, meeting):
        abort(403)
    posted(ActionForm)
    expert = db.session.get(Expert, people.expert_id_of(current_user))
    done, result = commit_or_flash(lambda: service.sign_in(meeting, expert, current_user))
    if done:
        flash(f"签到成功：您将为{len(result.assigned)}家申报评分。", "success")
        if result.conflicted:
            flash(
                f"与您存在利益冲突、不参与评分的申报：{'、'.join(result.conflicted)}。", "warning"
            )
    return redirect(url_for(".mine"))


@bp.route("/expert/meetings/slots/<int:slot_id>", methods=["GET", "POST"])
@reads_only
@permission_required(can_attend_meetings)
def score(slot_id: int):
    slot = db.session.get(MeetingSlot, slot_id) or abort(404)
    if not can_score_in_meeting(current_user, slot):
        abort(403)
    tasks = section_tasks(slot, people.expert_id_of(current_user))
    rubrics = tuple(t.rubric for t in tasks)
    form = meeting_form_class(rubrics)()
    status = 200
    if request.method == "GET":
        _fill(form, tasks)
    elif form.validate_on_submit():
        submit = form.action.data == "submit"
        entries = entries_from(form, rubrics)
        try:
            save_application(slot, entries, form.comment.data or "", submit=submit,
                             actor=current_user)  # fmt: skip
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            db.session.commit()
            flash("评分已提交并锁定。" if submit else "草稿已保存。", "success")
            return redirect(url_for(".mine") if submit else url_for(".score", slot_id=slot_id))
    else:
        status = 400
        flash("请改正标出的错误；已填写的内容已保留。", "error")
    app = slot.application
    sections = {s.key: s for s in app.sections}
    return render_template(
        "meeting/score.html", slot=slot, app=app, form=form, tasks=tasks, sections=sections,
        specs=scored_sections(app.track_code),
        locked=bool(tasks) and all(t.locked for t in tasks),
    ), status  # fmt: skip


def _fill(form, tasks) -> None:
    """The saved drafts into the form; the overall comment from the first section's review."""
    for t in tasks:
        if t.review is None:
            continue
        k = t.rubric.key.replace(".", "__")
        for s in t.review.scores:
            if hasattr(form, f"c_{k}_{s.criterion_code}"):
                getattr(form, f"c_{k}_{s.criterion_code}").data = s.points
                getattr(form, f"na_{k}_{s.criterion_code}").data = s.not_applicable
        if not form.comment.data:
            form.comment.data = t.review.comment
        elif t.review.comment != form.comment.data:
            getattr(form, f"note_{k}").data = t.review.comment
