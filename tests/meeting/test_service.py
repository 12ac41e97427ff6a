"""会议评审 end to end through the verbs: schedule (order drawn, enterprises notified), sign in
(attendance; conflicts checked on the identified application), open the scoring through the
transition table, whole-application scoring, aggregation and 复议, the 组长's opinion; and the
refusals, each leaving the database unchanged."""

import pytest
from sqlalchemy import func, select

from review_app.applications.catalogue import scored_sections
from review_app.assignment import service as assignment
from review_app.assignment.models import Assignment, Conflict
from review_app.errors import DomainError, InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.meeting import service
from review_app.meeting.models import Attendance, Meeting, MeetingSlot
from review_app.meeting.scoring import save_application
from review_app.outbox.models import OutboxMessage
from review_app.panel import opinions, roles
from review_app.programs.service import current_program
from review_app.scoring import service as scoring
from review_app.scoring.models import DispersionFlag, Review

from .. import factories as f
from .world import arrangement, build, sheet, under_way


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _state() -> tuple:
    return tuple(_count(m) for m in (Meeting, MeetingSlot, Attendance, Assignment, Review,
                                     OutboxMessage, Conflict))  # fmt: skip


def test_schedule_draws_the_order_with_the_seed_and_notifies_each_enterprise(app):
    w = build(app)
    meeting = service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    db.session.commit()
    assert [s.position for s in meeting.slots] == [1, 2, 3]
    assert [s.application.anon_code for s in meeting.slots] == meeting.order
    assert sorted(meeting.order) == sorted(a.anon_code for a in w.apps)
    assert [s.starts_at.strftime("%H:%M") for s in meeting.slots] == ["09:00", "09:30", "10:00"]
    assert service.verify(meeting) == []
    messages = db.session.execute(select(OutboxMessage)).scalars().all()
    assert {m.kind for m in messages} == {"defense_notice"} and len(messages) == 3
    by_address = {m.to_address: m for m in messages}
    first = meeting.slots[0]
    mail = by_address[first.application.enterprise.contact_email]
    assert "答辩时间" in mail.body and "第1位" in mail.body and "省工信厅第一会议室" in mail.body
    assert mail.status == "draft"  # the coordinator releases it from the outbox
    # The same seed over the same list draws the same order (recomputable from the record).
    again = service.draw_order(meeting.order, "20260402")
    assert list(again.order) == meeting.order


@pytest.mark.parametrize(
    ("track", "changes", "message"),
    [
        ("excellent", {}, "按章节分配专家评审"),
        ("leading", {"place": "", "video_link": ""}, "答辩地点或视频会议链接"),
        ("leading", {"video_link": "javascript:alert(1)"}, "https://"),
        ("leading", {"minutes": 2}, "答辩时长"),
        ("leading", {"seed": "  "}, "抽签种子"),
    ],
)
def test_schedule_refusals_change_nothing(app, track, changes, message):
    w = build(app)
    before = _state()
    with pytest.raises(InvalidInput, match=message):
        service.schedule(current_program(), track, arrangement(**changes), w.actors.coordinator)
    db.session.rollback()
    assert _state() == before


def test_only_the_coordinator_schedules_and_an_application_defends_once(app):
    w = build(app)
    with pytest.raises(PermissionDenied):
        service.schedule(current_program(), "leading", arrangement(), w.experts[0].user)
    service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    db.session.commit()
    before = _state()
    with pytest.raises(InvalidInput, match="没有待安排答辩的申报"):
        service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    db.session.rollback()
    assert _state() == before


def test_sign_in_assigns_every_section_of_each_application_without_a_conflict(app):
    w = build(app)
    # An expert employed by the first enterprise: detected at sign-in on the identified text.
    w.experts[0].employer = w.apps[0].enterprise.name
    db.session.commit()
    meeting = service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    result = service.sign_in(meeting, w.experts[0], w.experts[0].user)
    db.session.commit()
    assert result.conflicted == [w.apps[0].anon_code]
    assert sorted(result.assigned) == sorted(a.anon_code for a in w.apps[1:])
    rows = (
        db.session.execute(select(Assignment).where(Assignment.expert_id == w.experts[0].id))
        .scalars()
        .all()
    )
    n_sections = len(scored_sections("leading"))
    assert len(rows) == 2 * n_sections  # every scored section of the two other applications
    assert {r.application_id for r in rows} == {w.apps[1].id, w.apps[2].id}
    assert db.session.execute(
        select(Conflict).where(Conflict.expert_id == w.experts[0].id,
                               Conflict.enterprise_id == w.apps[0].enterprise_id)
    ).scalar_one().rule == "same_employer"  # fmt: skip


