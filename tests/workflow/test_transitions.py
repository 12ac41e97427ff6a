"""Every transition of the table: the legal ones change the state, bump the version and write one
audit event; illegal ones and the wrong roles are refused with the database unchanged."""

import re

import pytest
from sqlalchemy import func, select

from review_app.applications.catalogue import scored_sections
from review_app.applications.models import Application
from review_app.audit.models import AuditEvent
from review_app.audit.service import verify
from review_app.auth.models import ROLES
from review_app.errors import DomainError, PermissionDenied
from review_app.experts.models import Expert
from review_app.extensions import db
from review_app.programs.models import TRACKS
from review_app.workflow.machine import (
    MACHINE,
    SYSTEM_ACTOR,
    SYSTEM_ROLE,
    TRANSITIONS,
    TRIGGERS,
    spec_for,
)
from review_app.workflow.service import fire
from review_app.workflow.states import FINAL_STATES, INITIAL_STATE, RESULT_STATES, STATE_NAMES

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from . import after_decision
from .after_decision import data_for

REASON = "材料不完整，请补充后重新提交。"
CJK = re.compile(r"[\u4e00-\u9fff]")

# The moment each trigger is fired at when its guards must pass (fail_format_check needs the
# deadline to have passed; return and resubmit need it not to have).
NOW = {"fail_format_check": AFTER_DEADLINE, "issue": AFTER_DEADLINE}

# How to reach each state from a fresh submission through real transitions: (trigger, role).
ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "submitted": (),
    "returned": (("return", "prefecture"),),
    "withdrawn": (("withdraw", "coordinator"),),
    "prefecture_endorsed": (("endorse", "prefecture"),),
}
ROUTES["format_checked"] = (*ROUTES["prefecture_endorsed"], ("pass_format_check", "coordinator"))
ROUTES["expert_assigned"] = (*ROUTES["format_checked"], ("assign", "coordinator"))
ROUTES["scored"] = (*ROUTES["expert_assigned"], ("complete_scoring", "coordinator"))
ROUTES["spot_inspected"] = (*ROUTES["scored"], ("record_inspection", "coordinator"))
ROUTES["proposed"] = (*ROUTES["scored"], ("propose", "coordinator"))
ROUTES["not_selected"] = (*ROUTES["scored"], ("not_select", "coordinator"))
ROUTES["in_publicity"] = (*ROUTES["proposed"], ("publish", "coordinator"))
ROUTES["revoked"] = (*ROUTES["in_publicity"], ("revoke", "coordinator"))
ROUTES["admitted"] = (*ROUTES["in_publicity"], ("issue", "coordinator"))
ROUTES["rejected"] = (*ROUTES["not_selected"], ("issue", "coordinator"))


class Cast(f.Actors):
    """One user per role (created lazily) and one pool of experts shared by the applications."""

    def __init__(self):
        super().__init__()
        self._experts: list[Expert] = []

    def experts(self) -> list[Expert]:
        if not self._experts:
            # Plain profiles without accounts: the guards only read assignments.
            need = 3 * max(len(scored_sections(t)) for t in TRACKS)
            self._experts = [
                Expert(name=f"专家{n}", employer=f"单位{n}") for n in range(1, need + 1)
            ]
            db.session.add_all(self._experts)
            db.session.flush()
        return self._experts


def now_for(trigger: str):
    return NOW.get(trigger, BEFORE_DEADLINE)


def prepare(app: Application, trigger: str, actors: Cast) -> None:
    """Make the data the trigger's guards ask for (staffing, reviews, an inspection verdict)."""
    if trigger == "assign":
        f.staff(app, experts=actors.experts())
    elif trigger == "complete_scoring":
        f.submit_reviews(app)
    elif trigger == "record_inspection":
        f.sample_for_inspection(app, inspector_user=actors.inspector, verdict="true")
    else:
        after_decision.prepare(app, trigger)


def actor_for(role: str, app: Application, actors: Cast):
    """A user of ``role`` within the application's scope (the system actor for its role)."""
    if role == SYSTEM_ROLE:
        return SYSTEM_ACTOR
    if role == "applicant":
        return f.user("applicant", enterprise_id=app.enterprise_id)
    return getattr(actors, role)


def step(app: Application, trigger: str, actor, actors: Cast) -> Application:
    prepare(app, trigger, actors)
    spec = spec_for(trigger, app.state)
    reason = REASON if spec and spec.needs_reason else ""
    return fire(app, trigger, actor, reason=reason, now=now_for(trigger), **data_for(trigger))


