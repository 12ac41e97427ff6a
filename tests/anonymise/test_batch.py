"""``anonymise_applications``: the redactions of many applications computed by worker processes
(parallel.py) and stored in order store what ``anonymise_application`` stores for each (texts,
reports, statuses, audit events); a confirmation rescans a just-stored redaction by the scan it
made, and any other text afresh."""

from sqlalchemy import select

from review_app import parallel
from review_app.anonymise import service
from review_app.audit.models import AuditEvent
from review_app.extensions import db

from .. import factories as f

NAMES = ("洛阳中原轴承股份有限公司", "郑州宏达智能装备有限公司", "洛阳瑞信新材料科技有限公司")


def _application(name: str, person: str, phone: str):
    text = (
        f"{name}（以下简称“{name[2:4]}”）成立于2005年，由总经理{person}负责智能化建设。"
        f"{name[2:4]}建成了MES与ERP集成平台，关键工序数控化率达到86%。联系电话{phone}。"
    )
    sections = {key: text + key for key in ("profile", "overview.background", "link.factory",
                                            "plan.goals")}  # fmt: skip
    application = f.application(name=name, pref="洛阳市", sections=sections, anonymised=False)
    application.enterprise.legal_rep_name = person
    application.enterprise.contact_phone = phone
    db.session.flush()
    return application


def _stored(apps) -> list:
    return [
        (a.id, s.key, s.anonymised_text, s.redaction_report, s.leak_status)
        for a in apps
        for s in a.sections
    ]


def _events() -> list:
    rows = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "application.anonymise")
        .order_by(AuditEvent.id)
    ).scalars()  # fmt: skip
    return [(e.object_id, e.after) for e in rows]


def test_workers_store_what_one_call_per_application_stores(app):
    people = ("王建国", "李红", "赵敏")
    apps = [_application(NAMES[i], people[i], f"0379-6432123{i}") for i in range(3)]
    coordinator = f.user("coordinator")
    with parallel.workers(2) as workers:
        done = [(a.id, leaks) for a, leaks in
                service.anonymise_applications(apps, coordinator, workers=workers)]  # fmt: skip
    assert done == [(a.id, []) for a in apps]
    batch, batch_events = _stored(apps), _events()
    assert all("【企业】" in text and "【人名】" in text for _i, _k, text, _r, _s in batch)
    for application in apps:
        assert service.anonymise_application(application, coordinator) == []
    assert _stored(apps) == batch
    assert _events() == batch_events * 2
    for application in apps:
        service.confirm_anonymisation(application, coordinator)
    assert {s.leak_status for a in apps for s in a.sections} == {service.DISTRIBUTABLE}


def test_a_confirmations_rescan_is_the_redactions_scan_or_a_new_one(app):
    application = _application(NAMES[0], "王建国", "0379-64321234")
    service.anonymise_application(application, f.user("coordinator"))
    identity = service.identity_for(application)
    texts = {s.key: s.text for s in application.sections}
    redacted = {s.key: s.anonymised_text for s in application.sections}
    remembered = service.rescan(identity, texts, redacted)
    service._SCANS.clear()
    assert service.rescan(identity, texts, redacted) == remembered == []
    redacted["link.factory"] += "王建国"  # a stored text changed since: scanned afresh
    assert [leak.found for leak in service.rescan(identity, texts, redacted)] == ["王建国"]