def test_sign_in_refusals_change_nothing(app):
    w = build(app)
    unpledged = f.expert(pledge=False)
    outsider = f.expert()
    assignment.set_members(
        w.panel, [e.id for e in w.experts] + [unpledged.id], w.actors.coordinator
    )
    meeting = service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    service.sign_in(meeting, w.experts[1], w.actors.coordinator)  # recorded by the coordinator
    db.session.commit()
    cases = [
        (unpledged, w.actors.coordinator, InvalidInput, "保密与回避承诺"),
        (outsider, w.actors.coordinator, InvalidInput, "不是本次会议评审专家组的成员"),
        (w.experts[1], w.actors.coordinator, InvalidInput, "已签到"),
        (w.experts[2], w.experts[3].user, PermissionDenied, "本人签到"),  # another's sign-in
    ]
    for expert, actor, error, message in cases:
        before = _state()
        with pytest.raises(error, match=message):
            service.sign_in(meeting, expert, actor)
        db.session.rollback()
        assert _state() == before
    meeting.held_on = meeting.held_on.replace(year=meeting.held_on.year + 1)
    db.session.commit()
    before = _state()
    with pytest.raises(InvalidInput, match="当天方可签到"):
        service.sign_in(meeting, w.experts[2], w.experts[2].user)
    db.session.rollback()
    assert _state() == before


def test_open_scoring_needs_the_quorum_and_goes_through_the_table(app):
    w = build(app)
    meeting = service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    for expert in w.experts[:2]:  # two present: each section needs three
        service.sign_in(meeting, expert, expert.user)
    db.session.commit()
    with pytest.raises(InvalidInput, match="评审专家不足"):
        service.open_scoring(meeting, w.actors.coordinator)
    db.session.rollback()
    assert {a.state for a in w.apps} == {"format_checked"}
    service.sign_in(meeting, w.experts[2], w.experts[2].user)
    opened, waiting = service.open_scoring(meeting, w.actors.coordinator)
    db.session.commit()
    assert (opened, waiting) == (3, [])
    # The applications were never anonymised: the meeting track skips that requirement.
    assert {a.state for a in w.apps} == {"expert_assigned"}
    assert all(s.anonymised_text is None for a in w.apps for s in a.sections)


def test_a_meeting_track_end_to_end(app):
    """Four experts present score the three applications as wholes; one disagrees widely on
    one application: 复议 (consensus) and the application completes; the 组长 drafts the
    group's opinion from the meeting's reviews; the scores aggregate as for section review."""
    w, meeting = under_way(app)
    service.open_scoring(meeting, w.actors.coordinator)
    for slot in meeting.slots:
        service.mark_held(slot, w.actors.coordinator)
    db.session.commit()
    fractions = {w.apps[0].id: 0.9, w.apps[1].id: 0.7, w.apps[2].id: 0.8}
    for slot in meeting.slots:
        application = slot.application
        for n, expert in enumerate(w.experts):
            fraction = fractions[application.id]
            if application.id == w.apps[2].id and n == 3:
                fraction = 0.3  # far from the others
            saved = save_application(slot, sheet(application, fraction), "答辩清楚，数据翔实，建议进一步量化成效。",
                                     submit=True, actor=expert.user)  # fmt: skip
            db.session.commit()
            assert saved == len(scored_sections("leading"))
    states = {a.id: a.state for a in w.apps}
    assert states[w.apps[0].id] == states[w.apps[1].id] == "scored"
    assert states[w.apps[2].id] == "expert_assigned"  # its 复议 is open
    flags = db.session.execute(select(DispersionFlag)).scalars().all()
    assert flags and {fl.application_id for fl in flags} == {w.apps[2].id}
    for flag in flags:
        scoring.resolve_flag(flag, "consensus", "经会议合议维持评分", [], w.actors.coordinator)
    db.session.commit()
    assert w.apps[2].state == "scored"
    # Aggregation as for section review: four reviews per section, the weighted score.
    first = scoring.application_breakdown(w.apps[0])
    assert round(first["score"].score, 1) == 90.0
    assert all(len(s["rows"]) == 4 for s in first["sections"])
    assert round(scoring.application_breakdown(w.apps[1])["score"].score, 1) == 70.0
    # The 组长 records the group's opinion; the members are the experts who scored.
    opinions.set_lead(w.panel, w.experts[0], w.actors.coordinator)
    opinion = opinions.start(w.apps[0], w.panel, w.experts[0].user)
    db.session.commit()
    assert "建议进一步量化成效" in opinion.recommendation
    assert sorted(roles.member_ids(w.apps[0], w.panel)) == sorted(e.id for e in w.experts)
    link_panel = roles.panel_of(w.apps[0], "link.factory")
    assert roles.member_ids(w.apps[0], link_panel) == []  # the meeting's panel holds it alone
    assert meeting.slots[0].status == "held"


