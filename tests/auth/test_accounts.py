"""Issue 17.10: accounts. Before, nobody could change or reset a password and imported or
created accounts kept their initial one. Now: one's own change (rules on the new password),
a forced change at first sign-in, the administrator's reset, unlock, disable, enable and change
of role, a reset link by e-mail (signed, single use, 30 minutes). All audited."""

import re
from datetime import timedelta

from flask import g
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.auth.models import User
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage

from .. import factories as f
from ..api.helpers import call, token_for
from ..conftest import BEFORE_DEADLINE, csrf_from, login

NEW = "Huanghe-Liu-2027"


def _client(app):
    g.pop("csrf_token", None)
    return app.test_client()


def _token(client, url: str) -> str:
    """The CSRF token of ``url`` for this client (the tests share one app context, where
    Flask-WTF caches the last token it made: drop it first)."""
    g.pop("csrf_token", None)
    return csrf_from(client.get(url).get_data(as_text=True))


def _signed_in(app, username, password=f.PASSWORD):
    client = _client(app)
    assert login(client, username, password).status_code == 302
    return client


def _audits(action: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).where(AuditEvent.action == action))


def _user(username: str) -> User:
    db.session.rollback()
    return db.session.execute(select(User).filter_by(username=username)).scalar_one()


def _change(client, current, new, confirm=None):
    token = _token(client, "/account/password")
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "confirm": confirm or new, "csrf_token": token},
    )


def test_change_own_password_refuses_weak_ones_and_ends_other_sessions(app):
    f.user("coordinator", "coord")
    db.session.commit()
    mine, elsewhere = _signed_in(app, "coord"), _signed_in(app, "coord")
    before = _user("coord").password_hash
    refusals = [
        (("wrong-password", NEW), "当前密码不正确"),
        ((f.PASSWORD, "Short1!"), "至少10位"),
        ((f.PASSWORD, "my-coord-password"), "不能包含用户名"),
        ((f.PASSWORD, "qwertyuiop"), "过于常见"),
        ((f.PASSWORD, "Password123"), "过于常见"),
        ((f.PASSWORD, NEW, NEW + "x"), "不一致"),
    ]
    for args, message in refusals:
        response = _change(mine, *args)
        assert response.status_code == 400, args
        assert message in response.get_data(as_text=True), args
    assert _user("coord").password_hash == before and _audits("user.password_changed") == 0

    response = _change(mine, f.PASSWORD, NEW)
    assert response.status_code == 302
    assert _audits("user.password_changed") == 1
    assert mine.get("/applications/").status_code == 200  # this session goes on
    assert elsewhere.get("/applications/").status_code == 302  # the other one ended
    assert login(_client(app), "coord").status_code == 401
    assert login(_client(app), "coord", NEW).status_code == 302


def _admin_creates(admin, username, role="expert", prefecture=""):
    token = _token(admin, "/admin/users")
    return admin.post(
        "/admin/users",
        data={"username": username, "display_name": "", "role": role, "prefecture": prefecture,
              "password": "Initial-2026x", "csrf_token": token},
    )  # fmt: skip


