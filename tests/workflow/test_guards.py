"""Each guard refuses with its Chinese reason and leaves the database unchanged."""

from datetime import datetime

import pytest
from sqlalchemy import select

from review_app.applications.catalogue import required_sections, scored_sections
from review_app.assignment.models import Assignment, Conflict
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.scoring.models import DispersionFlag, Review
from review_app.workflow.machine import TRANSITIONS, spec_for
from review_app.workflow.service import available_transitions, fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from .test_transitions import (
    REASON,
    Cast,
    actor_for,
    assert_refused_unchanged,
    build,
    now_for,
    prepare,
)

LAST_MINUTE = datetime(2026, 3, 27, 15, 59)  # 2026-03-27 23:59 in Beijing
MIDNIGHT = datetime(2026, 3, 27, 16, 0)  # 2026-03-28 00:00 in Beijing
PAST_DEADLINE = (
    "已过申报截止日期（2026年03月27日），不能再推荐、退回修改或重新提交；不予推荐的申报请撤回。"
)


def refused(app, trigger, actor, *, reason="", now=BEFORE_DEADLINE) -> str:
    """Fire expecting a guard's refusal; check nothing changed; return the Chinese message."""
    error = assert_refused_unchanged(
        app,
        DomainError,
        lambda: fire(app, trigger, actor, reason=reason, now=now),
        code="guard",
    )
    return error.message


# ----------------------------------------------------------------------------------------------
# Quota (附件3)


def test_quota_refuses_the_28th_zhengzhou_endorsement(app):
    actors = Cast()
    zhengzhou = f.prefecture("郑州市")
    assert current_program().quota_for(zhengzhou.id, "excellent") == 27
    applications = [f.application() for _ in range(28)]
    for application in applications[:27]:
        fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    assert sorted(a.priority_rank for a in applications[:27]) == list(range(1, 28))

    message = refused(applications[27], "endorse", actors.prefecture)
    assert message == (
        "郑州市卓越级智能工厂培育推荐名额为27家，已推荐27家，不能再推荐。请先撤回或退回其他推荐。"
    )
    assert applications[27].state == "submitted"

    # Another prefecture's quota is its own.
    luoyang = f.application(pref="洛阳市")
    fire(luoyang, "endorse", f.user("prefecture", prefecture="洛阳市"), now=BEFORE_DEADLINE)
    assert luoyang.state == "prefecture_endorsed"

    # Withdrawing an endorsed application frees its place.
    fire(applications[0], "withdraw", actors.prefecture, reason=REASON, now=BEFORE_DEADLINE)
    fire(applications[27], "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    assert applications[27].state == "prefecture_endorsed"


def test_returned_application_frees_its_quota_place(app):
    actors = Cast()
    quota = next(q for q in current_program().quotas if q.prefecture.name == "郑州市")
    quota.quota = 1
    first, second = f.application(), f.application()
    fire(first, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    message = refused(second, "endorse", actors.prefecture)
    assert "推荐名额为1家，已推荐1家" in message
    fire(first, "return", actors.coordinator, reason=REASON, now=BEFORE_DEADLINE)
    fire(second, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    assert (first.state, second.state) == ("returned", "prefecture_endorsed")


def test_rejected_application_keeps_its_quota_place(app):
    """A recommendation that failed the format check was still a recommendation."""
    actors = Cast()
    quota = next(q for q in current_program().quotas if q.prefecture.name == "郑州市")
    quota.quota = 1
    first, second = build("prefecture_endorsed", actors), f.application()
    fire(first, "fail_format_check", actors.coordinator, reason=REASON, now=AFTER_DEADLINE)
    assert first.state == "rejected"
    assert "推荐名额为1家，已推荐1家" in refused(second, "endorse", actors.prefecture)


def test_leading_track_has_no_quota(app):
    actors = Cast()
    assert current_program().quota_for(f.prefecture("郑州市").id, "leading") is None
    leading = [f.application(track="leading") for _ in range(28)]
    for application in leading:
        fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    assert {a.state for a in leading} == {"prefecture_endorsed"}


# ----------------------------------------------------------------------------------------------
# The deadline: 2026-03-27, a calendar day in Beijing time (UTC+8)

DEADLINE_CASES = [
    (BEFORE_DEADLINE, True),
    (LAST_MINUTE, True),
    (MIDNIGHT, False),
    (AFTER_DEADLINE, False),
]


@pytest.mark.parametrize(("moment", "allowed"), DEADLINE_CASES)
@pytest.mark.parametrize(
    ("trigger", "source", "role"),
    [
        ("resubmit", "returned", "prefecture"),
        ("return", "prefecture_endorsed", "coordinator"),
        ("return", "submitted", "prefecture"),
        ("endorse", "submitted", "prefecture"),
    ],
)
def test_return_and_resubmit_close_at_the_deadline(app, trigger, source, role, moment, allowed):
    actors = Cast()
    application = build(source, actors)
    actor = getattr(actors, role)
    if allowed:
        fire(application, trigger, actor, reason=REASON, now=moment)
        assert application.state == spec_for(trigger, source).dest
    else:
        assert refused(application, trigger, actor, reason=REASON, now=moment) == PAST_DEADLINE


@pytest.mark.parametrize(("moment", "allowed"), DEADLINE_CASES)
def test_fail_format_check_only_after_the_deadline(app, moment, allowed):
    actors = Cast()
    application = build("prefecture_endorsed", actors)
    if allowed:  # before the deadline: refused
        message = refused(
            application, "fail_format_check", actors.coordinator, reason=REASON, now=moment
        )
        assert message == (
            "申报截止日期（2026年03月27日）前请退回企业修改；截止后方可判定形式审查不通过。"
        )
    else:
        fire(application, "fail_format_check", actors.coordinator, reason=REASON, now=moment)
        assert application.state == "rejected"


def test_boundary_moments_are_the_beijing_day():
    from review_app.clock import china_date

    assert str(china_date(LAST_MINUTE)) == "2026-03-27"
    assert str(china_date(MIDNIGHT)) == "2026-03-28"


# ----------------------------------------------------------------------------------------------
# A reason must be typed where the table says so

NEEDS_REASON = [
    pytest.param(spec, id=f"{spec.trigger}-{spec.source[0]}")
    for spec in TRANSITIONS
    if spec.needs_reason
]


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "请填写理由。"), (" \n\t ", "请填写理由。"), ("理" * 2001, "理由不能超过2000字。")],
    ids=["empty", "blank", "too-long"],
)
@pytest.mark.parametrize("spec", NEEDS_REASON)
def test_reason_is_required(app, spec, reason, message):
    actors = Cast()
    application = build(spec.source[0], actors)
    prepare(application, spec.trigger, actors)
    actor = actor_for(sorted(spec.roles)[0], application, actors)
    now = now_for(spec.trigger)
    assert refused(application, spec.trigger, actor, reason=reason, now=now) == message


