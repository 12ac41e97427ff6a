"""Periodic queue task of the webhooks: post due deliveries every minute (retries follow the
backoff kept on each delivery). ``review-app worker`` runs it."""

from huey import crontab

from ..extensions import db
from ..jobs.queue import huey, task_app
from . import service


@huey.periodic_task(crontab(minute="*"))
def deliver_webhooks() -> None:
    with task_app().app_context():
        service.deliver_due()
        db.session.remove()
