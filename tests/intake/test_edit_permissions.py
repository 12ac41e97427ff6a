"""The 修改 button and the edit service agree (issue 17, point 5): for every role and state the
button shows, the edit page opens and update_fields accepts exactly when
can_edit_application says so; a refusal changes nothing."""

import pytest
from flask import g
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.errors import PermissionDenied
from review_app.extensions import db
from review_app.intake.permissions import can_edit_application
from review_app.intake.service import update_fields
from review_app.workflow.states import FINAL_STATES, STATE_NAMES

from .. import factories as f
from ..conftest import login

BUTTON = "修改申报信息"


def _expected(role: str, state: str) -> bool:
    """The rule as written in README (匿名化) and intake/permissions.py."""
    if role == "coordinator":
        return state not in FINAL_STATES
    if role == "prefecture":
        return state in ("submitted", "returned")
    return False  # another prefecture, the applicant, the inspector


@pytest.fixture()
def world(app):
    application = f.application(pref="郑州市")
    users = {
        "coordinator": f.user("coordinator", "coord"),
        "prefecture": f.user("prefecture", "zzofficer", prefecture="郑州市"),
        "other_prefecture": f.user("prefecture", "lyofficer", prefecture="洛阳市"),
        "applicant": f.user("applicant", "applicant1", enterprise_id=application.enterprise_id),
        "inspector": f.user("inspector", "inspector1"),
    }
    f.sample_for_inspection(application, users["inspector"])
    db.session.commit()
    clients = {}
    for role, user in users.items():
        g.pop("csrf_token", None)  # one app context for all clients: no cached token
        clients[role] = app.test_client()
        login(clients[role], user.username)
    return application, users, clients


@pytest.mark.parametrize("state", list(STATE_NAMES))
def test_button_page_and_service_agree(app, world, state):
    application, users, clients = world
    application.state = state
    db.session.commit()
    for role, user in users.items():
        allowed = _expected(user.role if role != "other_prefecture" else role, state)
        assert can_edit_application(user, application) == allowed, (role, state)
        show = clients[role].get(f"/applications/{application.id}")
        if show.status_code == 200:
            assert (BUTTON in show.get_data(as_text=True)) == allowed, (role, state)
        else:
            assert show.status_code == 403 and not allowed
        edit = clients[role].get(f"/intake/applications/{application.id}/edit")
        assert edit.status_code == (200 if allowed else 403), (role, state)
        db.session.expire_all()
        head = db.session.scalar(select(func.max(AuditEvent.id)))
        values = {"application": {"honours": f"荣誉{role}{state}"}}
        if allowed:
            update_fields(application, values, user)
            assert application.honours == f"荣誉{role}{state}"
            db.session.rollback()
        else:
            with pytest.raises(PermissionDenied):
                update_fields(application, values, user)
            db.session.rollback()
            assert db.session.scalar(select(func.max(AuditEvent.id))) == head
            assert application.honours != f"荣誉{role}{state}"


def test_the_prefecture_list_shows_the_link_by_the_same_rule(app, world):
    application, users, clients = world
    for state in STATE_NAMES:
        application.state = state
        db.session.commit()
        page = clients["prefecture"].get("/intake/").get_data(as_text=True)
        link = f"/intake/applications/{application.id}/edit"
        assert (link in page) == _expected("prefecture", state), state
