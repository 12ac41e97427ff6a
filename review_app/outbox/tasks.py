"""Periodic queue tasks of the outbox: deliver released messages, compose reminders, expire
unanswered invitations (a backup is invited for each). ``review-app worker`` runs them."""

from huey import crontab

from ..draws.service import expire_overdue
from ..extensions import db
from ..jobs.queue import huey, task_app
from . import service
from .reminders import schedule_reminders


@huey.periodic_task(crontab(minute="*/2"))
def deliver_outbox() -> None:
    with task_app().app_context():
        service.deliver_due()
        db.session.remove()


@huey.periodic_task(crontab(minute="7"))
def hourly_reminders() -> None:
    """Every hour: expire invitations past their deadline, then compose the day's reminders
    (each composed once a day however often this runs)."""
    with task_app().app_context():
        expire_overdue()
        db.session.commit()
        schedule_reminders()
        db.session.commit()
        db.session.remove()
