"""Scoring completes through the machine as the system actor that the transition table names
(not as a fake coordinator); the scoring service asks the machine whether completion is allowed
instead of restating the guards of complete_scoring."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from review_app.assignment.models import Assignment
from review_app.audit.models import AuditEvent
from review_app.audit.service import verify
from review_app.errors import PermissionDenied
from review_app.extensions import db
from review_app.scoring import service as scoring
from review_app.scoring.models import Review
from review_app.workflow.machine import SYSTEM_ACTOR, SYSTEM_ROLE, TRANSITIONS, spec_for
from review_app.workflow.service import fire, refusal

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE


def _assigned(actors: f.Actors):
    """An application with experts assigned and no review in yet."""
    application = f.application()
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    fire(application, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    f.staff(application)
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    return application


def _assignments(application):
    return db.session.scalars(
        select(Assignment).where(Assignment.application_id == application.id)
    ).all()


def _events(application, action):
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == str(application.id),
            AuditEvent.action == action,
        )
    ).all()


def _audit_count():
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_the_table_names_the_system_actor_only_where_transitions_happen_by_themselves():
    rows = [t.trigger for t in TRANSITIONS if SYSTEM_ROLE in t.roles]
    assert rows == ["complete_scoring"]
    assert spec_for("complete_scoring", "expert_assigned").roles == {"coordinator", SYSTEM_ROLE}
    assert SYSTEM_ACTOR.role == SYSTEM_ROLE != "coordinator"


def test_the_last_review_completes_scoring_as_the_system_actor(app):
    application = _assigned(f.Actors())
    *first, last = _assignments(application)
    for a in first:
        a.status = "submitted"
        db.session.add(Review(assignment=a, status="submitted", total=80))
    db.session.flush()
    assert not scoring.maybe_complete(application)  # one review is still missing
    assert application.state == "expert_assigned"
    assert _events(application, "application.complete_scoring") == []

    last.status = "submitted"
    db.session.add(Review(assignment=last, status="submitted", total=80))
    db.session.flush()
    assert scoring.maybe_complete(application)

    assert application.state == "scored"
    (event,) = _events(application, "application.complete_scoring")
    assert (event.actor, event.actor_id) == ("system", None)
    assert event.before == {"state": "expert_assigned"} and event.after["state"] == "scored"
    assert verify().ok
    assert not scoring.maybe_complete(application)  # already scored: nothing more happens


def test_a_coordinator_can_still_complete_scoring_where_the_table_allows(app):
    actors = f.Actors()
    application = _assigned(actors)
    f.submit_reviews(application)
    assert refusal(application, "complete_scoring", actors.coordinator) is None
    fire(application, "complete_scoring", actors.coordinator)
    assert application.state == "scored"
    (event,) = _events(application, "application.complete_scoring")
    assert (event.actor, event.actor_id) == (actors.coordinator.username, actors.coordinator.id)


def test_refusal_gives_the_machines_reason_and_writes_nothing(app):
    actors = f.Actors()
    application = _assigned(actors)
    before = _audit_count()
    assert "份评分未提交" in refusal(application, "complete_scoring", SYSTEM_ACTOR)
    f.submit_reviews(application)
    assert refusal(application, "complete_scoring", SYSTEM_ACTOR) is None
    assert _audit_count() == before and application.state == "expert_assigned"
    # A state the row does not leave from, and a row that does not name the system.
    assert "不能执行" in refusal(f.application(), "complete_scoring", SYSTEM_ACTOR)
    fire(application, "complete_scoring", SYSTEM_ACTOR)
    assert "角色不能执行" in refusal(application, "propose", SYSTEM_ACTOR)
    with pytest.raises(PermissionDenied):
        fire(application, "propose", SYSTEM_ACTOR)


def test_only_the_system_actor_itself_acts_as_the_system(app):
    """Anything else that claims the system role has no scope, like any other non-user."""
    application = _assigned(f.Actors())
    f.submit_reviews(application)
    impostor = SimpleNamespace(id=None, role=SYSTEM_ROLE, username="x", is_authenticated=True)
    assert "管辖范围" in refusal(application, "complete_scoring", impostor)
    with pytest.raises(PermissionDenied):
        fire(application, "complete_scoring", impostor)
    assert application.state == "expert_assigned"
