"""复议 as a discussion: the flagged section's experts (by code) and the coordinator post; each
post notifies the other experts through the outbox; the thread is kept, read-only, once the flag
is resolved; strangers are refused and refused posts write nothing."""

from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from review_app.panel.models import FlagPost
from review_app.scoring import service as scoring

from .. import factories as f
from . import world as wmod


def _flagged():
    w, flag, experts = wmod.flagged()
    for e in experts:
        e.email = f"{e.user.username}@example.invalid"
    w.actors.coordinator.email = "coordinator@example.invalid"
    db.session.commit()
    return w, flag, experts


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(t))
        for t in (FlagPost, OutboxMessage, AuditEvent)
    )


def test_an_assigned_expert_posts_by_code_and_the_others_are_notified(app):
    w, flag, experts = _flagged()
    client = wmod.signed_in(app, experts[0].user.username)
    url = f"/panel/flags/{flag.id}"
    response = wmod.post(client, url, {"body": "我的评分依据是第3项数据不完整。"})
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "第3项数据不完整" in html and "专家A" in html
    assert all(e.name not in html for e in experts)  # codes only, never names
    messages = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "flag_post")
    ).scalars().all()  # fmt: skip
    coordinator_address = w.actors.coordinator.email
    assert coordinator_address  # the coordinators with an address are told of an expert's post
    assert sorted(m.to_address for m in messages) == sorted(
        [e.email for e in experts[1:]] + [coordinator_address]
    )
    assert all(w.app.anon_code in m.subject for m in messages)
    assert all(wmod.NAME not in m.body for m in messages)
    # The coordinator sees names beside the codes and answers.
    coordinator = wmod.signed_in(app, w.actors.coordinator.username)
    page = coordinator.get(url).get_data(as_text=True)
    assert experts[0].name in page
    assert wmod.post(coordinator, url, {"body": "请各位专家说明依据。"}).status_code == 302
    # the coordinator's own post tells the three experts, not the coordinator
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3 + 3


def test_strangers_are_refused_and_bad_posts_write_nothing(app):
    w, flag, experts = _flagged()
    url = f"/panel/flags/{flag.id}"
    stranger = f.expert()
    db.session.commit()
    client = wmod.signed_in(app, stranger.user.username)
    assert client.get(url).status_code == 404
    officer = wmod.signed_in(app, w.actors.prefecture.username)
    assert officer.get(url).status_code == 403
    member = wmod.signed_in(app, experts[1].user.username)
    before = _counts()
    response = wmod.post(member, url, {"body": "   "})
    assert response.status_code == 400 and "请填写发言内容。" in response.get_data(as_text=True)
    response = wmod.post(member, url, {"body": "长" * 2001})
    assert response.status_code == 400 and _counts() == before


def test_the_thread_is_kept_read_only_after_consensus(app):
    w, flag, experts = _flagged()
    url = f"/panel/flags/{flag.id}"
    member = wmod.signed_in(app, experts[1].user.username)
    wmod.post(member, url, {"body": "同意维持原评分。"})
    scoring.resolve_flag(flag, "consensus", "经讨论维持", [], w.actors.coordinator)
    db.session.commit()
    html = member.get(url).get_data(as_text=True)
    assert (
        "同意维持原评分" in html and 'id="thread-post"' not in html and "讨论记录保留备查" in html
    )
    before = _counts()
    response = member.post(url, data={"csrf_token": wmod.token(member), "body": "再补充一句"})
    assert response.status_code == 400 and _counts() == before
    # the form is gone (resolved meanwhile), but what was typed is shown to copy
    html = response.get_data(as_text=True)
    assert 'id="thread-post"' not in html and "再补充一句</textarea>" in html