def build(state: str, actors: Cast, **fields) -> Application:
    """A fresh application walked to ``state`` through real transitions."""
    app = f.application(**fields)
    for trigger, role in ROUTES[state]:
        step(app, trigger, actor_for(role, app, actors), actors)
    assert app.state == state
    return app


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def snapshot(app: Application) -> dict:
    """What a refused transition must leave alone, read from the database (after autoflush)."""
    row = db.session.execute(
        select(
            Application.state,
            Application.version,
            Application.state_reason,
            Application.priority_rank,
            Application.submitted_at,
        ).where(Application.id == app.id)
    ).one()
    return {**row._asdict(), "audit_events": audit_count()}


def assert_refused_unchanged(app: Application, error_type, call, *, code=None) -> DomainError:
    """Commit the setup, run ``call`` expecting ``error_type``, and check that nothing changed,
    both in the open session (autoflushed) and after the rollback a request would do."""
    db.session.commit()
    before = snapshot(app)
    with pytest.raises(error_type) as info:
        call()
    error = info.value
    assert CJK.search(error.message), error.message
    if code is not None:
        assert error.code == code
    assert snapshot(app) == before
    db.session.rollback()
    assert snapshot(app) == before
    return error


# ----------------------------------------------------------------------------------------------
# Legal transitions


LEGAL = [
    pytest.param(spec, source, role, id=f"{spec.trigger}-{source}-{role}")
    for spec in TRANSITIONS
    for source in spec.source
    for role in sorted(spec.roles)
]


def test_the_table_covers_every_trigger_and_the_machine_agrees():
    assert {spec.trigger for spec in TRANSITIONS} == set(TRIGGERS)
    for spec in TRANSITIONS:
        assert spec.dest in STATE_NAMES
        # A final result changes only through a recorded 复核 (DESIGN.md section 10).
        if spec.trigger != "reconsider":
            assert set(spec.source) <= set(STATE_NAMES) - FINAL_STATES
        assert spec.roles and spec.roles <= {*ROLES, SYSTEM_ROLE}
        assert spec.label and CJK.search(spec.label)
        for source in spec.source:
            assert spec_for(spec.trigger, source) is spec
            dests = [t.dest for t in MACHINE.events[spec.trigger].transitions[source]]
            assert dests == [spec.dest]
    # No state is a dead end except the final ones.
    for state in set(STATE_NAMES) - FINAL_STATES:
        assert any(spec_for(t, state) for t in TRIGGERS), state
    assert set(ROUTES) == set(STATE_NAMES)


@pytest.mark.parametrize("state", list(STATE_NAMES))
def test_every_state_is_reachable_through_real_transitions(app, state):
    actors = Cast()
    application = build(state, actors)
    events = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "application", AuditEvent.object_id == str(application.id))
        .order_by(AuditEvent.id)
    ).all()
    assert events == ["application.submit"] + [f"application.{t}" for t, _ in ROUTES[state]]
    assert verify().ok


@pytest.mark.parametrize(("spec", "source", "role"), LEGAL)
def test_legal_transition(app, spec, source, role):
    actors = Cast()
    application = build(source, actors)
    prepare(application, spec.trigger, actors)
    actor = actor_for(role, application, actors)
    before = snapshot(application)
    last_id = db.session.scalar(select(func.max(AuditEvent.id)))
    reason = REASON if spec.needs_reason else ""

    result = fire(application, spec.trigger, actor, reason=reason, now=now_for(spec.trigger),
                  **data_for(spec.trigger))  # fmt: skip

    assert result is application
    assert application.state == spec.dest
    after = snapshot(application)
    assert after["state"] == spec.dest
    assert after["version"] > before["version"]
    assert after["audit_events"] == before["audit_events"] + 1
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last_id)).one()
    assert event.action == f"application.{spec.trigger}"
    assert (event.object_type, event.object_id) == ("application", str(application.id))
    assert event.before == {"state": source}
    assert event.after["state"] == spec.dest
    assert event.actor_id == actor.id
    assert event.reason == reason
    if spec.needs_reason:
        assert after["state_reason"] == REASON
    assert verify().ok


