"""推荐 is disabled with the reason while the format report has blocking problems; the page says
why before the click and the service refuses the same way."""

import re

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.enterprises.uscc import make_uscc
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.intake.service import import_docx, run_format_check
from review_app.programs.service import current_program
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, login, post_form
from .conftest import docx_for, valid_sample


@pytest.fixture()
def officer(app):
    user = f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    return user


def _blocked(officer):
    parsed = valid_sample(n=1)
    application = import_docx(
        current_program(), officer.prefecture, docx_for(parsed), "1.docx", officer
    )
    f.write_opinion(application)
    uscc = application.enterprise.uscc
    application.enterprise.uscc = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    run_format_check(application, officer)
    db.session.commit()
    return application


def _endorse_button(html: str) -> str:
    return re.search(r"<button[^>]*>推荐</button>", html).group(0)


def test_the_list_disables_endorse_and_says_why(app, client, officer):
    application = _blocked(officer)
    message = next(p["message"] for p in application.format_report if p["severity"] == "blocking")
    login(client, "lyofficer")
    html = client.get("/intake/").get_data(as_text=True)
    assert "disabled" in _endorse_button(html)
    assert "形式审查报告中有未解决的阻断问题" in html and message in html


def test_the_application_page_disables_endorse_and_says_why(app, client, officer):
    application = _blocked(officer)
    login(client, "lyofficer")
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    button = re.search(r"<button[^>]*>地市推荐</button>", html).group(0)
    assert "disabled" in button
    assert "形式审查报告中有未解决的阻断问题" in html


def test_endorsing_is_refused_and_nothing_changes(app, client, officer):
    application = _blocked(officer)
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    login(client, "lyofficer")
    response = post_form(
        client, f"/applications/{application.id}/transition/endorse", token_page="/intake/"
    )
    assert response.status_code in (302, 400, 409)
    db.session.expire_all()
    assert application.state == "submitted"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    page = client.get("/intake/", follow_redirects=True).get_data(as_text=True)
    assert "形式审查报告中有未解决的阻断问题" in page


def test_once_corrected_endorse_is_enabled(app, client, officer):
    application = _blocked(officer)
    application.enterprise.uscc = make_uscc("410300", "MA000001")
    run_format_check(application, officer)
    db.session.commit()
    assert not any(p["severity"] == "blocking" for p in application.format_report)
    login(client, "lyofficer")
    html = client.get("/intake/").get_data(as_text=True)
    assert "disabled" not in _endorse_button(html)


def test_the_service_refuses_with_the_same_reason(app, officer):
    application = _blocked(officer)
    message = next(p["message"] for p in application.format_report if p["severity"] == "blocking")
    with pytest.raises(DomainError, match="形式审查报告中有未解决的阻断问题") as refused:
        fire(application, "endorse", officer, now=BEFORE_DEADLINE)
    assert message in str(refused.value.message)
    db.session.rollback()
    assert db.session.get(type(application), application.id).state == "submitted"
