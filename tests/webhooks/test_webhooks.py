"""Webhooks: a transition queues one signed delivery per active webhook, posted to a local
HTTP server started here (never the internet; 127.0.0.1 allow-listed by the ``receiver``
fixture), retried with backoff, logged."""

import json
import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.webhooks import service
from review_app.webhooks.models import Webhook, WebhookDelivery
from review_app.workflow.service import fire
from review_app.workflow.states import STATE_NAMES

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, login, post_form

SECRET = "s3cret-for-tests-0123456789"


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def _hook(url, secret=SECRET, actors=None, description="测试"):
    coordinator = (actors or f.Actors()).coordinator
    webhook = service.register(url, secret, description, coordinator)
    db.session.commit()
    return webhook


def _endorse(application=None):
    application = application or f.application()
    before = application.state
    fire(application, "endorse", f.user("prefecture"), now=BEFORE_DEADLINE)
    db.session.commit()
    return application, before


def _deliveries(webhook=None):
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if webhook is not None:
        query = query.where(WebhookDelivery.webhook_id == webhook.id)
    return db.session.execute(query).scalars().all()


def test_transition_posts_signed_json_to_each_active_webhook(app, receiver):
    first = _hook(receiver.url)
    second = _hook(receiver.url + "2", secret="another-secret-0123456789")
    off = _hook(receiver.url + "3")
    service.set_active(off, False, f.user("coordinator"))
    db.session.commit()
    application, before = _endorse()

    assert len(_deliveries(first)) == 1 and len(_deliveries(second)) == 1
    assert _deliveries(off) == []
    assert receiver.requests == []  # nothing is posted inside the transaction

    assert service.deliver_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert len(receiver.requests) == 2
    by_path = {path: (headers, body) for path, headers, body in receiver.requests}
    headers, body = by_path["/hook"]
    delivery = _deliveries(first)[0]
    payload = json.loads(body)
    assert payload == delivery.payload
    assert payload["event"] == "application.state_changed"
    assert payload["delivery_id"] == delivery.id
    assert payload["occurred_at"].endswith("Z")
    assert payload["application"] == {
        "id": application.id, "anon_code": application.anon_code, "track": "excellent",
        "prefecture": "郑州市", "enterprise_name": application.enterprise.name,
        "uscc": application.enterprise.uscc, "priority_rank": application.priority_rank,
    }  # fmt: skip
    assert payload["from_state"] == before
    assert payload["to_state"] == application.state == "prefecture_endorsed"
    assert payload["to_state_name"] == STATE_NAMES["prefecture_endorsed"]
    assert payload["trigger"] == "endorse" and payload["actor_role"] == "prefecture"
    assert body == service.body_for(payload)  # compact, sorted, UTF-8 (Chinese unescaped)
    assert "郑州市".encode() in body

    assert headers["Content-Type"] == "application/json"
    assert headers["X-Review-Event"] == "application.state_changed"
    assert headers["X-Review-Delivery"] == str(delivery.id)
    ts, sig = headers["X-Review-Timestamp"], headers["X-Review-Signature"]
    assert sig.startswith("sha256=")
    assert service.verify_signature(SECRET, ts, body, sig)
    assert not service.verify_signature("another-secret-0123456789", ts, body, sig)
    assert not service.verify_signature(SECRET, ts, body.replace(b"endorse", b"Endorse"), sig)
    assert not service.verify_signature(SECRET, int(ts) - 1, body, sig)
    assert not service.verify_signature(SECRET, ts, body, sig, now=int(ts) + 301)
    assert service.verify_signature(SECRET, ts, body, sig, now=int(ts) + 299)
    assert not service.verify_signature(SECRET, "garbage", body, sig)
    assert not service.verify_signature(SECRET, ts, body, None)
    h2, b2 = by_path["/hook2"]
    assert service.verify_signature("another-secret-0123456789", h2["X-Review-Timestamp"], b2,
                                    h2["X-Review-Signature"])  # fmt: skip

    db.session.expire_all()
    delivery = _deliveries(first)[0]
    assert delivery.status == "sent" and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.delivered_at is not None
    assert delivery.log.count("\n") == 1 and "HTTP 200" in delivery.log
    assert service.deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # never twice
    assert len(receiver.requests) == 2


