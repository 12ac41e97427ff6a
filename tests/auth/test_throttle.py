"""Issue 17.8: the login answer is no oracle and no stranger can lock an account.

Before: the fifth wrong password on a real account answered "已锁定" while an unknown name always
answered "用户名或密码错误", and five requests per 15 minutes from anywhere kept ``coord`` locked.
Now every refusal reads the same, failures slow down only the (name, address) pair with growing
delays, and a much higher ceiling across all addresses locks the account (audited; the
administrator unlocks it)."""

import re
from datetime import timedelta

from flask import g
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.auth import service as auth_service
from review_app.auth.models import LoginThrottle, User
from review_app.auth.service import LOGIN_REFUSED, LOGIN_THROTTLED
from review_app.auth.throttle import name_hash
from review_app.extensions import db

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, csrf_from, login

FLASH = re.compile(r'<div class="flash flash-error" role="alert">([^<]*)</div>')


def attempt(client, username, password, address="10.0.0.1"):
    """POST /login from ``address``; (status, the error flashed or None)."""
    env = {"REMOTE_ADDR": address}
    g.pop("csrf_token", None)  # the tests share one app context: each client its own token
    token = csrf_from(client.get("/login", environ_base=env).get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base=env,
    )
    found = FLASH.search(response.get_data(as_text=True))
    if response.status_code == 302:
        client.post("/logout", data={"csrf_token": token}, environ_base=env)
    return response.status_code, found.group(1) if found else None


def _at(app, minutes: float) -> None:
    app.config["FROZEN_NOW"] = BEFORE_DEADLINE + timedelta(minutes=minutes)


def test_real_and_unknown_names_get_the_same_answers_at_every_step(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    for step in range(8):
        real = attempt(client, "coord", "bad-password")
        unknown = attempt(client, "nobody-here", "bad-password")
        assert real == unknown, f"attempt {step + 1}: {real} != {unknown}"
        assert real[0] == 401 and "锁定" not in real[1]
    assert real[1] == LOGIN_THROTTLED  # the same neutral "请稍后再试" for both


def test_a_stranger_cannot_lock_the_owner_out(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    for _ in range(12):
        attempt(client, "coord", "bad-password", address="203.0.113.9")
    # the owner, from the office, signs in at once
    assert attempt(app.test_client(), "coord", f.PASSWORD, address="10.1.1.1")[0] == 302
    # from the stranger's address even the right password is refused while it waits
    assert attempt(client, "coord", f.PASSWORD, address="203.0.113.9") == (401, LOGIN_THROTTLED)
    account = db.session.execute(select(User).filter_by(username="coord")).scalar_one()
    assert account.locked_until is None
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.locked")) == 0


def test_delays_grow_per_name_and_address_and_success_clears_them(app, client):
    f.user("coordinator", "coord")
    db.session.commit()
    free = app.config["LOGIN_THROTTLE_FREE_FAILURES"]
    for _ in range(free - 1):
        assert attempt(client, "coord", "bad-password") == (401, LOGIN_REFUSED)
    assert attempt(client, "coord", "bad-password") == (401, LOGIN_THROTTLED)

    def row():
        db.session.rollback()
        return db.session.execute(
            select(LoginThrottle).where(LoginThrottle.username_hash == name_hash("coord"))
        ).scalar_one()

    assert row().blocked_until == BEFORE_DEADLINE + timedelta(minutes=1)
    _at(app, 0.5)  # still waiting: refused without a look at the password
    assert attempt(client, "coord", f.PASSWORD) == (401, LOGIN_THROTTLED)
    assert row().failures == free  # a refused-while-waiting attempt is not counted
    _at(app, 1.5)
    attempt(client, "coord", "bad-password")
    assert row().blocked_until == BEFORE_DEADLINE + timedelta(minutes=3.5)  # 2 minutes
    _at(app, 4)
    attempt(client, "coord", "bad-password")
    assert row().blocked_until == BEFORE_DEADLINE + timedelta(minutes=8)  # 4 minutes
    _at(app, 9)
    assert attempt(client, "coord", f.PASSWORD)[0] == 302
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_the_delay_is_capped(app):
    from review_app.auth.throttle import delay_minutes

    free = app.config["LOGIN_THROTTLE_FREE_FAILURES"]
    cap = app.config["LOGIN_THROTTLE_MAX_MINUTES"]
    assert [delay_minutes(n) for n in range(free + 3)] == [0] * free + [1, 2, 4]
    assert delay_minutes(free + 50) == cap


def test_a_throttled_attempt_checks_no_password(app, client, monkeypatch):
    f.user("coordinator", "coord")
    db.session.commit()
    for _ in range(app.config["LOGIN_THROTTLE_FREE_FAILURES"]):
        attempt(client, "coord", "bad-password")
    checked = []
    monkeypatch.setattr(User, "check_password", lambda self, pw: checked.append(pw) or True)
    assert attempt(client, "coord", "anything")[0] == 401
    assert checked == []


def test_an_unknown_name_costs_a_password_hash_too(app, client, monkeypatch):
    calls = []
    real = auth_service.check_password_hash
    monkeypatch.setattr(
        auth_service, "check_password_hash", lambda h, pw: calls.append(pw) or real(h, pw)
    )
    assert attempt(client, "nobody-here", "guess-1") == (401, LOGIN_REFUSED)
    assert calls == ["guess-1"]


def test_locked_and_disabled_accounts_answer_like_a_wrong_password(app, client):
    f.user("coordinator", "locked1")
    gone = f.user("coordinator", "gone1")
    db.session.execute(select(User).filter_by(username="locked1")).scalar_one().locked_until = (
        BEFORE_DEADLINE + timedelta(hours=1)
    )
    gone.is_active_account = False
    db.session.commit()
    assert attempt(client, "locked1", f.PASSWORD) == (401, LOGIN_REFUSED)
    assert attempt(client, "gone1", f.PASSWORD) == (401, LOGIN_REFUSED)
    assert attempt(client, "nobody-here", f.PASSWORD) == (401, LOGIN_REFUSED)


def test_the_ceiling_across_addresses_locks_audits_and_the_admin_unlocks(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_MAX_FAILURES", 12)
    coord = f.user("coordinator", "coord")
    f.user("admin", "root")
    db.session.commit()
    for i in range(12):  # three failures from each of four addresses: none of them throttled
        assert attempt(app.test_client(), "coord", "bad-password", f"198.51.100.{i // 3}")[0] == 401
    db.session.rollback()
    db.session.refresh(coord)
    assert coord.locked_until == BEFORE_DEADLINE + timedelta(
        minutes=app.config["LOGIN_ACCOUNT_LOCK_MINUTES"]
    )
    events = db.session.execute(select(AuditEvent).filter_by(action="user.locked")).scalars().all()
    assert [e.object_id for e in events] == [str(coord.id)]
    # locked: the right password from a fresh address gets the one generic answer
    assert attempt(app.test_client(), "coord", f.PASSWORD, "10.9.9.9") == (401, LOGIN_REFUSED)
    admin = app.test_client()
    g.pop("csrf_token", None)
    login(admin, "root")
    page = admin.get(f"/admin/users/{coord.id}").get_data(as_text=True)
    assert "锁定至" in page
    response = admin.post(
        f"/admin/users/{coord.id}",
        data={"acct-csrf_token": csrf_from(page), "acct-action": "unlock"},
    )
    assert response.status_code == 302
    assert attempt(app.test_client(), "coord", f.PASSWORD, "10.9.9.10")[0] == 302
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "user.unlocked")) == 1