@pytest.mark.parametrize(
    ("spec", "source", "role"),
    [
        pytest.param(
            *case.values,
            id=case.id,
        )
        for case in LEGAL
        if case.values[2] == sorted(case.values[0].roles)[0]
    ],
)
def test_one_transition_is_one_row_update(app, spec, source, role):
    """The optimistic-lock version moves by exactly one per transition fired."""
    actors = Cast()
    application = build(source, actors)
    prepare(application, spec.trigger, actors)
    actor = actor_for(role, application, actors)
    version = snapshot(application)["version"]
    reason = REASON if spec.needs_reason else ""
    fire(application, spec.trigger, actor, reason=reason, now=now_for(spec.trigger),
         **data_for(spec.trigger))  # fmt: skip
    assert snapshot(application)["version"] == version + 1


def test_endorse_records_the_priority_rank_in_order(app):
    actors = Cast()
    first, second = f.application(), f.application()
    other_city = f.application(pref="洛阳市")
    fire(first, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    fire(second, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    fire(other_city, "endorse", f.user("prefecture", prefecture="洛阳市"), now=BEFORE_DEADLINE)
    assert (first.priority_rank, second.priority_rank, other_city.priority_rank) == (1, 2, 1)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.endorse").order_by(AuditEvent.id)
    ).all()[1]
    assert event.after == {"state": "prefecture_endorsed", "priority_rank": 2}


def test_re_endorsed_application_does_not_share_a_priority_rank(app):
    actors = Cast()
    first, second = f.application(), f.application()
    fire(first, "endorse", actors.prefecture, now=BEFORE_DEADLINE)  # rank 1
    fire(first, "return", actors.coordinator, reason=REASON, now=BEFORE_DEADLINE)
    fire(second, "endorse", actors.prefecture, now=BEFORE_DEADLINE)  # rank 1 again
    fire(first, "resubmit", actors.prefecture, now=BEFORE_DEADLINE)
    fire(first, "endorse", actors.prefecture, now=BEFORE_DEADLINE)  # keeps rank 1
    assert first.state == second.state == "prefecture_endorsed"
    assert first.priority_rank != second.priority_rank


def test_resubmit_clears_the_reason_and_stamps_the_time(app):
    actors = Cast()
    application = build("returned", actors)
    assert application.state_reason == REASON
    moment = BEFORE_DEADLINE.replace(hour=5)
    fire(application, "resubmit", actor_for("applicant", application, actors), now=moment)
    assert application.state == INITIAL_STATE
    assert application.state_reason == ""
    assert application.submitted_at == moment


def test_reason_is_stripped_before_it_is_stored(app):
    actors = Cast()
    application = f.application()
    fire(application, "withdraw", actors.coordinator, reason=f"  {REASON}\n", now=BEFORE_DEADLINE)
    assert snapshot(application)["state_reason"] == REASON
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert event.reason == REASON


# ----------------------------------------------------------------------------------------------
# Illegal transitions


ILLEGAL = [
    pytest.param(state, trigger, id=f"{trigger}-from-{state}")
    for state in STATE_NAMES
    for trigger in TRIGGERS
    if spec_for(trigger, state) is None
]


def _permitted_role(trigger: str) -> str:
    roles = set().union(*(s.roles for s in TRANSITIONS if s.trigger == trigger))
    return "coordinator" if "coordinator" in roles else "prefecture"


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(app, state, trigger):
    actors = Cast()
    application = build(state, actors)
    actor = actor_for(_permitted_role(trigger), application, actors)
    error = assert_refused_unchanged(
        application,
        DomainError,
        lambda: fire(application, trigger, actor, reason=REASON, now=now_for(trigger)),
        code="illegal_transition",
    )
    assert not isinstance(error, PermissionDenied)
    label = next(s.label for s in TRANSITIONS if s.trigger == trigger)
    assert error.message == f"申报当前状态为“{STATE_NAMES[state]}”，不能执行“{label}”。"


def test_every_final_state_refuses_every_trigger_but_a_recorded_reconsideration():
    for state in FINAL_STATES:
        allowed = {trigger for trigger in TRIGGERS if spec_for(trigger, state) is not None}
        assert allowed == ({"reconsider"} if state in RESULT_STATES else set())


def test_reconsideration_without_its_record_is_refused(app):
    actors = Cast()
    application = build("admitted", actors)
    error = assert_refused_unchanged(
        application, DomainError,
        lambda: fire(application, "reconsider", actors.coordinator, reason=REASON,
                     now=AFTER_DEADLINE, via_publicity=True),
        code="guard",
    )  # fmt: skip
    assert error.message == "复核须记录理由和审批记录。"


@pytest.mark.parametrize("trigger", ["publish", "issue"])
def test_publicity_triggers_fire_only_through_their_verbs(app, trigger):
    """From an application's page or the API these would skip the 公示 list or the notice."""
    actors = Cast()
    application = build("proposed" if trigger == "publish" else "in_publicity", actors)
    prepare(application, trigger, actors)
    error = assert_refused_unchanged(
        application, DomainError,
        lambda: fire(application, trigger, actors.coordinator, now=now_for(trigger)),
        code="guard",
    )  # fmt: skip
    assert "审定公示" in error.message


def test_unknown_trigger_is_an_illegal_transition(app):
    application = f.application()
    coordinator = Cast().coordinator
    error = assert_refused_unchanged(
        application,
        DomainError,
        lambda: fire(application, "approve_everything", coordinator, now=BEFORE_DEADLINE),
        code="illegal_transition",
    )
    assert "已提交" in error.message


# ----------------------------------------------------------------------------------------------
# Roles and scope


WRONG_ROLE = [
    pytest.param(spec, role, id=f"{spec.trigger}-{spec.source[0]}-{role}")
    for spec in TRANSITIONS
    for role in sorted(set(ROLES) - spec.roles)
]


@pytest.mark.parametrize(("spec", "role"), WRONG_ROLE)
def test_role_not_allowed_is_refused_with_403(app, spec, role):
    actors = Cast()
    source = spec.source[0]
    application = build(source, actors)
    prepare(application, spec.trigger, actors)
    actor = actor_for(role, application, actors)
    error = assert_refused_unchanged(
        application,
        PermissionDenied,
        lambda: fire(application, spec.trigger, actor, reason=REASON, now=now_for(spec.trigger)),
        code="forbidden",
    )
    assert error.status == 403
    assert error.message == f"您的角色不能执行“{spec.label}”。"


@pytest.mark.parametrize("trigger", ["endorse", "withdraw", "pass_format_check"])
def test_no_actor_is_refused(app, trigger):
    actors = Cast()
    application = build(spec_for_any_source(trigger), actors)
    error = assert_refused_unchanged(
        application,
        PermissionDenied,
        lambda: fire(application, trigger, None, reason=REASON, now=BEFORE_DEADLINE),
    )
    assert error.status == 403


def spec_for_any_source(trigger: str) -> str:
    return next(s.source[0] for s in TRANSITIONS if s.trigger == trigger)


PREFECTURE_ROWS = [
    pytest.param(spec, id=f"{spec.trigger}-{spec.source[0]}")
    for spec in TRANSITIONS
    if "prefecture" in spec.roles
]


@pytest.mark.parametrize("spec", PREFECTURE_ROWS)
def test_prefecture_officer_of_another_prefecture_is_refused(app, spec):
    actors = Cast()
    application = build(spec.source[0], actors)  # a 郑州市 application
    outsider = f.user("prefecture", prefecture="洛阳市")
    error = assert_refused_unchanged(
        application,
        PermissionDenied,
        lambda: fire(application, spec.trigger, outsider, reason=REASON, now=now_for(spec.trigger)),
    )
    assert error.status == 403
    assert error.message == "该申报不在您的管辖范围内。"
    # The officer of the application's own prefecture may fire it.
    fire(application, spec.trigger, actors.prefecture, reason=REASON, now=now_for(spec.trigger))
    assert application.state == spec.dest


@pytest.mark.parametrize(
    "spec",
    [pytest.param(s, id=s.trigger) for s in TRANSITIONS if "applicant" in s.roles],
)
def test_applicant_of_another_enterprise_is_refused(app, spec):
    actors = Cast()
    application = build(spec.source[0], actors)
    stranger = f.user("applicant", enterprise_id=f.application().enterprise_id)
    error = assert_refused_unchanged(
        application,
        PermissionDenied,
        lambda: fire(application, spec.trigger, stranger, reason=REASON, now=now_for(spec.trigger)),
    )
    assert error.message == "该申报不在您的管辖范围内。"


def test_inspector_not_on_the_inspection_is_refused(app):
    actors = Cast()
    application = build("scored", actors)
    f.sample_for_inspection(application, inspector_user=actors.inspector, verdict="true")
    outsider = f.user("inspector")
    error = assert_refused_unchanged(
        application,
        PermissionDenied,
        lambda: fire(application, "record_inspection", outsider, now=AFTER_DEADLINE),
    )
    assert error.message == "该申报不在您的管辖范围内。"
    fire(application, "record_inspection", actors.inspector, now=AFTER_DEADLINE)
    assert application.state == "spot_inspected"