def test_refused_or_rolled_back_transition_sends_nothing(app, receiver):
    _hook(receiver.url)
    application = f.application()
    db.session.commit()
    with pytest.raises(PermissionDenied):
        fire(application, "endorse", f.user("coordinator"), now=BEFORE_DEADLINE)
    db.session.rollback()
    assert _deliveries() == []

    fire(application, "endorse", f.user("prefecture"), now=BEFORE_DEADLINE)
    assert len(_deliveries()) == 1  # in the transaction ...
    db.session.rollback()
    assert _deliveries() == []  # ... and gone with it
    assert service.deliver_due()["sent"] == 0
    assert receiver.requests == []


def test_no_webhook_no_delivery(app):
    _endorse()
    assert _deliveries() == []


def test_error_answer_is_retried_with_backoff_then_sent(app, receiver):
    receiver.codes = [500]
    webhook = _hook(receiver.url)
    _endorse()
    t0 = BEFORE_DEADLINE + timedelta(seconds=5)
    assert service.deliver_due(now=t0) == {"sent": 0, "retry": 1, "failed": 0}
    (delivery,) = _deliveries(webhook)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.next_attempt_at == t0 + timedelta(minutes=1)

    assert service.deliver_due(now=t0 + timedelta(seconds=59))["retry"] == 0  # not yet due
    assert len(receiver.requests) == 1
    assert service.deliver_due(now=t0 + timedelta(minutes=1)) == {"sent": 1, "retry": 0,
                                                                   "failed": 0}  # fmt: skip
    db.session.expire_all()
    (delivery,) = _deliveries(webhook)
    assert delivery.status == "sent" and delivery.attempts == 2
    lines = delivery.log.splitlines()
    assert len(lines) == 2
    assert "HTTP 500" in lines[0] and "1分钟后重试" in lines[0]
    assert "HTTP 200" in lines[1]
    ids = {headers["X-Review-Delivery"] for _, headers, _ in receiver.requests}
    assert ids == {str(delivery.id)}  # the same delivery, so receivers can deduplicate


def test_redirect_is_not_followed(app, receiver):
    receiver.codes = [302]
    webhook = _hook(receiver.url)
    _endorse()
    assert service.deliver_due()["retry"] == 1
    assert len(receiver.requests) == 1
    (delivery,) = _deliveries(webhook)
    assert delivery.last_status_code == 302 and "重定向不跟随" in delivery.log


def test_dead_receiver_fails_after_five_attempts(app, allow_loopback):
    webhook = _hook(_dead_url())
    _endorse()
    now = BEFORE_DEADLINE
    waits = []
    for attempt in range(1, 6):
        out = service.deliver_due(now=now)
        db.session.expire_all()
        (delivery,) = _deliveries(webhook)
        assert delivery.attempts == attempt
        if attempt < 5:
            assert out["retry"] == 1 and delivery.status == "pending"
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
        else:
            assert out["failed"] == 1
    assert waits == [timedelta(minutes=m) for m in (1, 5, 15, 60)]
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert delivery.last_status_code is None
    lines = delivery.log.splitlines()
    assert len(lines) == 5
    assert all(service.NO_ANSWER in line for line in lines)
    assert "放弃" in lines[-1]
    assert service.deliver_due(now=now + timedelta(days=1))["failed"] == 0  # stays failed


def test_claim_is_compare_and_set(app, receiver):
    _hook(receiver.url)
    _endorse()
    (delivery,) = _deliveries()
    assert service._claim(delivery.id, 0, BEFORE_DEADLINE)
    assert not service._claim(delivery.id, 0, BEFORE_DEADLINE)  # another worker: refused
    # the worker died: after the lease the delivery is due again
    assert service.deliver_due(now=BEFORE_DEADLINE)["sent"] == 0
    later = BEFORE_DEADLINE + timedelta(minutes=service.LEASE_MINUTES)
    assert service.deliver_due(now=later)["sent"] == 1
    assert len(receiver.requests) == 1


