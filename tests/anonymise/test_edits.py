"""Edits after anonymisation (issue 17, point 5): a change of an identifying field redacts again,
voids the confirmation (audited), hides the text from experts and blocks their scoring until the
coordinator confirms again; the old values stay identifying; a figure changes nothing."""

import html as html_lib
import re

import pytest
from flask import g
from sqlalchemy import func, select

from review_app.anonymise import service
from review_app.applications.catalogue import required_sections
from review_app.assignment.models import Assignment
from review_app.audit.models import AuditEvent
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.intake.service import update_fields
from review_app.scoring.models import Review
from review_app.scoring.service import sheet_tasks

from .. import factories as f
from ..api.helpers import call, token_for
from ..conftest import csrf_from, login, post_form

OLD = "郑州中原轴承股份有限公司"
NEW = "郑州伊河精工机械有限公司"
# 伊河精工 (the new name's short form) is no identifier of the old name: the first redaction
# keeps it; 中原轴承 is the old name's short form.
TEXT = "中原轴承建成了MES与ERP集成平台，伊河精工品牌的数控机床关键工序数控化率达到86%。"


def _assigned():
    """An application whose sections were redacted and confirmed under the old name, assigned
    to experts; returns it and one of its assignments."""
    sections = {s.key: TEXT for s in required_sections("excellent")}
    application = f.application(name=OLD, sections=sections, anonymised=False)
    actors = f.Actors()
    service.anonymise_application(application, actors.coordinator)
    service.confirm_anonymisation(application, actors.coordinator)
    f.advance(application, "expert_assigned", actors)
    item = db.session.execute(
        select(Assignment).where(Assignment.application_id == application.id).limit(1)
    ).scalar_one()
    assert "伊河精工" in item.section.anonymised_text  # not an identifier of the old name
    assert "中原轴承" not in item.section.anonymised_text
    return application, item


def _form_values(page: str) -> dict:
    """The values a browser sends back from the edit page."""
    values = {"csrf_token": csrf_from(page)}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        values.setdefault(name, html_lib.unescape(value))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


def _switch(client):
    """``client`` for the next requests: the tests share one app context, so drop the CSRF
    token Flask-WTF cached in ``g`` for the other client's session."""
    g.pop("csrf_token", None)
    return client


def _unconfirmed_events(application):
    return db.session.execute(
        select(AuditEvent).where(
            AuditEvent.action == "section.unconfirmed",
            AuditEvent.object_id == str(application.id),
        )
    ).scalars().all()  # fmt: skip


def test_a_rename_while_assigned_hides_the_text_until_confirmed_again(app, client):
    application, item = _assigned()
    f.user("coordinator", "coord")
    expert_user = item.expert.user.username
    db.session.commit()
    # The coordinator renames the enterprise through the edit page.
    login(client, "coord")
    url = f"/intake/applications/{application.id}/edit"
    form = _form_values(client.get(url).get_data(as_text=True))
    form["name"] = NEW
    assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert application.enterprise.name == NEW
    assert {s.leak_status for s in application.sections} <= {"clean", "leaking"}
    assert "伊河精工" not in item.section.anonymised_text  # redacted again with the new name
    assert "中原轴承" not in item.section.anonymised_text  # the old name still counts
    events = _unconfirmed_events(application)
    assert len(events) == len(application.sections)
    assert {e.reason for e in events} == {"企业信息已修改"}
    assert service.distribution_refusal(application) is not None

    # The expert reads nothing and can score nothing meanwhile.
    expert = _switch(app.test_client())
    login(expert, expert_user)
    page = expert.get(f"/expert/assignments/{item.id}").get_data(as_text=True)
    assert "正在复核" in page and "伊河精工" not in page and "MES" not in page
    form_page = expert.get(f"/expert/assignments/{item.id}/score")
    assert form_page.status_code == 409 and "正在复核" in form_page.get_data(as_text=True)
    packet = expert.get(f"/expert/assignments/{item.id}/packet.docx")
    assert packet.status_code == 409 and "正在复核" in packet.get_data(as_text=True)
    head = db.session.scalar(select(func.max(AuditEvent.id)))
    saved = post_form(expert, f"/expert/assignments/{item.id}/score",
                      {"action": "submit", "comment": "评审意见" * 5},
                      token_page="/expert/assignments")  # fmt: skip
    assert saved.status_code == 409
    assert db.session.scalar(select(func.count(Review.id))) == 0
    assert db.session.scalar(select(func.max(AuditEvent.id))) == head
    assert item.id not in {t.assignment_id for t in sheet_tasks(item.expert)}
    api = call(app, "GET", f"/api/v1/assignments/{item.id}", token_for(item.expert.user))
    assert api.get_json()["section"]["anonymised_text"] is None
    assert "正在复核" in api.get_json()["section"]["notice"]
    with pytest.raises(DomainError, match="正在复核"):
        from review_app.scoring.service import save

        save(item, {}, "", version=None, actor=item.expert.user, submit=False)
    db.session.rollback()

    # The coordinator confirms the new redaction; the expert reads 【企业】.
    page = f"/anonymise/applications/{application.id}"
    assert post_form(_switch(client), f"{page}/confirm", token_page=page).status_code == 302
    _switch(expert)
    db.session.expire_all()
    text = expert.get(f"/expert/assignments/{item.id}").get_data(as_text=True)
    assert "【企业】品牌" in text and "伊河精工" not in text and "中原轴承" not in text
    assert expert.get(f"/expert/assignments/{item.id}/score").status_code == 200


