"""The stages after the decision against the database: confirm proposes, 审定 approves the
list (a changed list needs a new one), 公示 counts working days, objections are recorded and
decided, an upheld one revokes and 递补 fills the place, 正式发文 makes results final once."""

import io
from dataclasses import replace
from datetime import date, datetime

import docx
import pytest
from flask import current_app
from sqlalchemy import func, select, update

from review_app.applications.models import Application
from review_app.audit.models import AuditEvent
from review_app.decision import notices
from review_app.decision import service as decision
from review_app.errors import DomainError, InvalidInput
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from review_app.programs.service import current_program
from review_app.publicity import issue, objections, rules, service
from review_app.publicity.models import Approval, FinalIssue
from review_app.publicity.objections import Filing
from review_app.publicity.stage import stage_of
from review_app.publicity.uploads import Upload
from review_app.workflow.service import fire

from .. import factories as f
from ..security.world import client_as
from .helpers import after, approve, approve_and_publish, finalise, minutes

FRACTIONS = (0.9, 0.85, 0.8, 0.75, 0.7, 0.65)


@pytest.fixture()
def proposed(app):
    """Six scored applications of 卓越级; the top three proposed by a confirmed run."""
    actors = f.Actors()
    experts, apps = None, []
    for i, fraction in enumerate(FRACTIONS):
        a = f.application(pref=("郑州市", "洛阳市")[i % 2], name=f"公示测试企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=3)
    run = decision.stage(program, "excellent", params, actors.coordinator)
    decision.confirm(run, actors.coordinator)
    db.session.commit()
    return actors, apps, program


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_confirm_proposes_and_records_the_others_as_not_selected(proposed):
    _, apps, _ = proposed
    assert [a.state for a in apps] == ["proposed"] * 3 + ["not_selected"] * 3


def test_publicity_needs_an_approval_of_the_same_list(proposed):
    actors, apps, program = proposed
    with pytest.raises(DomainError, match="尚未审定"):
        service.publish(program, "excellent", start_on=date(2026, 3, 20), contact="",
                        actor=actors.coordinator)  # fmt: skip
    approval = approve(program, "excellent", actors.coordinator)
    assert approval.listed == [a.id for a in apps[:3]]
    assert len(approval.run_hash) == 64 and approval.minutes_sha256
    # the list changes after 审定 (one withdrawn): a new 审定 is needed
    fire(apps[2], "withdraw", actors.coordinator, reason="企业申请撤回")
    with pytest.raises(DomainError, match="重新审定"):
        service.publish(program, "excellent", start_on=date(2026, 3, 20), contact="",
                        actor=actors.coordinator)  # fmt: skip
    approve(program, "excellent", actors.coordinator)
    period = service.publish(program, "excellent", start_on=date(2026, 3, 20), contact="",
                             actor=actors.coordinator)  # fmt: skip
    assert {a.state for a in apps[:2]} == {"in_publicity"}
    assert period.kind == "initial" and period.contact == service.DEFAULT_CONTACT


def test_publish_checks_each_application_against_the_list_it_checked(proposed):
    actors, apps, program = proposed
    approval = approve(program, "excellent", actors.coordinator)
    db.session.commit()
    other = rules.CheckedList(approval.id, frozenset(a.id for a in apps[1:3]))
    with pytest.raises(DomainError, match="不在最近一次审定的拟入库名单中"):
        fire(apps[0], "publish", actors.coordinator, via_publicity=True, checked_list=other)
    db.session.rollback()
    assert apps[0].state == "proposed"


def test_a_list_changed_while_publishing_refuses_the_whole_publicity(proposed, monkeypatch):
    actors, apps, program = proposed
    approve(program, "excellent", actors.coordinator)
    db.session.commit()
    before = audit_count()
    real_fire = service.fire

    def fire_and_change(application, *args, **kwargs):
        # as if another session proposed one more application while the list is published
        db.session.execute(
            update(Application).where(Application.id == apps[3].id).values(state="proposed")
        )
        return real_fire(application, *args, **kwargs)

    monkeypatch.setattr(service, "fire", fire_and_change)
    with pytest.raises(DomainError, match="重新审定"):
        service.publish(program, "excellent", start_on=date(2026, 3, 20), contact="",
                        actor=actors.coordinator)  # fmt: skip
    db.session.rollback()
    assert [a.state for a in apps] == ["proposed"] * 3 + ["not_selected"] * 3
    assert audit_count() == before and service.periods(program) == []


def test_publicity_period_counts_working_days_with_holidays(proposed):
    actors, _, program = proposed
    approve(program, "excellent", actors.coordinator)
    # Thursday 2 April 2026: 清明节 (4–6 April) is skipped: 2, 3, 7, 8, 9 April.
    period = service.publish(program, "excellent", start_on=date(2026, 4, 2), contact="电话",
                             actor=actors.coordinator)  # fmt: skip
    assert period.end_on == date(2026, 4, 9) and period.working_days == 5
    assert "清明节" in period.explanation


def test_a_setting_changes_the_days_and_adds_holidays(proposed):
    actors, _, program = proposed
    program.settings = {
        **(program.settings or {}),
        "publicity": {"working_days": 7, "extra_holidays": ["2026-03-23"]},
    }
    approve(program, "excellent", actors.coordinator)
    period = service.publish(program, "excellent", start_on=date(2026, 3, 20), contact="x",
                             actor=actors.coordinator)  # fmt: skip
    # 20 (Fri), 24, 25, 26, 27, 30, 31 March: the 23rd is the extra holiday
    assert period.end_on == date(2026, 3, 31) and "补充节假日" in period.explanation


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("meeting_kind", "lunch", "meeting_kind"), ("meeting_date", None, "meeting_date"),
     ("attendees", "  ", "attendees"), ("minutes", None, "minutes"),
     ("minutes", Upload("纪要.pdf", b"MZ\x90\x00hostile"), "file_kind"),
     ("minutes", Upload("纪要.docx", b"%PDF-1.4 pretending"), "file_mismatch"),
     ("minutes", Upload("纪要.docx", b"PK\x03\x04not a real zip"), "file_unreadable")],
)  # fmt: skip
def test_bad_approval_input_is_refused_and_nothing_is_written(proposed, field, value, code):
    actors, _, program = proposed
    before = audit_count()
    kwargs = dict(meeting_kind="special", meeting_date=date(2026, 3, 19), attendees="处长",
                  minutes=minutes())  # fmt: skip
    kwargs[field] = value
    with pytest.raises(InvalidInput) as err:
        service.record_approval(program, "excellent", actor=actors.coordinator, **kwargs)
    assert err.value.code == code
    db.session.rollback()
    assert audit_count() == before and db.session.scalar(select(func.count(Approval.id))) == 0


