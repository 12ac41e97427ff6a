"""The outbox: composed once, reviewed and released, delivered over SMTP (a local aiosmtpd
server) with retries and a log, and never twice, even when the worker dies mid-send."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.clock import utcnow
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.outbox import service as outbox
from review_app.outbox.models import OutboxMessage
from review_app.programs.service import current_program
from tests import factories as f
from tests.conftest import login, post_form

from .smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def _compose(key="invitation:1", address="zhang@example.com", kind="invitation"):
    program = current_program()
    return outbox.compose(
        kind, key=key, template="invitation", to_name="张三", to_address=address,
        program=program,
        context={"expert_name": "张三", "program_name": program.name, "panel_name": "工厂建设组",
                 "role": "drawn", "deadline": "2026-03-22 18:00", "invitation_id": 7},
    )  # fmt: skip


@pytest.fixture()
def smtp(app, monkeypatch):
    with SmtpServer() as server:
        for key, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port,
                           "SMTP_SECURITY": "none", "SMTP_USERNAME": "", "SMTP_PASSWORD": "",
                           "MAIL_FROM": "review@example.com"}.items():  # fmt: skip
            monkeypatch.setitem(app.config, key, value)
        yield server


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_compose_renders_the_template_file_once_per_key(app):
    first = _compose()
    again = _compose()
    assert again.id == first.id and _count(OutboxMessage) == 1
    assert first.subject.startswith("【评审邀请】") and "工厂建设组" in first.subject
    assert "张三专家：您好" in first.body and "/invitations/7" in first.body
    assert "2026-03-22 18:00" in first.body
    assert first.status == "draft"  # invitations are reviewed before they go out


def test_release_needs_a_coordinator_and_an_address(app):
    coordinator = f.user("coordinator")
    message = _compose()
    with pytest.raises(PermissionDenied):
        outbox.release(message, f.user("expert"))
    assert message.status == "draft"
    no_address = _compose("invitation:2", address="")
    with pytest.raises(InvalidInput, match="没有登记邮箱"):
        outbox.release(no_address, coordinator)
    bad = _compose("invitation:3", address="not-an-address")
    with pytest.raises(InvalidInput, match="格式不正确"):
        outbox.release(bad, coordinator)
    assert outbox.release(message, coordinator) is True
    assert outbox.release(message, coordinator) is False  # releasing twice does nothing
    assert message.status == "released" and message.released_by_id == coordinator.id
    released, held = outbox.release_all(current_program(), coordinator)
    assert (released, held) == (0, 2)


def test_reminder_kinds_are_released_at_once_by_default(app):
    program = current_program()
    reminder = outbox.compose(
        "review_due", key="review_due:x", template="review_due", to_name="张三",
        to_address="zhang@example.com", program=program,
        context={"expert_name": "张三", "program_name": program.name,
                 "items": [{"code": "ZY-26-AAAA", "section": "工厂建设", "due": "2026-03-21"}]},
    )  # fmt: skip
    assert reminder.status == "released"
    assert "ZY-26-AAAA · 工厂建设，截止 2026-03-21" in reminder.body
    program.settings = {**(program.settings or {}), "outbox_auto_release": []}
    later = outbox.compose(
        "review_due", key="review_due:y", template="review_due", to_name="李四",
        to_address="li@example.com", program=program,
        context={"expert_name": "李四", "program_name": program.name, "items": []},
    )  # fmt: skip
    assert later.status == "draft"


def test_delivered_once_with_its_log(app, smtp):
    coordinator = f.user("coordinator")
    message = _compose()
    outbox.release(message, coordinator)
    db.session.commit()
    assert outbox.deliver_due() == {"sent": 1, "retry": 0, "failed": 0, "uncertain": 0,
                                    "skipped": 0}  # fmt: skip
    assert outbox.deliver_due()["sent"] == 0  # nothing twice
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == message.subject
    assert mail["Message-ID"] == message.message_id
    assert "zhang@example.com" in mail["To"]
    assert "张三专家：您好" in mail.get_body().get_content()
    db.session.refresh(message)
    assert message.status == "sent" and message.sent_at is not None
    assert [a.outcome for a in message.attempts_log] == ["sent"]
    assert message.attempts_log[0].detail.startswith("250")


def test_without_smtp_settings_messages_stay_in_the_outbox(app, client):
    coordinator = f.user("coordinator", "coord1")
    outbox.release(_compose(), coordinator)
    db.session.commit()
    assert app.config["SMTP_HOST"] == ""
    assert outbox.deliver_due()["skipped"] == 1
    assert db.session.scalar(select(OutboxMessage.status)) == "released"
    login(client, "coord1")
    page = client.get("/outbox/").get_data(as_text=True)
    assert "尚未配置邮件服务器" in page


def test_a_server_that_is_down_is_retried_with_backoff_then_given_up(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_PORT", 9)  # nothing listens there
    message = _compose()
    outbox.release(message, f.user("coordinator"))
    db.session.commit()
    assert outbox.deliver_due()["retry"] == 1
    db.session.refresh(message)
    assert message.status == "released" and message.attempts == 1
    assert message.next_attempt_at > utcnow()
    assert outbox.deliver_due()["retry"] == 0  # not due yet
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        outbox.deliver_due(now=utcnow() + timedelta(days=1))
    db.session.refresh(message)
    assert message.status == "failed" and message.attempts == outbox.MAX_ATTEMPTS
    outcomes = [a.outcome for a in message.attempts_log]
    assert outcomes == ["retry"] * (outbox.MAX_ATTEMPTS - 1) + ["failed"]
    assert smtp.messages == []


def test_a_refused_recipient_fails_at_once(app, smtp):
    smtp.recorder.refuse_rcpt = "550 5.1.1 mailbox unavailable"
    message = _compose()
    outbox.release(message, f.user("coordinator"))
    db.session.commit()
    assert outbox.deliver_due()["failed"] == 1
    db.session.refresh(message)
    assert message.status == "failed" and "550" in message.last_error


def _worker(app, smtp) -> subprocess.Popen:
    env = {
        **os.environ,
        "REVIEW_APP_ENV": "development",
        "SECRET_KEY": "worker-test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "review@example.com",
    }
    env.pop("REVIEW_APP_TODAY", None)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "review_app.cli", "outbox", "deliver"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.parametrize("killed_at", ["RCPT", "DATA"])
def test_a_worker_killed_mid_send_never_sends_twice(app, smtp, monkeypatch, killed_at):
    """The real thing: a worker process is killed while the SMTP server holds a command; the
    next worker sends the message if the text was not handed over yet, and otherwise marks it
    uncertain instead of sending it again."""
    monkeypatch.setitem(app.config, "FROZEN_NOW", None)  # one clock with the worker process
    coordinator = f.user("coordinator")
    first, second = _compose("invitation:1"), _compose("invitation:2", "li@example.com")
    outbox.release(first, coordinator)
    outbox.release(second, coordinator)
    db.session.commit()
    smtp.recorder.hold = killed_at
    worker = _worker(app, smtp)
    try:
        assert smtp.recorder.reached.wait(30), worker.stderr.read1().decode()
        worker.kill()
        worker.wait(10)
    finally:
        smtp.recorder.hold = None
        smtp.recorder.release.set()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, first.id).status == "sending"
    monkeypatch.setitem(app.config, "OUTBOX_LEASE_SECONDS", 0)  # the dead worker's lease is over
    out = outbox.deliver_due()
    db.session.expire_all()
    first, second = (
        db.session.get(OutboxMessage, first.id),
        db.session.get(OutboxMessage, second.id),
    )
    to_first = [m for m in smtp.messages if "zhang@example.com" in m["To"]]
    assert len(to_first) == 1  # exactly once, whichever way the worker died
    assert second.status == "sent" and sum("li@example.com" in m["To"] for m in smtp.messages) == 1
    outcomes = [a.outcome for a in first.attempts_log]
    if killed_at == "RCPT":
        assert first.status == "sent" and out["sent"] == 2
        assert outcomes == ["interrupted", "sent"]
    else:
        # It arrived while the worker died: the outbox cannot know, so it asks a person.
        assert first.status == "uncertain" and out["sent"] == 1
        assert outcomes == ["interrupted"] and "可能已经送达" in first.last_error
        with pytest.raises(InvalidInput, match="请核实"):
            outbox.resend(first, coordinator, "")
        outbox.resend(first, coordinator, "电话核实未收到")
        db.session.commit()
        assert outbox.deliver_due()["sent"] == 1
        assert len([m for m in smtp.messages if "zhang@example.com" in m["To"]]) == 2


def test_the_outbox_pages(app, client):
    coordinator = f.user("coordinator", "coord1")
    message = _compose()
    no_address = _compose("invitation:2", address="")
    db.session.commit()
    login(client, "coord1")
    page = client.get("/outbox/").get_data(as_text=True)
    assert message.subject in page and "待审核" in page
    detail = client.get(f"/outbox/{message.id}").get_data(as_text=True)
    assert "张三专家：您好" in detail
    response = post_form(client, "/outbox/", {"action": "release_all"}, "/outbox/")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == "released"
    assert db.session.get(OutboxMessage, no_address.id).status == "draft"
    post_form(client, f"/outbox/{no_address.id}", {"action": "cancel", "reason": "无邮箱"},
              "/outbox/")  # fmt: skip
    db.session.expire_all()
    assert db.session.get(OutboxMessage, no_address.id).status == "cancelled"
    post_form(client, "/outbox/", {"action": "auto_release", "auto": ["review_due"]}, "/outbox/")
    db.session.expire_all()
    assert current_program().settings["outbox_auto_release"] == ["review_due"]
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("outbox.%"))
    ).all()
    assert {"outbox.release", "outbox.cancel", "outbox.auto_release"} <= set(events)
    assert all(e.actor_id == coordinator.id for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(("outbox.cancel", "outbox.auto_release")))
    ))  # fmt: skip


def test_compose_many_looks_the_keys_up_once_and_keeps_each_key_once(app):
    from tests.conftest import statements as counted

    program = current_program()

    def item(key, name="张三", address="zhang@example.com"):
        return dict(key=key, template="invitation", to_name=name, to_address=address,
                    program=program,
                    context={"expert_name": name, "program_name": program.name,
                             "panel_name": "工厂建设组", "role": "drawn",
                             "deadline": "2026-03-22 18:00", "invitation_id": 7})  # fmt: skip

    first = _compose("invitation:1")
    with counted() as found:
        made = outbox.compose_many(
            "invitation",
            [item("invitation:1"), item("invitation:2", "李四"), item("invitation:2", "王五")],
        )
    assert len(found) == 1  # the keys' lookup; the new message waits for the next flush
    assert made[0] is first and made[1] is made[2]  # a used key, a key given twice
    assert made[1].to_name == "李四" and "李四专家：您好" in made[1].body
    assert made[1].status == "draft" and _count(OutboxMessage) == 2  # the count flushes it
    assert made[1].id is not None
    with pytest.raises(ValueError):
        outbox.compose_many("no_such_kind", [item("x:1")])


def test_compose_many_releases_the_kinds_released_at_once(app):
    program = current_program()
    items = [dict(key=f"review_due:{n}", template="review_due", to_name=name,
                  to_address=address, program=program,
                  context={"expert_name": name, "program_name": program.name,
                           "items": [{"code": "ZY-26-AAAA", "section": "工厂建设",
                                      "due": "2026-03-21"}]})
             for n, (name, address) in enumerate((("张三", "zhang@example.com"), ("李四", "")))]  # fmt: skip
    sent, held = outbox.compose_many("review_due", items)
    assert sent.status == "released" and sent.id is not None
    assert held.status == "draft"  # no address: left for the coordinator
    events = (
        db.session.execute(select(AuditEvent).where(AuditEvent.action == "outbox.release"))
        .scalars()
        .all()
    )
    assert [e.object_id for e in events] == [str(sent.id)]
