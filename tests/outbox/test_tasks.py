"""The periodic queue tasks the worker runs: outbox delivery every two minutes, reminders and
invitation expiry every hour (at :07), webhook delivery every minute."""

from datetime import datetime, timedelta

from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.clock import china_date, utcnow
from review_app.extensions import db
from review_app.jobs.queue import huey
from review_app.outbox import tasks
from review_app.outbox.models import OutboxMessage
from review_app.webhooks import tasks as webhook_tasks
from tests import factories as f

from .test_outbox import smtp  # noqa: F401  (the local SMTP server fixture)


def test_the_worker_schedule():
    assert webhook_tasks.deliver_webhooks  # registered with the queue on import
    names = lambda at: sorted(t.name for t in huey.read_periodic(at))  # noqa: E731
    assert names(datetime(2026, 3, 20, 2, 6)) == ["deliver_outbox", "deliver_webhooks"]
    assert names(datetime(2026, 3, 20, 2, 7)) == ["deliver_webhooks", "hourly_reminders"]
    assert names(datetime(2026, 3, 20, 2, 9)) == ["deliver_webhooks"]


def test_the_hourly_task_reminds_and_the_delivery_task_sends(app, smtp):  # noqa: F811
    application = f.application()
    f.staff(application, per_section=1)
    row = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
    row.due_date = china_date(utcnow()) + timedelta(days=1)
    row.expert.email = "due@example.com"
    db.session.commit()
    tasks.hourly_reminders()  # immediate mode in tests: runs now, in its own app context
    db.session.expire_all()
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.kind == "review_due" and message.status == "released"
    tasks.deliver_outbox()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "sent"
    assert [m["To"] for m in smtp.messages] == [f"{row.expert.name} <due@example.com>"]