def test_an_initial_password_must_be_changed_before_anything_else(app):
    f.user("admin", "root")
    db.session.commit()
    admin = _signed_in(app, "root")
    assert _admin_creates(admin, "newbie").status_code == 302
    assert _user("newbie").must_change_password
    client = _client(app)
    first = login(client, "newbie", "Initial-2026x")
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/password")
    for url in ("/dashboard/", "/expert/assignments", "/jobs/", "/settings/tokens"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith("/account/password"), url
    # the token API is not a page: a token of the account keeps working
    token = token_for(_user("newbie"))
    assert call(app, "GET", "/api/v1/programs", token).status_code == 200
    assert _change(client, "Initial-2026x", NEW).status_code == 302
    assert not _user("newbie").must_change_password
    assert client.get("/jobs/").status_code == 200


def test_cli_and_expert_import_accounts_must_change_but_demo_and_test_ones_not(app, runner):
    result = runner.invoke(
        args=["user", "create", "--username", "ly01", "--role", "prefecture",
              "--prefecture", "洛阳市", "--password", "Secret123!"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _user("ly01").must_change_password
    from review_app import demo

    demo._create_users()
    db.session.commit()
    assert not _user("coord").must_change_password
    assert not f.user("expert").must_change_password
    signed = login(_client(app), "coord", demo.DEMO_PASSWORD)
    assert signed.status_code == 302 and "/account/password" not in signed.headers["Location"]


def _act(admin, user_id, action):
    token = _token(admin, f"/admin/users/{user_id}")
    return admin.post(
        f"/admin/users/{user_id}", data={"acct-csrf_token": token, "acct-action": action}
    )


def test_admin_reset_shows_a_one_time_password_once(app):
    f.user("admin", "root")
    target = f.user("inspector", "insp1")
    db.session.commit()
    victim_session = _signed_in(app, "insp1")
    admin = _signed_in(app, "root")
    response = _act(admin, target.id, "reset")
    assert response.status_code == 200
    one_time = re.search(r'id="one-time-password">([^<]+)<', response.get_data(as_text=True))[1]
    assert one_time not in admin.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert victim_session.get("/inspections/").status_code == 302  # its sessions ended
    assert login(_client(app), "insp1").status_code == 401
    client = _client(app)
    assert login(client, "insp1", one_time).headers["Location"].endswith("/account/password")
    assert _audits("user.password_reset") == 1


def test_disable_ends_sessions_and_tokens_enable_restores(app):
    f.user("admin", "root")
    target = f.user("coordinator", "coord")
    db.session.commit()
    token = token_for(target)
    session = _signed_in(app, "coord")
    admin = _signed_in(app, "root")
    assert _act(admin, target.id, "disable").status_code == 302
    assert session.get("/applications/").status_code == 302
    assert call(app, "GET", "/api/v1/programs", token).status_code == 401
    refused = login(_client(app), "coord")
    assert refused.status_code == 401 and "用户名或密码错误" in refused.get_data(as_text=True)
    assert _act(admin, target.id, "enable").status_code == 302
    assert login(_client(app), "coord").status_code == 302
    assert call(app, "GET", "/api/v1/programs", token).status_code == 200
    assert (_audits("user.disabled"), _audits("user.enabled")) == (1, 1)
    # not oneself
    root = _user("root")
    heads = _audits("user.disabled")
    assert _act(admin, root.id, "disable").status_code == 400
    assert _user("root").is_active_account and _audits("user.disabled") == heads


def _set_role(admin, user_id, role, prefecture=""):
    token = _token(admin, f"/admin/users/{user_id}")
    return admin.post(
        f"/admin/users/{user_id}",
        data={"role-csrf_token": token, "role-role": role,
              "role-prefecture": prefecture},
    )  # fmt: skip


def test_role_changes_keep_the_prefecture_scope(app):
    f.user("admin", "root")
    target = f.user("inspector", "insp1")
    expert = f.expert()
    db.session.commit()
    admin = _signed_in(app, "root")
    refused = _set_role(admin, target.id, "prefecture")
    assert refused.status_code == 400 and "须指定所属地市" in refused.get_data(as_text=True)
    assert _user("insp1").role == "inspector" and _audits("user.role_changed") == 0
    refused = _set_role(admin, expert.user_id, "coordinator")
    assert refused.status_code == 400 and "专家库档案" in refused.get_data(as_text=True)
    assert _set_role(admin, target.id, "prefecture", "洛阳市").status_code == 302
    changed = _user("insp1")
    assert changed.role == "prefecture" and changed.prefecture.name == "洛阳市"
    assert _set_role(admin, target.id, "coordinator").status_code == 302
    assert _user("insp1").prefecture_id is None
    assert _audits("user.role_changed") == 2


def _forgot(client, username):
    token = _token(client, "/password/forgot")
    return client.post("/password/forgot", data={"username": username, "csrf_token": token})


def _link(message: OutboxMessage) -> str:
    return re.search(r"(/password/reset\?t=\S+)", message.body)[1]


def test_forgot_password_answers_the_same_and_mails_a_single_use_link(app):
    f.user("coordinator", "noemail")
    account = f.user("coordinator", "coord")
    account.email = "coord@example.invalid"
    db.session.commit()
    client = _client(app)
    answers = []
    for name in ("nobody-here", "noemail", "coord"):
        response = _forgot(client, name)
        answers.append((response.status_code, response.headers.get("Location")))
        assert "如账号存在且登记了邮箱，重置链接已发送" in client.get("/login").get_data(True)
    assert len(set(answers)) == 1
    db.session.rollback()
    messages = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [(m.kind, m.status, m.to_address) for m in messages] == [
        ("password_reset", "released", "coord@example.invalid")
    ]
    link = _link(messages[0])
    session = _signed_in(app, "coord")
    token = _token(client, link)
    t = link.split("t=", 1)[1]
    weak = client.post(
        "/password/reset",
        data={"token": t, "new": "short", "confirm": "short", "csrf_token": token},
    )
    assert weak.status_code == 400 and _audits("user.password_reset") == 0
    done = client.post(
        "/password/reset", data={"token": t, "new": NEW, "confirm": NEW, "csrf_token": token}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert _audits("user.password_reset") == 1
    assert session.get("/applications/").status_code == 302  # its sessions ended
    assert login(_client(app), "coord", NEW).status_code == 302
    # single use: the same link again is dead
    again = client.get(link)
    assert again.status_code == 302 and again.headers["Location"].endswith("/password/forgot")


def test_a_reset_link_dies_after_30_minutes_and_with_a_new_password(app):
    account = f.user("coordinator", "coord")
    account.email = "coord@example.invalid"
    db.session.commit()
    client = _client(app)
    _forgot(client, "coord")
    _forgot(client, "coord")  # within minutes of the first: no second message
    app.config["FROZEN_NOW"] = BEFORE_DEADLINE + timedelta(minutes=5)
    _forgot(client, "coord")
    app.config["FROZEN_NOW"] = BEFORE_DEADLINE
    db.session.rollback()
    messages = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
    first, second = [_link(m) for m in messages]  # in the order sent (PostgreSQL has no other)
    app.config["FROZEN_NOW"] = BEFORE_DEADLINE + timedelta(minutes=31)
    assert client.get(first).status_code == 302
    assert client.get(second).status_code == 200  # sent 5 minutes later
    signed = _signed_in(app, "coord")
    assert _change(signed, f.PASSWORD, NEW).status_code == 302
    assert client.get(second).status_code == 302  # the password it would replace is gone
    forged = second.replace("t=", "t=x")
    assert client.get(forged).status_code == 302
