"""Every POST needs the CSRF token: the app-wide CSRFProtect refuses it before any view runs."""

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db

from . import factories as f
from .conftest import login

POSTS = [
    ("coordinator", "/anonymise/applications/{id}/run"),
    ("coordinator", "/anonymise/applications/{id}/confirm"),
    ("coordinator", "/assignment/conflicts"),
    ("coordinator", "/assignment/excellent"),
    ("coordinator", "/assignment/applications/{id}"),
    ("coordinator", "/scoring/flags"),
    ("coordinator", "/experts/import"),
    ("coordinator", "/intake/applications/{id}/recheck"),
    ("coordinator", "/admin/audit"),
    ("prefecture", "/intake/order/excellent"),
    ("prefecture", "/intake/upload"),
    ("prefecture", "/applications/{id}/transition/endorse"),
]


@pytest.mark.parametrize(("role", "url"), POSTS)
def test_post_without_token_is_refused_and_changes_nothing(app, client, role, url):
    application = f.application()
    f.user(role, "someone")
    db.session.commit()
    login(client, "someone")
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    response = client.post(url.format(id=application.id), data={"action": "detect"})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before