def test_only_the_coordinator_approves_and_publishes(proposed):
    actors, _, program = proposed
    with pytest.raises(DomainError, match="只有省厅协调员"):
        approve(program, "excellent", actors.inspector)


def _filing(app, **kw) -> Filing:
    base = dict(name="张三", unit="某公司", phone="13800000000", email="zhang@example.com",
                application_id=app.id, content="该企业申报数据与实际不符。")  # fmt: skip
    return Filing(**{**base, **kw})


def test_objections_outside_the_rules_are_recorded_as_not_accepted(proposed):
    actors, apps, program = proposed
    period = approve_and_publish(program, "excellent", actors.coordinator, date(2026, 3, 20))
    inside = datetime(2026, 3, 20, 3, 0)
    anonymous, _ = objections.file_public(period, _filing(apps[0], name=""), [], inside)
    late, _ = objections.file_public(period, _filing(apps[0]), [], after(period))
    unlisted, _ = objections.file_public(period, _filing(apps[4]), [], inside)
    hostile, notes = objections.file_public(
        period, _filing(apps[0]), [Upload("证据.pdf", b"<script>alert(1)</script>")], inside
    )
    assert (anonymous.status, anonymous.decision_reason) == ("not_accepted", objections.ANONYMOUS)
    assert (late.status, late.decision_reason) == ("not_accepted", objections.OUT_OF_PERIOD)
    assert (unlisted.status, unlisted.decision_reason) == ("not_accepted", objections.NOT_LISTED)
    assert hostile.status == "received" and hostile.files == [] and "不是PDF" in notes[0]


