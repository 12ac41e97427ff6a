"""Buttons and refusals ask the same predicates (DESIGN.md section 12).

For each role, on each page that shows actions (the top bar, the application page, the result
notices): every action appears exactly when its predicate allows it, and a request for an action
whose button is hidden is refused with nothing written (audit chain and rows unchanged)."""

import re

import pytest
from flask import url_for
from sqlalchemy import func, select

from review_app.anonymise.permissions import can_anonymise, can_see_anonymisation_status
from review_app.assignment.permissions import can_adjust_experts
from review_app.audit.models import AuditEvent
from review_app.auth.models import User
from review_app.decision.models import ResultNotice
from review_app.decision.permissions import can_release_notices, can_view_notices
from review_app.extensions import db
from review_app.intake.permissions import (
    can_download_template,
    can_edit_application,
    can_recheck_format,
)
from review_app.nav import NAV
from review_app.scoring.permissions import can_view_score_breakdown

from ..conftest import csrf_from, login
from . import world as wmod
from .world import ROLES

LINK_RE = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


@pytest.fixture()
def world(app):
    return wmod.build()


def _client(app, world, role):
    client = app.test_client()
    login(client, world.users[role])
    user = db.session.execute(select(User).filter_by(username=world.users[role])).scalar_one()
    return client, user


def _url(app, endpoint, **args) -> str:
    with app.test_request_context():
        return url_for(endpoint, **args)


def _written() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        db.session.scalar(select(func.count()).select_from(ResultNotice)),
    )


def _top_bar(html: str) -> dict[str, str]:
    bar = html.split('<header class="topbar">', 1)[1].split("</nav>", 1)[0]
    return {label: href for href, label in LINK_RE.findall(bar)}


@pytest.mark.parametrize("role", ROLES)
def test_top_bar_shows_a_link_exactly_when_its_page_answers(app, world, role):
    client, user = _client(app, world, role)
    links = _top_bar(client.get("/password").get_data(as_text=True))
    for allowed, label, endpoint, _args in NAV:
        assert (label in links) == allowed(user), (role, label)
        href = _url(app, endpoint, **_args)
        status = client.get(href).status_code
        if allowed(user):
            assert label in links and links[label] == href
            assert status in (200, 302), (role, endpoint, status)
        else:
            assert status == 403, (role, endpoint, status)


@pytest.mark.parametrize("role", ("coordinator", "prefecture", "applicant", "inspector"))
def test_application_page_buttons_follow_their_predicates(app, world, role):
    client, user = _client(app, world, role)
    application = world.own_app
    aid = application.id
    html = client.get(f"/applications/{aid}").get_data(as_text=True)
    buttons = {
        "评分明细": (can_view_score_breakdown, _url(app, "scoring.breakdown", application_id=aid)),
        "调整评审专家": (can_adjust_experts, _url(app, "assignment.manual", application_id=aid)),
        "匿名化": (can_anonymise, _url(app, "anonymise.show", application_id=aid)),
        "修改申报信息": (can_edit_application, _url(app, "intake.edit", application_id=aid)),
    }
    for label, (predicate, url) in buttons.items():
        shown = f'href="{url}"' in html
        assert shown == predicate(user, application), (role, label)
        if label == "修改申报信息":  # refused exactly when hidden (the save would be too)
            assert (client.get(url).status_code == 403) == (not shown), role
        elif not predicate(user):  # the role may never: the page itself is refused
            assert client.get(url).status_code == 403, (role, label)
    recheck = _url(app, "intake.recheck", application_id=aid)
    shown = f'action="{recheck}"' in html
    assert shown == can_recheck_format(user, application), role
    assert ("匿名化已确认" in html or "匿名化待确认" in html) <= can_see_anonymisation_status(user)
    if not shown:
        before = _written()
        response = client.post(recheck, data={"csrf_token": csrf_from(html)})
        assert response.status_code == 403, role
        db.session.expire_all()
        assert _written() == before
    listing = client.get("/applications/").get_data(as_text=True)
    assert ("空白申报书" in listing) == can_download_template(user), role


@pytest.mark.parametrize("role", ROLES)
def test_notice_buttons_follow_their_predicates_and_hidden_ones_are_refused(app, world, role):
    client, user = _client(app, world, role)
    notices = _url(app, "decision.notice_list")
    response = client.get(notices)
    if not can_view_notices(user):
        assert response.status_code == 403, role
        return
    html = response.get_data(as_text=True)
    release = can_release_notices(user)
    assert ('value="generate"' in html) == release, role
    assert ('value="release_all"' in html) == release, role
    sheets = _url(app, "decision.prefecture_results", prefecture_id=world.mine["prefecture_id"])
    assert (sheets in html) == release, role
    if release:
        return
    before = _written()
    token = csrf_from(html)
    for action in ("generate", "release_all"):
        response = client.post(notices, data={"csrf_token": token, "action": action})
        assert response.status_code == 403, (role, action)
    released = client.post(
        notices,
        data={"csrf_token": token, "action": "release", "notice_id": world.mine["notice_id"]},
    )
    assert released.status_code == 403, role
    xlsx = _url(app, "decision.prefecture_results", prefecture_id=world.mine["prefecture_id"])
    assert client.get(xlsx).status_code == 403, role
    db.session.expire_all()
    assert _written() == before
