"""``fire`` announces a transition with the ``state_changed`` signal (DESIGN.md section 12): the
receivers run in the transition's transaction, and the workflow package imports none of the
areas that subscribe."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review_app.errors import PermissionDenied
from review_app.extensions import db
from review_app.signals import state_changed
from review_app.webhooks.models import Webhook, WebhookDelivery
from review_app.webhooks.service import on_state_changed
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE

WORKFLOW = Path(__file__).resolve().parents[2] / "review_app" / "workflow"


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kw):
        calls.append((sender, kw))

    state_changed.connect(receiver)
    yield calls
    state_changed.disconnect(receiver)


def test_fire_sends_state_changed_after_the_row_changed(app, received):
    application = f.application()
    prefecture = f.user("prefecture")
    db.session.commit()
    fire(application, "endorse", prefecture, now=BEFORE_DEADLINE)
    ((sender, kw),) = received
    assert sender is app
    assert kw["application"] is application and application.state == "prefecture_endorsed"
    assert kw["from_state"] == "submitted" and kw["trigger"] == "endorse"
    assert kw["actor"] is prefecture and kw["reason"] == ""


def test_a_refused_transition_sends_no_signal(app, received):
    application = f.application()
    db.session.commit()
    with pytest.raises(PermissionDenied):
        fire(application, "endorse", f.user("coordinator"), now=BEFORE_DEADLINE)
    assert received == []


def test_webhooks_subscribe_at_app_creation(app):
    assert state_changed.has_receivers_for(app)
    assert on_state_changed in [ref() for ref in state_changed.receivers.values()]


def test_receiver_rows_roll_back_with_the_transition(app):
    db.session.add(Webhook(url="https://example.com/hook", secret="s" * 20, active=True))
    application = f.application()
    db.session.commit()
    fire(application, "endorse", f.user("prefecture"), now=BEFORE_DEADLINE)
    count = select(func.count(WebhookDelivery.id))
    assert db.session.scalar(count) == 1
    db.session.rollback()
    assert db.session.scalar(count) == 0


def test_the_workflow_package_imports_no_subscriber():
    imported = set()
    for path in WORKFLOW.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.add("." * node.level + (node.module or ""))
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    subscribers = ("webhooks", "outbox")
    assert not [name for name in imported if any(s in name for s in subscribers)]
