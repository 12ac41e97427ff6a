"""Anonymising stored applications: redaction stored per section, leaks block distribution,
coordinator terms, confirmation, and the coordinator's page."""

import pytest
from sqlalchemy import select

from review_app.anonymise import service
from review_app.audit.models import AuditEvent
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE, login, post_form

NAME = "洛阳中原轴承股份有限公司"


def _application(**kwargs):
    text = (
        f"{NAME}（以下简称“中原轴承”）成立于2005年，由总经理王建国负责智能化建设。"
        "中原轴承建成了MES与ERP集成平台，关键工序数控化率达到86%。"
        "联系电话0379-64321234，邮箱info@zyzc.com.cn，网址www.zyzc.com.cn。"
    )
    sections = {
        key: text
        for key in ("profile", "overview.background", "overview.integration", "link.factory",
                    "link.rnd", "link.production", "link.prod_mgmt", "link.operations",
                    "plan.goals", "plan.content", "plan.growth", "plan.promotion")
    }  # fmt: skip
    application = f.application(name=NAME, pref="洛阳市", sections=sections, anonymised=False)
    application.enterprise.legal_rep_name = "王建国"
    application.enterprise.contact_phone = "0379-64321234"
    application.enterprise.contact_email = "info@zyzc.com.cn"
    db.session.flush()
    return application


def test_anonymise_stores_redacted_text_and_report(app):
    application = _application()
    leaks = service.anonymise_application(application, f.user("coordinator"))
    assert leaks == []
    section = application.section("link.factory")
    text = section.anonymised_text
    for secret in ("中原轴承", "王建国", "0379-64321234", "info@zyzc.com.cn", "www.zyzc.com.cn",
                   "洛阳"):  # fmt: skip
        assert secret not in text
    for kept in ("MES", "ERP", "86%", "2005"):
        assert kept in text
    assert "【企业】" in text and "【人名】" in text and "【电话】" in text
    assert section.leak_status == "clean"
    originals = {r["original"] for r in section.redaction_report["replacements"]}
    assert "王建国" in originals
    assert db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "application.anonymise")
    ).scalar_one()


def test_a_leak_blocks_confirmation_and_distribution(app):
    application = _application()
    coordinator = f.user("coordinator")
    service.anonymise_application(application, coordinator)
    section = application.section("link.rnd")
    # A leak slips in (as if the redaction had missed it): the confirmation must refuse.
    section.leak_status = "leaking"
    with pytest.raises(DomainError, match="研发设计"):
        service.confirm_anonymisation(application, coordinator)
    assert application.section("link.factory").leak_status == "clean"


def test_confirmation_opens_distribution(app):
    application = _application()
    coordinator = f.user("coordinator")
    service.anonymise_application(application, coordinator)
    assert "尚未确认" in service.distribution_refusal(application)
    service.confirm_anonymisation(application, coordinator)
    assert service.distribution_refusal(application) is None
    assert {s.leak_status for s in application.sections} == {"confirmed"}


def test_terms_redact_and_keep(app):
    application = _application()
    application.section("link.factory").text += "产品以“伊河牌”轴承为主。"
    coordinator = f.user("coordinator")
    service.set_term(application, "伊河牌", "redact", coordinator)
    assert "伊河牌" not in application.section("link.factory").anonymised_text
    term = service.terms_of(application)[0]
    service.remove_term(application, term.id, coordinator)
    assert "伊河牌" in application.section("link.factory").anonymised_text


def test_a_new_term_voids_the_confirmation(app):
    application = _application()
    coordinator = f.user("coordinator")
    service.anonymise_application(application, coordinator)
    service.confirm_anonymisation(application, coordinator)
    service.set_term(application, "伊河牌", "redact", coordinator)
    assert service.distribution_refusal(application) is not None


def test_assign_is_refused_until_sections_are_confirmed(app):
    application = _application()
    actors = f.Actors()
    officer = f.user("prefecture", prefecture="洛阳市")
    fire(application, "endorse", officer, now=BEFORE_DEADLINE)
    fire(application, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    f.staff(application)
    with pytest.raises(DomainError, match="匿名化文本尚未确认"):
        fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    service.anonymise_application(application, actors.coordinator)
    service.confirm_anonymisation(application, actors.coordinator)
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    assert application.state == "expert_assigned"


def test_coordinator_page_shows_side_by_side_and_confirms(app, client):
    application = _application()
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    page = f"/anonymise/applications/{application.id}"
    response = post_form(client, f"{page}/run", token_page=page)
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert '<mark class="redacted"' in html and '<mark class="token">【企业】</mark>' in html
    response = post_form(client, f"{page}/terms", {"term": "伊河牌", "action": "redact"}, page)
    assert response.status_code == 302
    response = post_form(client, f"{page}/confirm", token_page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert {s.leak_status for s in application.sections} == {"confirmed"}


def test_page_escapes_narrative_html(app, client):
    application = _application()
    application.section("link.factory").text = "<script>alert(1)</script>" + NAME
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    page = f"/anonymise/applications/{application.id}"
    post_form(client, f"{page}/run", token_page=page)
    html = client.get(page).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_only_coordinators_reach_the_redaction_pages(app, client):
    application = _application()
    f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    login(client, "lyofficer")
    assert client.get(f"/anonymise/applications/{application.id}").status_code == 403
    assert client.get("/anonymise/").status_code == 403