def test_a_figure_or_honour_leaves_the_confirmation(app):
    application, item = _assigned()
    coordinator = f.user("coordinator")
    update_fields(
        application,
        {"application": {"honours": "省级专精特新"}, "figures": {2025: {"revenue": 12345.0}}},
        coordinator,
    )
    assert {s.leak_status for s in application.sections} == {"confirmed"}
    assert _unconfirmed_events(application) == []
    assert service.distribution_refusal(application) is None


@pytest.mark.parametrize(
    ("field", "value", "secret"),
    [
        ("contact_name", "李秀英", "李秀英"),
        ("contact_phone", "13903711234", "13903711234"),
        ("legal_rep_name", "赵德明", "赵德明"),
    ],
)
def test_each_identifying_field_voids_the_confirmation(app, field, value, secret):
    application, item = _assigned()
    section = item.section
    section.text += f"负责人{secret}介绍了情况。"
    db.session.flush()
    update_fields(application, {"enterprise": {field: value}}, f.user("coordinator"))
    assert section.leak_status != "confirmed"
    assert secret not in section.anonymised_text
    assert {e.reason for e in _unconfirmed_events(application)} == {"企业信息已修改"}


def test_confirming_scans_again_against_old_and_new_identifiers(app):
    application, item = _assigned()
    coordinator = f.user("coordinator")
    update_fields(application, {"enterprise": {"name": NEW}}, coordinator)
    section = item.section
    for leaked in ("伊河精工", "中原轴承"):  # new and old name, slipped into the stored text
        section.anonymised_text = f"{leaked}建成了MES平台。"
        section.leak_status = "clean"
        db.session.flush()
        head = db.session.scalar(select(func.max(AuditEvent.id)))
        with pytest.raises(DomainError, match="重新扫描"):
            service.confirm_anonymisation(application, coordinator)
        assert section.leak_status == "clean"
        assert db.session.scalar(select(func.max(AuditEvent.id))) == head
    service.anonymise_application(application, coordinator)
    service.confirm_anonymisation(application, coordinator)
    assert {s.leak_status for s in application.sections} == {"confirmed"}


def test_the_former_values_come_from_the_edits(app):
    application, _ = _assigned()
    coordinator = f.user("coordinator")
    update_fields(
        application,
        {"enterprise": {"name": NEW, "contact_phone": "13903711234"}},
        coordinator,
    )
    update_fields(application, {"enterprise": {"contact_phone": "13903715678"}}, coordinator)
    former = service.former_values(application)
    assert former["names"] == [OLD]
    assert former["phones"] == ["13903711234"]  # the empty first value is none
    identity = service.identity_for(application)
    assert identity.enterprise_name == NEW and identity.former_names == [OLD]


def test_a_term_change_after_confirmation_is_audited(app):
    application, _ = _assigned()
    coordinator = f.user("coordinator")
    service.set_term(application, "伊河精工", "redact", coordinator)
    events = _unconfirmed_events(application)
    assert len(events) == len(application.sections)
    assert {e.reason for e in events} == {service.TERMS_REASON}
    assert "伊河精工" not in application.sections[0].anonymised_text