def test_reason_of_exactly_2000_characters_is_accepted(app):
    actors = Cast()
    application = f.application()
    fire(application, "withdraw", actors.coordinator, reason="理" * 2000, now=BEFORE_DEADLINE)
    assert application.state == "withdrawn"
    assert len(application.state_reason) == 2000


# ----------------------------------------------------------------------------------------------
# Format check (形式审查)


def _sections(track="excellent", **overrides):
    texts = {s.key: f"{s.title}的建设情况说明。" for s in required_sections(track)}
    for key, text in overrides.items():
        key = key.replace("__", ".")
        if text is None:
            texts.pop(key)
        else:
            texts[key] = text
    return texts


def test_required_sections_missing_or_blank(app):
    actors = Cast()
    application = f.application(sections=_sections(plan__goals=None, link__rnd="   "))
    f.advance(application, "prefecture_endorsed", actors)
    message = refused(application, "pass_format_check", actors.coordinator)
    assert message == "申报书缺少以下必填章节：研发设计、预期目标。"


def test_leading_application_lacks_the_leading_sections(app):
    actors = Cast()
    application = f.application(
        track="leading", sections=_sections("leading", scheme__measures=None)
    )
    f.advance(application, "prefecture_endorsed", actors)
    message = refused(application, "pass_format_check", actors.coordinator)
    assert message == "申报书缺少以下必填章节：实施举措。"


def test_leading_track_needs_the_national_title(app):
    actors = Cast()
    application = f.application(track="leading", national_excellent=False)
    f.advance(application, "prefecture_endorsed", actors)
    message = refused(application, "pass_format_check", actors.coordinator)
    assert message == "申报领航级智能工厂培育须已获得国家卓越级智能工厂称号。"


def test_blocking_problems_in_the_format_report(app):
    actors = Cast()
    application = build("prefecture_endorsed", actors)
    application.format_report = [
        {"code": "figures", "severity": "blocking", "field": "revenue", "message": "缺少2025年主营业务收入"},
        {"code": "length", "severity": "warning", "field": "profile", "message": "企业简介接近字数上限"},
        {"code": "uscc", "severity": "blocking", "field": "uscc", "message": "统一社会信用代码校验失败"},
    ]  # fmt: skip
    message = refused(application, "pass_format_check", actors.coordinator)
    assert message == (
        "形式审查报告中有未解决的阻断问题：缺少2025年主营业务收入；统一社会信用代码校验失败。"
    )
    assert "字数" not in message