def test_whole_application_sheet_is_saved_at_once_or_not_at_all(app):
    w, meeting = under_way(app)
    service.open_scoring(meeting, w.actors.coordinator)
    db.session.commit()
    slot = meeting.slots[0]
    expert = w.experts[0]
    entries = sheet(slot.application, 0.8)
    last = scored_sections("leading")[-1].key
    values, note = entries[last]
    entries[last] = ({**values, next(iter(values)): (None, False)}, note)  # one criterion left out
    before = _state()
    with pytest.raises(InvalidInput, match="未保存任何评分"):
        save_application(slot, entries, "答辩清楚，数据翔实，建议进一步量化成效。", submit=True,
                         actor=expert.user)  # fmt: skip
    db.session.rollback()
    assert _state() == before
    # A draft keeps what is typed; then the full sheet submits and locks every section.
    assert save_application(slot, entries, "", submit=False, actor=expert.user) > 0
    db.session.commit()
    save_application(slot, sheet(slot.application, 0.8), "答辩清楚，数据翔实，建议进一步量化成效。",
                     submit=True, actor=expert.user)  # fmt: skip
    db.session.commit()
    with pytest.raises(InvalidInput, match="均已提交并锁定"):
        save_application(slot, sheet(slot.application, 0.5), "x" * 20, submit=True,
                         actor=expert.user)  # fmt: skip
    db.session.rollback()


def test_who_may_score_a_slot(app):
    w, meeting = under_way(app, n_present=3)
    slot = meeting.slots[0]
    absent = w.experts[3]
    with pytest.raises(InvalidInput, match="尚未开始评分"):
        save_application(slot, sheet(slot.application, 0.8), "x" * 20, submit=True,
                         actor=w.experts[0].user)  # fmt: skip
    db.session.rollback()
    service.open_scoring(meeting, w.actors.coordinator)
    db.session.commit()
    for actor in (absent.user, w.actors.coordinator):
        before = _state()
        with pytest.raises(DomainError):
            save_application(slot, sheet(slot.application, 0.8), "x" * 20, submit=True,
                             actor=actor)  # fmt: skip
        db.session.rollback()
        assert _state() == before


def test_section_mode_keeps_one_section_per_application_and_the_solver_skips_meeting_tracks(app):
    actors = f.Actors()
    a = f.application()
    f.advance(a, "format_checked", actors)
    e = f.expert()
    specs = scored_sections("excellent")
    assignment.manual_assign(a.section(specs[0].key), e, actors.coordinator)
    with pytest.raises(InvalidInput, match="每位专家每个申报只评一个章节"):
        assignment.manual_assign(a.section(specs[1].key), e, actors.coordinator)
    db.session.rollback()
    with pytest.raises(InvalidInput, match="采用会议评审"):
        assignment.preview(current_program(), "leading", seed=1)


def test_a_declared_conflict_in_a_meeting_declines_the_whole_application_without_replacement(app):
    w, meeting = under_way(app)
    service.open_scoring(meeting, w.actors.coordinator)
    db.session.commit()
    expert, application = w.experts[0], meeting.slots[0].application
    task = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id,
                                 Assignment.application_id == application.id).limit(1)
    ).scalar_one()  # fmt: skip
    before = _count(Assignment)
    created = assignment.declare_and_reassign(task, "曾为该企业提供咨询服务", expert.user)
    db.session.commit()
    assert created is None and _count(Assignment) == before  # nobody brought in
    statuses = set(
        db.session.execute(
            select(Assignment.status).where(Assignment.expert_id == expert.id,
                                            Assignment.application_id == application.id)
        ).scalars()
    )  # fmt: skip
    assert statuses == {"declined_conflict"}
    # The three others present still score it; the application completes without the fourth.
    for other in w.experts[1:]:
        save_application(meeting.slots[0], sheet(application, 0.8), "答辩清楚，数据翔实，建议进一步量化成效。",
                         submit=True, actor=other.user)  # fmt: skip
        db.session.commit()
    assert application.state == "scored"
