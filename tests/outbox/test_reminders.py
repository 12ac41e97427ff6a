"""Reminders: reviews due within 48 hours and overdue ones, one message per expert, kind and
day, composed once however often the hourly task runs; released at once by default."""

from datetime import timedelta

from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.clock import china_date, utcnow
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from review_app.outbox.reminders import schedule_reminders
from tests import factories as f


def _assign(due_in_days: dict[int, int | None]):
    """One application staffed by fresh experts; expert i's assignment is due in the given
    number of days (None: no due date)."""
    application = f.application()
    experts = f.staff(application, per_section=1)
    today = china_date(utcnow())
    rows = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
    for i, days in due_in_days.items():
        rows[i].due_date = None if days is None else today + timedelta(days=days)
    db.session.flush()
    return rows, experts, today


def test_due_and_overdue_reviews_are_reminded_once_a_day(app):
    rows, _, today = _assign({0: 1, 1: -2, 2: 5, 3: None, 4: 0})
    rows[0].expert.email = "due@example.com"
    rows[1].expert.email = "late@example.com"
    rows[4].status = "submitted"  # done: no reminder
    made = schedule_reminders()
    assert made == {"review_due": 1, "review_overdue": 1}
    messages = {m.kind: m for m in db.session.scalars(select(OutboxMessage))}
    due, late = messages["review_due"], messages["review_overdue"]
    assert due.to_address == "due@example.com" and due.status == "released"
    assert rows[0].application.anon_code in due.body and rows[0].section.title in due.body
    assert (today + timedelta(days=1)).isoformat() in due.body
    assert late.to_address == "late@example.com" and "已逾期" in late.subject
    assert rows[1].application.enterprise.name not in due.body + late.body  # no identity
    assert schedule_reminders() == {"review_due": 0, "review_overdue": 0}  # once a day
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_an_expert_without_an_address_gets_a_draft_that_is_held(app):
    rows, _, _ = _assign({0: 0})
    rows[0].expert.email = ""
    schedule_reminders()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "draft" and message.to_address == ""


def test_the_next_day_brings_a_new_reminder(app):
    rows, _, _ = _assign({0: -1})
    rows[0].expert.email = "late@example.com"
    schedule_reminders()
    tomorrow = utcnow() + timedelta(days=1)
    assert schedule_reminders(tomorrow) == {"review_due": 0, "review_overdue": 1}
    keys = sorted(db.session.scalars(select(OutboxMessage.dedupe_key)))
    assert len(keys) == 2 and keys[0] != keys[1]
