"""A webhook's delivery log: at most 50 a page, filtered by status from the URL, newest or
oldest first, the total shown; unknown values ignored; the coordinator's only."""

import re

from review_app.clock import utcnow
from review_app.extensions import db
from review_app.webhooks import views
from review_app.webhooks.models import WebhookDelivery

from .. import factories as f
from ..conftest import login
from .test_webhooks import _hook


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", html)]


def test_the_log_is_paged_filtered_and_sorted_from_the_url(app, client, allow_loopback):
    webhook = _hook("http://127.0.0.1:9/hook")
    made = {"sent": [], "failed": []}
    for i in range(55):
        status = "failed" if i % 5 == 0 else "sent"
        d = WebhookDelivery(webhook_id=webhook.id, event="application.state_changed",
                            payload={"n": i}, status=status, created_at=utcnow())  # fmt: skip
        db.session.add(d)
        db.session.flush()
        made[status].append(d.id)
    coordinator = f.user("coordinator", "hook-list-coord")
    db.session.commit()
    login(client, coordinator.username)
    url = f"/webhooks/{webhook.id}"
    first = client.get(url).get_data(as_text=True)
    assert views.PAGE_SIZE == 50 and len(_ids(first)) == 50
    assert "共 55 条，第 1 / 2 页" in first
    every = sorted(made["sent"] + made["failed"])
    assert _ids(first) == every[::-1][:50]
    assert _ids(client.get(url + "?sort=oldest").get_data(as_text=True)) == every[:50]
    failed = client.get(url + "?status=failed&sort=oldest").get_data(as_text=True)
    assert _ids(failed) == made["failed"] and "共 11 条" in failed
    assert "共 55 条" in client.get(url + "?status=x&sort=y&foo=1").get_data(as_text=True)


def test_other_roles_may_not_read_the_log(app, client, allow_loopback):
    webhook = _hook("http://127.0.0.1:9/hook")
    officer = f.user("prefecture", "hook-list-pref")
    db.session.commit()
    login(client, officer.username)
    assert client.get(f"/webhooks/{webhook.id}?status=sent").status_code == 403
