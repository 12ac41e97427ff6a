"""Experts never lose work (issue 22, item 2): the form token lives as long as the session, a
refused post re-renders the form with everything typed, drafts autosave through the same post as
保存草稿, a value outside a criterion's range is an error beside the field (nothing saved), and
the page says where the task stands in the expert's list with a link to the next open one."""

import re

from flask import g
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from review_app.assignment import service as assignment_service
from review_app.assignment.models import Assignment
from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.scoring.models import Review, ReviewScore
from review_app.scoring.rubric import rubric_for

from ..assignment.test_service import _panels, _ready  # noqa: F401
from ..conftest import csrf_from, login
from .test_scoring import COMMENT, _assigned, _mine, _values


def _form(client, a, fraction=0.8):
    url = f"/expert/assignments/{a.id}/score"
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "comment": COMMENT, "action": "save", "version": ""}
    for code, (points, _) in _values(a.section, fraction).items():
        data[f"c_{code}"] = str(points)
    return url, data


def _counts():
    return [db.session.scalar(select(func.count(m.id))) for m in (Review, ReviewScore, AuditEvent)]


def _task(client):
    application, _ = _assigned()
    a = _mine(application)[0]
    db.session.commit()
    login(client, a.expert.user.username)
    return a


def test_the_form_token_lives_as_long_as_the_session(app, client, monkeypatch):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    a = _task(client)
    url, data = _form(client, a)
    two_hours_on = int(TimestampSigner.get_timestamp(TimestampSigner("k"))) + 7200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_on)
    response = client.post(url, data=data)  # the token is two hours old now
    monkeypatch.undo()
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(Review).where(Review.assignment_id == a.id)).scalar_one()


def test_a_token_of_another_session_is_refused_and_the_form_comes_back_typed(app, client):
    a = _task(client)
    url, data = _form(client, a)
    other = app.test_client()
    g.pop("csrf_token", None)  # the test's app context outlives requests: a token per session
    login(other, a.expert.user.username)  # a second session of the same expert
    csrf_from(other.get(url).get_data(as_text=True))
    before = _counts()
    data["comment"] = "这是刚刚输入、尚未保存的评审意见，不能丢失。"
    response = other.post(url, data=data)  # the first session's token
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "安全令牌已失效" in html and "已填写的内容已保留" in html
    assert "这是刚刚输入、尚未保存的评审意见，不能丢失。" in html
    first = next(k for k in data if k.startswith("c_"))
    assert f'value="{data[first]}"' in html
    db.session.rollback()
    assert _counts() == before
    # the re-rendered form carries a token of this session: posting it again saves
    again = other.post(url, data=dict(data, csrf_token=csrf_from(html)))
    assert again.status_code == 302


def test_a_post_without_script_saves_a_draft(app, client):
    a = _task(client)
    url, data = _form(client, a)
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.expire_all()
    review = db.session.execute(select(Review).where(Review.assignment_id == a.id)).scalar_one()
    assert review.status == "draft" and review.comment == COMMENT


def test_autosave_is_the_draft_post_and_answers_the_new_version(app, client):
    a = _task(client)
    url, data = _form(client, a)
    page = client.get(url).get_data(as_text=True)
    assert 'data-autosave-url="' + url + '"' in page and "autosave-status" in page
    # an autosave never submits, even when the form's last button was 提交
    response = client.post(url, data=dict(data, action="submit"), headers={"X-Autosave": "1"})
    assert response.status_code == 200
    version = response.get_json()["version"]
    db.session.expire_all()
    review = db.session.execute(select(Review).where(Review.assignment_id == a.id)).scalar_one()
    assert review.status == "draft" and review.version == version
    assert a.status == "assigned"
    # the next autosave carries the new version; one with the old version is refused (409)
    ok = client.post(url, data=dict(data, version=str(version), comment="改过"),
                     headers={"X-Autosave": "1"})  # fmt: skip
    assert ok.status_code == 200 and ok.get_json()["version"] != version
    before = _counts()
    stale = client.post(url, data=dict(data, version=str(version)), headers={"X-Autosave": "1"})
    assert stale.status_code == 409 and "其他窗口" in stale.get_json()["error"]
    db.session.rollback()
    assert _counts() == before
    # without a token the autosave is refused like any post
    refused = client.post(url, data=dict(data, csrf_token="x"), headers={"X-Autosave": "1"})
    assert refused.status_code == 400 and "页面已过期" in refused.get_json()["error"]


def test_a_value_outside_the_range_is_an_error_beside_the_field(app, client):
    a = _task(client)
    url, data = _form(client, a)
    criterion = rubric_for("excellent").section(a.section.key).criteria[0]
    field = f"c_{criterion.code}"
    before = _counts()
    for action in ("save", "submit"):
        response = client.post(url, data=dict(data, **{field: str(criterion.max + 1)},
                                               action=action))  # fmt: skip
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        row = html[html.index(f'id="{field}"') :]
        row = row[: row.index('class="criterion-row"')] if 'class="criterion-row"' in row else row
        assert f"应在0–{criterion.max:g}之间" in row and f'id="{field}-error"' in row
        assert (
            'aria-invalid="true"' in html[html.rindex("<input", 0, html.index(f'id="{field}"')) :]
        )
        assert f'value="{criterion.max + 1:g}"' in html or f'value="{criterion.max + 1}"' in html
        db.session.rollback()
        assert _counts() == before  # nothing saved, not a capped value
    response = client.post(url, data=dict(data, **{field: "-1"}))
    assert response.status_code == 400
    db.session.rollback()
    assert _counts() == before


def test_the_page_says_which_task_of_how_many_and_links_the_next_open_one(app, client):
    _ready(3)
    program, coordinator, _ = _panels()
    assignment_service.commit(program, "excellent", 1, None, coordinator)
    busiest = db.session.execute(
        select(Assignment.expert_id).group_by(Assignment.expert_id)
        .order_by(func.count(Assignment.id).desc())
    ).scalars().first()  # fmt: skip
    a = (
        db.session.execute(select(Assignment).where(Assignment.expert_id == busiest))
        .scalars()
        .first()
    )
    db.session.commit()
    login(client, a.expert.user.username)
    rows = db.session.execute(
        select(Assignment)
        .where(Assignment.expert_id == a.expert_id, Assignment.status != "declined_conflict")
        .order_by(Assignment.due_date, Assignment.id)
    ).scalars().all()  # fmt: skip
    assert len(rows) >= 2, "the fixture gives the expert several tasks"
    first, second = rows[0], rows[1]
    html = client.get(f"/expert/assignments/{first.id}/score").get_data(as_text=True)
    assert f"第 1/{len(rows)} 份" in html
    link = re.search(r'href="([^"]+)">下一份<', html)
    assert link and link.group(1) == f"/expert/assignments/{second.id}/score"
    # once the second is submitted, 下一份 skips it
    second.status = "submitted"
    db.session.commit()
    html = client.get(f"/expert/assignments/{first.id}/score").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">下一份<', html)
    expected = next((r.id for r in rows[2:] if r.status in ("assigned", "reopened")), None)
    if expected is None:
        assert link is None and "没有其他待评分的任务" in html
    else:
        assert link.group(1) == f"/expert/assignments/{expected}/score"
    # from the last task the next open one wraps round to the first
    html = client.get(f"/expert/assignments/{rows[-1].id}/score").get_data(as_text=True)
    assert f"第 {len(rows)}/{len(rows)} 份" in html
    link = re.search(r'href="([^"]+)">下一份<', html)
    assert link and link.group(1) == f"/expert/assignments/{first.id}/score"
