"""Pages whose forms depend on the role only (DESIGN.md section 12), asked through the same
predicates as their views: each role opens the page exactly when the page's predicate allows,
and a POST from a role the predicate refuses answers 403 with nothing written. On the pages
each role lands on (dashboards, lists), every link shown opens for that role."""

import re

import pytest
from flask import url_for
from sqlalchemy import func, select

from review_app.admin.permissions import can_manage_users, can_verify_audit
from review_app.assignment.permissions import can_adjust_experts
from review_app.auth.models import User
from review_app.decision.permissions import can_release_notices, can_view_notices
from review_app.draws.permissions import can_answer_invitation, can_manage_draws, can_sign_pledge
from review_app.experts.permissions import can_manage_experts
from review_app.extensions import db
from review_app.intake.permissions import can_recommend
from review_app.outbox.permissions import can_manage_outbox
from review_app.scoring.permissions import can_resolve_flag
from review_app.webhooks.permissions import can_manage_webhooks

from . import world as wmod
from .actions_table import TABLES
from .world import client_as

# (endpoint, url arguments taken from world.mine, page predicate, POST predicate or None for
# the page's, form data of a plausible POST)
FORM_PAGES = (
    ("admin.audit", (), can_verify_audit, None, {}),
    ("admin.users", (), can_manage_users, None,
     {"username": "newuser", "display_name": "新用户", "role": "expert"}),
    ("admin.user", ("user_id",), can_manage_users, None, {"acct-action": "disable"}),
    ("assignment.auto", ("track",), can_adjust_experts, None, {"action": "preview"}),
    ("assignment.manual", ("application_id",), can_adjust_experts, None,
     {"action": "remove", "assignment_id": "assignment_id"}),
    ("assignment.conflicts", (), can_adjust_experts, None, {"action": "detect"}),
    ("assignment.panels", (), can_adjust_experts, None, {"action": "ensure"}),
    ("decision.notice_list", (), can_view_notices, can_release_notices, {"action": "generate"}),
    ("draws.index", (), can_manage_draws, None, {}),
    ("draws.panel", ("panel_id",), can_manage_draws, None, {"seed": "1"}),
    ("draws.pool", (), can_manage_draws, None, {}),
    ("draws.invitation", ("invitation_id",), can_answer_invitation, None,
     {"action": "decline", "reason": "时间冲突"}),
    ("draws.pledge", (), can_sign_pledge, None, {"signed_name": "某人", "agreed": "y"}),
    ("experts_admin.edit", ("expert_id",), can_manage_experts, None, {"capacity": "1"}),
    ("intake.upload", (), can_recommend, None, {}),
    ("intake.summary_import", (), can_recommend, None, {}),
    ("outbox.index", (), can_manage_outbox, None, {"action": "release_all"}),
    ("outbox.show", ("message_id",), can_manage_outbox, None, {"action": "cancel"}),
    ("scoring.flags", (), can_resolve_flag, None,
     {"flag_id": "1", "mode": "consensus", "reason": "合议"}),
    ("webhooks.index", (), can_manage_webhooks, None,
     {"url": "http://93.184.215.14:9/x", "name": "接收方"}),
)  # fmt: skip

# Pages a role lands on or lists from: every link they show must open for the role.
LANDING = (
    ("dashboard.home", ()),
    ("applications.index", ()),
    ("applications.show", ("application_id",)),
    ("expert.assignments", ()),
    ("expert.assignment", ("assignment_id",)),
    ("inspection.index", ()),
    ("decision.notice_list", ()),
    ("draws.invitations", ()),
    ("jobs.index", ()),
    ("admin.users", ()),
)
HREF_RE = re.compile(r'href="(/[^"#]*)"')


@pytest.fixture()
def world(app):
    return wmod.build()


def _url(app, endpoint, keys, world) -> str:
    with app.test_request_context():
        return url_for(endpoint, **{k: world.mine[k] for k in keys})


def _counts() -> tuple:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in TABLES)


def _users(world) -> dict:
    return {
        role: db.session.execute(select(User).filter_by(username=name)).scalar_one()
        for role, name in world.users.items()
    }


def test_role_gated_forms_open_and_refuse_as_their_predicates_say(app, world):
    users = _users(world)
    for role, name in world.users.items():
        client, user = client_as(app, name), users[role]
        for endpoint, keys, page_predicate, post_predicate, data in FORM_PAGES:
            url = _url(app, endpoint, keys, world)
            status = client.get(url).status_code
            assert (status == 200) == page_predicate(user), (role, endpoint, status)
            if (post_predicate or page_predicate)(user):
                continue
            form = {k: world.mine.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
            before = _counts()
            response = client.post(url, data={"csrf_token": client.csrf,
                                              "acct-csrf_token": client.csrf, **form})  # fmt: skip
            assert response.status_code == 403, (role, endpoint, response.status_code)
            assert _counts() == before, (role, endpoint)


def test_every_link_a_landing_page_shows_opens_for_the_viewer(app, world):
    for role, name in world.users.items():
        client = client_as(app, name)
        checked = 0
        for endpoint, keys in LANDING:
            page = client.get(_url(app, endpoint, keys, world))
            if page.status_code != 200:
                continue
            content = page.get_data(as_text=True).split("</header>", 1)[-1]
            links = {h.replace("&amp;", "&") for h in HREF_RE.findall(content)}
            for href in sorted(links):
                if href.startswith(("/static/", "/logout")):
                    continue
                status = client.get(href).status_code
                assert status not in (403, 404, 500), (role, endpoint, href, status)
                checked += 1
        assert checked, role  # every role lands somewhere with links