def test_identifying_fields_are_what_the_redaction_reads(app):
    """IDENTIFYING_FIELDS names exactly the enterprise columns that change the identity."""
    from review_app.anonymise.redact import identity_from_parsed
    from review_app.intake.records import parsed_from_records

    application = f.application(name=OLD)
    enterprise = application.enterprise
    other = f.prefecture("洛阳市").id
    values = {
        "name": NEW, "uscc": "91410100MA00000001", "prefecture_id": other, "county": "新郑市",
        "factory_address": "郑州市金水区建设路1号", "legal_rep_name": "赵德明",
        "contact_name": "李秀英", "legal_rep_phone": "13903711234",
        "contact_phone": "13903715678", "contact_email": "li@example.com",
        "nature": "民营企业", "size": "中型企业", "industry_division": "34",
        "industry_group": "341", "chain": "新能源汽车", "main_business": "轴承",
        "contact_title": "总经理",
    }  # fmt: skip
    for name, value in values.items():
        before = identity_from_parsed(parsed_from_records(application))
        old = getattr(enterprise, name)
        setattr(enterprise, name, value)
        db.session.flush()
        db.session.expire(enterprise, ["prefecture"])
        changed = identity_from_parsed(parsed_from_records(application)) != before
        setattr(enterprise, name, old)
        db.session.flush()
        db.session.expire(enterprise, ["prefecture"])
        assert changed == (name in service.IDENTIFYING_FIELDS), name


def test_a_reupload_of_a_returned_application_voids_the_confirmation(app):
    from review_app.intake.service import import_docx
    from review_app.programs.service import current_program
    from review_app.workflow.service import fire

    from ..conftest import BEFORE_DEADLINE
    from ..intake.conftest import docx_for, valid_sample

    officer = f.user("prefecture", "lyofficer", prefecture="洛阳市")
    coordinator = f.user("coordinator")

    def upload(name):
        parsed = valid_sample(name=name)
        return import_docx(current_program(), officer.prefecture, docx_for(parsed), "1.docx",
                           officer)  # fmt: skip

    application = upload("洛阳伊河精工机械有限公司")
    f.write_opinion(application)
    fire(application, "endorse", officer, now=BEFORE_DEADLINE)
    service.anonymise_application(application, coordinator)
    service.confirm_anonymisation(application, coordinator)
    fire(application, "return", coordinator, reason="请补充材料", now=BEFORE_DEADLINE)
    assert application.state == "returned"
    confirmed = len(application.sections)
    assert upload("洛阳伊河智能装备有限公司") is application
    assert {s.leak_status for s in application.sections} == {"pending"}
    events = _unconfirmed_events(application)
    assert len(events) == confirmed
    assert {e.reason for e in events} == {service.REUPLOAD_REASON}
    assert service.former_values(application)["names"] == ["洛阳伊河精工机械有限公司"]


def test_a_new_application_of_the_enterprise_under_a_new_name_voids_the_confirmation(app):
    """The enterprise is shared by programs: its application in another program declaring a
    new name changes the identity of the confirmed one as well."""
    from datetime import date

    from review_app.applications.service import submit_application
    from review_app.programs.models import Program

    application, item = _assigned()
    other = Program(code="other-round", name="另一批次", year=application.program.year - 1,
                    deadline=date(application.program.year - 1, 3, 27))  # fmt: skip
    db.session.add(other)
    db.session.flush()
    submit_application(other, "excellent", application.prefecture,
                       {"name": NEW, "uscc": application.enterprise.uscc},
                       sections={}, actor_label="test")  # fmt: skip
    assert application.enterprise.name == NEW
    assert item.section.leak_status != "confirmed"
    assert "伊河精工" not in item.section.anonymised_text
    assert "中原轴承" not in item.section.anonymised_text
    assert {e.reason for e in _unconfirmed_events(application)} == {service.EDIT_REASON}


def test_an_offline_sheet_of_a_section_under_review_is_refused(app):
    from review_app.scoring.service import SheetRejected, apply_sheet
    from review_app.scoring.sheet import write_sheet

    application, item = _assigned()
    expert = item.expert
    data = write_sheet(expert.name, sheet_tasks(expert))  # downloaded while confirmed
    update_fields(application, {"enterprise": {"name": NEW}}, f.user("coordinator"))
    with pytest.raises(SheetRejected) as refused:
        apply_sheet(expert, data, expert.user, submit=False)
    assert any("正在复核" in e for e in refused.value.errors)


def test_a_scored_application_renamed_waits_on_the_redaction_list(app, client):
    application = f.application(name=OLD)
    actors = f.Actors()
    f.scored(application, actors, 0.8)
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")
    assert application.anon_code not in client.get("/anonymise/").get_data(as_text=True)
    update_fields(application, {"enterprise": {"name": NEW}}, actors.coordinator)
    db.session.commit()
    listed = client.get("/anonymise/").get_data(as_text=True)
    assert application.anon_code in listed
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "匿名化待确认" in page