def test_many_blocking_problems_are_summarised(app):
    actors = Cast()
    application = build("prefecture_endorsed", actors)
    application.format_report = [
        {"severity": "blocking", "message": f"问题{n}"} for n in range(1, 8)
    ]
    message = refused(application, "pass_format_check", actors.coordinator)
    assert message == "形式审查报告中有未解决的阻断问题：问题1；问题2；问题3；问题4；问题5等7项。"


def test_warnings_alone_do_not_block(app):
    actors = Cast()
    application = build("prefecture_endorsed", actors)
    application.format_report = [{"severity": "warning", "message": "企业简介接近字数上限"}]
    fire(application, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    assert application.state == "format_checked"


# ----------------------------------------------------------------------------------------------
# Expert assignment


def _assignments(application, section_key=None):
    query = select(Assignment).where(Assignment.application_id == application.id)
    if section_key:
        query = query.where(Assignment.section_id == application.section(section_key).id)
    return db.session.scalars(query.order_by(Assignment.id)).all()


def test_unstaffed_sections_are_named_with_counts(app):
    actors = Cast()
    application = build("format_checked", actors)
    f.staff(application, experts=actors.experts())
    _assignments(application, "link.rnd")[0].status = "declined_conflict"
    message = refused(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    assert message == "以下章节评审专家不足：研发设计（已分配2人，需3人）。"


def test_no_staff_at_all_lists_every_scored_section(app):
    actors = Cast()
    application = build("format_checked", actors)
    message = refused(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    titles = [s.title for s in scored_sections("excellent")]
    assert message == (
        "以下章节评审专家不足：" + "、".join(f"{t}（已分配0人，需3人）" for t in titles) + "。"
    )


def test_reviewers_per_section_follows_the_program_setting(app):
    actors = Cast()
    application = build("format_checked", actors)
    program = current_program()
    program.settings = {**program.settings, "reviewers_per_section": 2}
    f.staff(application, experts=actors.experts(), per_section=2)
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "expert_assigned"


def _conflict(application, assignment, status):
    conflict = Conflict(
        expert=assignment.expert,
        enterprise=application.enterprise,
        rule="same_employer",
        source="detected",
        evidence="专家工作单位为该企业",
        status=status,
    )
    db.session.add(conflict)
    db.session.flush()
    return conflict


@pytest.mark.parametrize("status", ["active", "pinned", "pending"])
def test_conflicted_reviewer_blocks_assignment(app, status):
    actors = Cast()
    application = build("format_checked", actors)
    f.staff(application, experts=actors.experts())
    assignment = _assignments(application, "link.factory")[1]
    _conflict(application, assignment, status)
    message = refused(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    assert message == f"以下专家与该企业存在利益冲突，须先调整分配：{assignment.expert.name}。"


@pytest.mark.parametrize("status", ["waived", "dismissed"])
def test_settled_conflict_does_not_block(app, status):
    actors = Cast()
    application = build("format_checked", actors)
    f.staff(application, experts=actors.experts())
    _conflict(application, _assignments(application)[0], status)
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "expert_assigned"


def test_conflict_of_another_enterprise_does_not_block(app):
    actors = Cast()
    application = build("format_checked", actors)
    other = f.application()
    f.staff(application, experts=actors.experts())
    _conflict(other, _assignments(application)[0], "active")
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "expert_assigned"


# ----------------------------------------------------------------------------------------------
# Scoring


def test_reviews_not_all_submitted(app):
    actors = Cast()
    application = build("expert_assigned", actors)
    total = 3 * len(scored_sections("excellent"))
    message = refused(application, "complete_scoring", actors.coordinator, now=AFTER_DEADLINE)
    assert message == f"还有{total}份评分未提交（共{total}份）。"

    f.submit_reviews(application)
    review = db.session.scalars(select(Review).order_by(Review.id)).first()
    review.status = "draft"
    message = refused(application, "complete_scoring", actors.coordinator, now=AFTER_DEADLINE)
    assert message == f"还有1份评分未提交（共{total}份）。"


def test_no_active_assignment_left(app):
    actors = Cast()
    application = build("expert_assigned", actors)
    for assignment in _assignments(application):
        assignment.status = "declined_conflict"
    message = refused(application, "complete_scoring", actors.coordinator, now=AFTER_DEADLINE)
    assert message == "该申报尚无评审分配。"


def _flag(application, status="open"):
    flag = DispersionFlag(
        application=application,
        section=application.section("link.production"),
        spread=25,
        threshold=15,
        status=status,
    )
    db.session.add(flag)
    db.session.flush()
    return flag


def test_open_dispersion_flag_blocks_completion(app):
    actors = Cast()
    application = build("expert_assigned", actors)
    f.submit_reviews(application)
    _flag(application)
    _flag(application, "consensus")
    message = refused(application, "complete_scoring", actors.coordinator, now=AFTER_DEADLINE)
    assert message == "有1个章节评分分歧过大待复议，须先重评或记录合议结论。"


@pytest.mark.parametrize("status", ["rescored", "consensus"])
def test_resolved_dispersion_flag_does_not_block(app, status):
    actors = Cast()
    application = build("expert_assigned", actors)
    f.submit_reviews(application)
    _flag(application, status)
    fire(application, "complete_scoring", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "scored"


# ----------------------------------------------------------------------------------------------
# Inspection (实地抽查) and decision


def test_inspection_needs_a_sample(app):
    actors = Cast()
    application = build("scored", actors)
    message = refused(application, "record_inspection", actors.coordinator, now=AFTER_DEADLINE)
    assert message == "该申报未被抽中实地核查。"


def test_inspection_needs_a_verdict(app):
    actors = Cast()
    application = build("scored", actors)
    f.sample_for_inspection(application, inspector_user=actors.inspector)
    message = refused(application, "record_inspection", actors.inspector, now=AFTER_DEADLINE)
    assert message == "请先记录实地抽查结论（属实、基本属实或不属实）。"


@pytest.mark.parametrize(
    ("trigger", "reason"), [("propose", ""), ("not_select", REASON)], ids=["propose", "not_select"]
)
def test_sampled_but_not_inspected_cannot_be_decided(app, trigger, reason):
    actors = Cast()
    application = build("scored", actors)
    f.sample_for_inspection(application, verdict="true")
    message = refused(application, trigger, actors.coordinator, reason=reason, now=AFTER_DEADLINE)
    assert message == "该申报已被抽中实地核查，须先记录抽查结论。"


def _inspected(actors, verdict):
    application = build("scored", actors)
    f.sample_for_inspection(application, verdict=verdict)
    fire(application, "record_inspection", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "spot_inspected"
    return application


def test_untrue_verdict_vetoes_admission(app):
    actors = Cast()
    application = _inspected(actors, "untrue")
    message = refused(application, "propose", actors.coordinator, now=AFTER_DEADLINE)
    assert message == "实地抽查结论为“不属实”，一票否决，不能入库。"
    fire(application, "not_select", actors.coordinator, reason=REASON, now=AFTER_DEADLINE)
    assert application.state == "not_selected"


@pytest.mark.parametrize("verdict", ["true", "mostly_true"])
def test_true_verdicts_allow_admission(app, verdict):
    actors = Cast()
    application = _inspected(actors, verdict)
    fire(application, "propose", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "proposed"


def test_capacity_full_refuses_admission(app):
    actors = Cast()
    current_program().track("excellent").capacity = 1
    first, second = build("scored", actors), build("scored", actors)
    leading = build("scored", actors, track="leading")
    fire(first, "propose", actors.coordinator, now=AFTER_DEADLINE)
    message = refused(second, "propose", actors.coordinator, now=AFTER_DEADLINE)
    assert message == "卓越级智能工厂培育入库名额为1家，已全部占用。"
    # Capacity is per track, and rejection needs no place.
    fire(leading, "propose", actors.coordinator, now=AFTER_DEADLINE)
    fire(second, "not_select", actors.coordinator, reason=REASON, now=AFTER_DEADLINE)
    assert (leading.state, second.state) == ("proposed", "not_selected")


# ----------------------------------------------------------------------------------------------
# What the page offers agrees with what firing does


def test_available_transitions_report_the_guard_refusals(app):
    actors = Cast()
    current_program().track("excellent").capacity = 0
    application = build("scored", actors)
    offered = {a.trigger: a for a in available_transitions(application, actors.coordinator)}
    assert set(offered) == {
        "reopen_scoring",
        "record_inspection",
        "propose",
        "not_select",
        "withdraw",
    }
    assert offered["propose"].refusal == "卓越级智能工厂培育入库名额为0家，已全部占用。"
    assert offered["record_inspection"].refusal == "该申报未被抽中实地核查。"
    assert offered["not_select"].refusal is None and offered["not_select"].needs_reason
    # A prefecture officer is offered only withdrawal here.
    by_prefecture = available_transitions(application, actors.prefecture)
    assert [a.trigger for a in by_prefecture] == ["withdraw"]
