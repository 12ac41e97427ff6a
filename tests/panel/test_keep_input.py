"""Experts never lose work (issue 22 point 2): a refused or stale 复议 post or 专家组意见 comes
back as the same page (400) with everything typed, the error beside its box, nothing written."""

import re
from html import unescape

import pytest

from review_app.extensions import db
from review_app.panel import opinions
from review_app.panel.models import PanelOpinion
from review_app.web import STALE_PAGE

from ..conftest import csrf_from
from ..form_checks import changed, contents, control, error_block, tied
from . import world as wmod


def box(html: str, field_id: str) -> str:
    """The text of a textarea (WTForms starts it with a line break the browser drops)."""
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {field_id}"
    return unescape(match.group(1))


def _flagged():
    return wmod.flagged()


@pytest.mark.parametrize(
    ("body", "message"),
    [("   \n ", "请填写发言内容。"), ("依据" * 1000 + "长", "不能超过2000字。")],
    ids=["blank", "too-long"],
)
def test_a_refused_post_keeps_the_typed_text_beside_its_error(app, body, message):
    w, flag, experts = _flagged()
    client = wmod.signed_in(app, experts[0].user.username)
    url = f"/panel/flags/{flag.id}"
    before = contents()
    response = wmod.post(client, url, {"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="thread-post"' in html
    assert tied(html, "body", message)
    assert box(html, "body") == body
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_the_post(app):
    w, flag, experts = _flagged()
    client = wmod.signed_in(app, experts[0].user.username)
    before = contents()
    text = "第3项的数据来源请企业补充说明。"
    response = client.post(f"/panel/flags/{flag.id}", data={"csrf_token": "stale", "body": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and STALE_PAGE in html
    assert box(html, "body") == text and "aria-invalid" not in control(html, "body")
    assert changed(before, contents()) == []
    # the page carries a fresh token: sending it again posts
    again = client.post(f"/panel/flags/{flag.id}",
                        data={"csrf_token": csrf_from(html), "body": text})  # fmt: skip
    assert again.status_code == 302 and text in client.get(again.location).get_data(as_text=True)


def _drafted():
    w = wmod.build()
    tasks = wmod.panel_tasks(w)
    lead = tasks[0].expert
    opinions.set_lead(w.panel, lead, w.actors.coordinator)
    opinion = opinions.start(w.app, w.panel, lead.user)
    db.session.commit()
    url = f"/panel/opinions/{w.app.id}/{w.panel.id}"
    return w, tasks, lead, opinion, url


def test_a_refused_opinion_keeps_all_three_texts(app):
    w, tasks, lead, opinion, url = _drafted()
    client = wmod.signed_in(app, lead.user.username)
    # one box over its own limit: the error beside it, the others untouched, all as typed
    text = {"strengths": "优" * 2001, "problems": "数据分析不足。", "recommendation": "建议推荐。"}
    before = contents()
    response = wmod.post(client, url, {"action": "save", "version": opinion.version, **text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and tied(html, "strengths", "不能超过2000字。")
    assert error_block(html, "problems") is None and "aria-invalid" not in control(html, "problems")
    assert {k: box(html, k) for k in text} == text
    assert changed(before, contents()) == []
    # the three together over 800 字 (the rules, no one box to blame): said above, all kept
    text = {"strengths": "优" * 300, "problems": "问" * 300, "recommendation": "建" * 201}
    response = wmod.post(client, url, {"action": "circulate", "version": opinion.version, **text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "超过800字" in html
    assert {k: box(html, k) for k in text} == text
    assert changed(before, contents()) == []


def test_a_stale_opinion_keeps_the_text_and_saves_it_on_purpose(app):
    w, tasks, lead, opinion, url = _drafted()
    client = wmod.signed_in(app, lead.user.username)
    old_version = opinion.version
    # another window saves first
    opinions.save(opinion, "另一窗口的优点。", "另一窗口的问题。", "另一窗口的建议。", lead.user,
                  version=old_version)  # fmt: skip
    db.session.commit()
    mine = {
        "strengths": "本窗口的优点。",
        "problems": "本窗口的问题。",
        "recommendation": "本窗口的建议。",
    }
    before = contents()
    response = wmod.post(client, url, {"action": "save", "version": old_version, **mine})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "该意见已在其他窗口保存过" in html
    assert {k: box(html, k) for k in mine} == mine
    assert changed(before, contents()) == []
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    db.session.expire_all()
    assert version == db.session.get(PanelOpinion, opinion.id).version != old_version
    # the page as it came back, sent again: the typed text is saved
    response = client.post(url, data={"csrf_token": csrf_from(html), "action": "save",
                                      "version": version, **mine})  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PanelOpinion, opinion.id).strengths == "本窗口的优点。"


def test_a_stale_token_keeps_the_opinion(app):
    w, tasks, lead, opinion, url = _drafted()
    client = wmod.signed_in(app, lead.user.username)
    mine = {"strengths": "优点。", "problems": "问题。", "recommendation": "建议。"}
    before = contents()
    response = client.post(url, data={"csrf_token": "stale", "action": "save",
                                      "version": opinion.version, **mine})  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and STALE_PAGE in html
    assert {k: box(html, k) for k in mine} == mine
    assert changed(before, contents()) == []


def test_a_refused_sign_shows_the_stored_draft_not_empty_boxes(app):
    w, tasks, lead, opinion, url = _drafted()
    opinions.circulate(opinion, lead.user)
    db.session.commit()
    client = wmod.signed_in(app, lead.user.username)
    before = contents()
    response = wmod.post(client, url, {"action": "sign"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "位组员未表态，暂不能签发" in html
    db.session.expire_all()
    stored = db.session.get(PanelOpinion, opinion.id)
    assert box(html, "strengths") == stored.strengths != ""
    assert changed(before, contents()) == []


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "提出异议请说明理由。"), ("过" * 1001, "不能超过1000字。")],
    ids=["no-reason", "too-long"],
)
def test_a_refused_objection_keeps_the_reason_beside_its_error(app, reason, message):
    w, tasks, lead, opinion, url = _drafted()
    opinions.circulate(opinion, lead.user)
    db.session.commit()
    client = wmod.signed_in(app, tasks[1].expert.user.username)
    before = contents()
    response = wmod.post(client, url, {"action": "object", "reason": reason})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="opinion-vote"' in html
    assert tied(html, "reason", message) and box(html, "reason") == reason
    assert changed(before, contents()) == []