def test_an_upheld_objection_revokes_and_the_next_one_is_backfilled(proposed):
    actors, apps, program = proposed
    period = approve_and_publish(program, "excellent", actors.coordinator, date(2026, 3, 20))
    o, _ = objections.file_public(period, _filing(apps[1]), [Upload("证据.pdf", minutes().data)],
                                  datetime(2026, 3, 21, 3, 0))  # fmt: skip
    assert o.status == "received" and len(o.files) == 1
    # issuing with the objection open is refused, naming it
    with pytest.raises(DomainError, match=f"第{o.id}号异议"):
        issue.issue(program, doc_number="豫工信装〔2026〕3号", addressees="", copied_to="",
                    actor=actors.coordinator, now=after(period))  # fmt: skip
    objections.accept(o, actors.coordinator)
    checker = f.user("inspector", prefecture="开封市")
    objections.assign_checker(o, checker.id, actors.coordinator)
    with pytest.raises(DomainError, match="核查人"):
        objections.conclude(o, True, "属实", actors.coordinator)
    objections.record_findings(o, "经核实，企业数据造假。", [], checker)
    objections.conclude(o, True, "核查属实，申报数据与实际不符。", actors.coordinator)
    assert o.status == "upheld" and apps[1].state == "revoked"
    entry = decision.entry_for(apps[1])
    assert "撤销拟入库" in entry.explanation and f"第{o.id}号异议" in entry.explanation
    reply = db.session.execute(select(OutboxMessage)).scalar_one()
    assert reply.kind == "objection_reply" and reply.to_address == "zhang@example.com"
    # 递补: the best-ranked below the cut line
    entry, why = rules.next_eligible(program.id, "excellent")
    assert entry.application_id == apps[3].id and "第4位" in why
    assert issue.backfill(program, "excellent", "异议成立后递补", actors.coordinator) == apps[3]
    assert apps[3].state == "proposed" and [a.state for a in apps[4:]] == ["not_selected"] * 2
    with pytest.raises(DomainError, match="尚未审定公示"):
        issue.issue(program, doc_number="豫工信装〔2026〕3号", addressees="", copied_to="",
                    actor=actors.coordinator, now=after(period))  # fmt: skip
    second = approve_and_publish(program, "excellent", actors.coordinator, date(2026, 3, 30))
    assert second.kind == "backfill" and [a.id for a in service.listed_applications(second)] == [
        apps[3].id
    ]
    with pytest.raises(DomainError, match="尚未结束"):
        issue.issue(program, doc_number="豫工信装〔2026〕3号", addressees="", copied_to="",
                    actor=actors.coordinator, now=after(period))  # fmt: skip
    record = issue.issue(program, doc_number="豫工信装〔2026〕3号", addressees="", copied_to="",
                         actor=actors.coordinator, now=after(second))  # fmt: skip
    assert [a.state for a in apps] == ["admitted", "rejected", "admitted", "admitted",
                                       "rejected", "rejected"]  # fmt: skip
    assert record.summary == {"excellent": 3, "leading": 0}
    # a second 正式发文 does nothing
    events = audit_count()
    assert issue.issue(program, doc_number="豫工信装〔2026〕4号", addressees="", copied_to="",
                       actor=actors.coordinator, now=after(second)) is None  # fmt: skip
    assert audit_count() == events and db.session.scalar(select(func.count(FinalIssue.id))) == 1


def test_letters_wait_for_the_issue(proposed):
    actors, _, program = proposed
    with pytest.raises(DomainError, match="尚未正式发文"):
        notices.generate(program, actors.coordinator)
    finalise(program, actors.coordinator)
    made = notices.notices(program)
    assert len(made) == 2 and {n.status for n in made} == {"draft"}
    letter = docx.Document(io.BytesIO(made[0].data))  # GB/T 9704: the red 发文机关标志 first
    mark = letter.paragraphs[0].runs[0]
    assert mark.text == "河南省工业和信息化厅" and str(mark.font.color.rgb) == "FF0000"
    assert notices.release(made[0], actors.coordinator) is True


def test_reconsideration_changes_a_final_result_only_with_a_record(proposed):
    actors, apps, program = proposed
    finalise(program, actors.coordinator)
    db.session.commit()
    assert apps[0].state == "admitted"
    with pytest.raises(DomainError, match="审批记录"):
        issue.reconsider(
            apps[0], reason="复核发现问题", approval_record="", actor=actors.coordinator
        )
    db.session.rollback()
    record = issue.reconsider(apps[0], reason="复核发现问题", approval_record="厅长办公会2026年第5次",
                              actor=actors.coordinator)  # fmt: skip
    assert apps[0].state == "rejected" and record.from_state == "admitted"
    assert "复核改为不予入库" in decision.entry_for(apps[0]).explanation
    # the place is free again: 复核 back to admitted is allowed once more
    issue.reconsider(
        apps[0], reason="再次复核", approval_record="党组会决定", actor=actors.coordinator
    )
    assert apps[0].state == "admitted"


def test_the_stage_says_what_is_left(proposed, client):
    actors, apps, program = proposed
    assert stage_of(program).name == "待审定、公示" and stage_of(program).awaiting_approval == 3
    period = approve_and_publish(program, "excellent", actors.coordinator, date(2026, 3, 20))
    objections.file_public(period, _filing(apps[0]), [], datetime(2026, 3, 20, 3, 0))
    now = stage_of(program)
    assert now.name == "公示中" and now.open_objections == 1
    assert now.running == [("excellent", "拟入库名单公示", date(2026, 3, 26), 7)]
    db.session.commit()
    page = client_as(current_app._get_current_object(), actors.coordinator.username)
    body = page.get("/dashboard/").get_data(as_text=True)
    assert "决定之后：公示中" in body and "未办结异议" in body
    assert stage_of(program, after(period)).name == "待正式发文"