def test_deactivating_gives_up_pending_deliveries(app, receiver):
    webhook = _hook(receiver.url)
    _endorse()
    assert service.set_active(webhook, False, f.user("coordinator"))
    db.session.commit()
    (delivery,) = _deliveries(webhook)
    assert delivery.status == "failed" and "已停用" in delivery.log
    assert service.deliver_due()["sent"] == 0 and receiver.requests == []
    assert service.set_active(webhook, True, f.user("coordinator"))
    db.session.commit()
    _endorse()
    assert service.deliver_due()["sent"] == 1


@pytest.mark.parametrize(
    "url",
    ["", "ftp://example.com/hook", "http://", "example.com/hook", "javascript:alert(1)",
     "http://exa mple.com/", "https://example.com/" + "a" * 490, "http://host:99999/", "http://[::1/"],
)  # fmt: skip
def test_invalid_url_is_refused(app, url):
    coordinator = f.user("coordinator")
    db.session.commit()
    audits = db.session.scalar(select(func.count(AuditEvent.id)))
    with pytest.raises(InvalidInput) as err:
        service.register(url, SECRET, "", coordinator)
    assert "回调地址" in err.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(Webhook.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audits


def test_short_secret_is_refused_blank_is_generated(app):
    coordinator = f.user("coordinator")
    with pytest.raises(InvalidInput) as err:
        service.register("https://example.com/hook", "short-secret", "", coordinator)
    assert "签名密钥" in err.value.message and "16" in err.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count(Webhook.id))) == 0

    coordinator = f.user("coordinator")
    webhook = service.register("https://example.com/hook", "  ", "", coordinator)
    assert len(webhook.secret) >= 40
    other = service.register("https://example.com/hook", None, "", coordinator)
    assert other.secret != webhook.secret
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "webhook.register")
    ).scalars().all()  # fmt: skip
    assert len(events) == 2
    assert all(webhook.secret not in json.dumps(e.after) for e in events)


@pytest.mark.parametrize("role", ["prefecture", "expert", "inspector", "admin"])
def test_only_the_coordinator_manages_webhooks(app, role):
    actor = f.user(role)
    with pytest.raises(PermissionDenied):
        service.register("https://example.com/hook", SECRET, "", actor)
    webhook = _hook("https://example.com/hook")
    with pytest.raises(PermissionDenied):
        service.set_active(webhook, False, actor)
    with pytest.raises(PermissionDenied):
        service.delete(webhook, actor)
    db.session.rollback()
    assert db.session.get(Webhook, webhook.id).active


def test_pages_register_show_secret_once_and_list_deliveries(app, client, receiver):
    coordinator = f.user("coordinator")
    db.session.commit()
    login(client, coordinator.username)
    assert client.get("/webhooks/").status_code == 200

    page = post_form(client, "/webhooks/", {"url": receiver.url, "description": "省厅大屏",
                                            "secret": ""}, token_page="/webhooks/")  # fmt: skip
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    webhook = db.session.execute(select(Webhook)).scalar_one()
    assert html.count(webhook.secret) == 1  # shown once, in the one-time panel
    assert "仅显示这一次" in html
    listing = client.get("/webhooks/").get_data(as_text=True)
    assert webhook.secret not in listing
    assert service.masked(webhook.secret) in listing and receiver.url in listing
    assert "省厅大屏" in listing

    refused = post_form(client, "/webhooks/", {"url": "ftp://x", "secret": "abc"},
                        token_page="/webhooks/").get_data(as_text=True)  # fmt: skip
    assert "回调地址" in refused
    assert db.session.scalar(select(func.count(Webhook.id))) == 1

    _endorse()
    service.deliver_due()
    show = client.get(f"/webhooks/{webhook.id}").get_data(as_text=True)
    assert "已送达" in show and "HTTP 200" in show
    assert webhook.secret not in show

    post_form(client, f"/webhooks/{webhook.id}/active", {"active": "0"}, token_page="/webhooks/")
    db.session.expire_all()
    assert not db.session.get(Webhook, webhook.id).active
    post_form(client, f"/webhooks/{webhook.id}/delete", token_page="/webhooks/")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Webhook.id))) == 0
    assert db.session.scalar(select(func.count(WebhookDelivery.id))) == 0


def test_pages_refuse_other_roles(app, client):
    user = f.user("prefecture")
    db.session.commit()
    login(client, user.username)
    assert client.get("/webhooks/").status_code == 403
