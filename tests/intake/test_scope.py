"""Cross-prefecture filing (issue 17, point 2): a prefecture officer files only enterprises of
their own prefecture, by the declared 所在地市 and the credit code's division; a duplicate is a
neutral refusal; each refused attempt is audited after the rollback and shown to the coordinator.
"""

import dataclasses
import io

import pytest
from flask import g
from sqlalchemy import func, select

from review_app.applications.models import Application, SourceFile
from review_app.audit.models import AuditEvent
from review_app.enterprises.models import Enterprise
from review_app.enterprises.uscc import make_uscc
from review_app.extensions import db
from review_app.intake.refusals import NEUTRAL, ImportRefused, record_after_rollback
from review_app.intake.service import import_docx, update_fields
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import csrf_from, login
from .conftest import docx_for, valid_sample
from .test_pages import _form_values


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Application, Enterprise, SourceFile)
    )


def _head():
    return db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()


def _sample(declared: str, division: str, n: int = 1):
    parsed = valid_sample(n=n)
    enterprise = dataclasses.replace(
        parsed.enterprise, prefecture=declared, uscc=make_uscc(division, f"MA{n:06d}")
    )
    return dataclasses.replace(parsed, enterprise=enterprise)


def _import(officer, parsed, name="x.docx"):
    return import_docx(current_program(), officer.prefecture, docx_for(parsed), name, officer)


def _refused_events():
    return db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "intake.refused").order_by(AuditEvent.id)
    ).scalars().all()  # fmt: skip


def _upload(client, files):
    page = client.get("/intake/upload")
    token = csrf_from(page.get_data(as_text=True))
    data = {"csrf_token": token, "files": [(io.BytesIO(b), name) for name, b in files]}
    response = client.post("/intake/upload", data=data, content_type="multipart/form-data")
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_upload_of_another_prefectures_enterprise_is_refused_audited_and_shown(app, client):
    """The attack: 洛阳市's officer files a 郑州市 enterprise with a 4101 code."""
    f.user("prefecture", "lyofficer", prefecture="洛阳市")
    f.user("coordinator", "coord1")
    db.session.commit()
    before, head = _counts(), _head()
    login(client, "lyofficer")
    page = _upload(client, [("郑州企业.docx", docx_for(valid_sample(pref="郑州市")))])
    assert "申报书所在地市为郑州市，与本单位（洛阳市）不符，不能由本单位推荐。" in page
    assert "共1份，受理0份，失败1份" in page
    assert _counts() == before
    # the only event after the refusal is the refusal itself, chained to the old head
    events = db.session.execute(select(AuditEvent).where(AuditEvent.id > head.id)).scalars().all()
    assert [e.action for e in events] == ["intake.refused"]
    assert events[0].prev_hash == head.hash
    after = events[0].after
    assert after["uploader"] == "lyofficer" and after["prefecture"] == "洛阳市"
    assert after["declared_prefecture"] == "郑州市" and after["reason"] == "cross_prefecture"
    assert after["uscc"].startswith("914101")
    g.pop("csrf_token", None)  # the tests share one app context: a new client, a new token
    coordinator = app.test_client()
    assert login(coordinator, "coord1").status_code == 302
    queue = coordinator.get("/intake/format-check").get_data(as_text=True)
    assert "被拒绝的跨地市或重复申报" in queue
    assert "lyofficer" in queue and after["uscc"] in queue and "所在地市不符" in queue


@pytest.mark.parametrize(
    ("officer_pref", "declared", "division", "code"),
    [
        ("洛阳市", "洛阳市", "410100", "cross_division"),  # declared own, code of 郑州市
        ("洛阳市", "郑州市", "410300", "cross_prefecture"),  # code own, declared 郑州市
        ("郑州市", "郑州航空港区", "410173", "cross_prefecture"),  # 航空港区's enterprise
        ("航空港区", "航空港区", "410300", "cross_division"),  # 航空港区 takes only 4101xx
        ("济源示范区", "济源示范区", "410800", "cross_division"),  # 焦作's code
        ("焦作市", "焦作市", "419001", "cross_division"),  # 济源's code
    ],
)
def test_prefecture_officer_files_only_their_prefectures_enterprises(
    app, officer_pref, declared, division, code
):
    officer = f.user("prefecture", prefecture=officer_pref)
    db.session.commit()
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        _import(officer, _sample(declared, division))
    db.session.rollback()
    assert caught.value.code == code
    assert f"与本单位（{officer_pref}）不符，不能由本单位推荐" in caught.value.message
    assert _counts() == before


@pytest.mark.parametrize(
    ("officer_pref", "declared", "division"),
    [
        ("航空港区", "郑州航空港经济综合实验区", "410173"),  # 航空港区 carries 郑州 codes
        ("航空港区", "航空港区", "410122"),
        ("郑州市", "郑州市", "410173"),
        ("济源示范区", "济源示范区", "419001"),
        ("济源示范区", "济源", "410881"),  # 济源's older code: undecided, the declared rules
        ("洛阳市", "洛阳市", "410000"),  # registered with the province: any prefecture
    ],
)
def test_own_enterprises_are_accepted_including_the_special_zones(
    app, officer_pref, declared, division
):
    officer = f.user("prefecture", prefecture=officer_pref)
    application = _import(officer, _sample(declared, division))
    assert application.prefecture.name == officer_pref
    assert not any(p["code"] == "prefecture_mismatch" for p in application.format_report)


def test_duplicate_through_another_prefecture_is_neutral_and_audited(app):
    zhengzhou = f.user("prefecture", "zzofficer", prefecture="郑州市")
    airport = f.user("prefecture", "gangofficer", prefecture="航空港区")
    db.session.commit()
    first = _import(zhengzhou, _sample("郑州市", "410173"))
    db.session.commit()
    before = _counts()
    with pytest.raises(ImportRefused) as caught:
        _import(airport, _sample("航空港区", "410173"))
    assert caught.value.message == NEUTRAL
    assert "郑州" not in caught.value.message and "推荐" not in caught.value.message
    db.session.rollback()
    assert _counts() == before
    # the door commits the audit event on its own after the rollback
    assert record_after_rollback(caught.value, airport, airport.prefecture_id)
    (event,) = _refused_events()
    assert event.actor == "gangofficer" and event.object_id == str(airport.prefecture_id)
    assert event.after["reason"] == "duplicate" and event.after["other_prefecture"] == "郑州市"
    assert event.after["uscc"] == first.enterprise.uscc
    assert db.session.get(Application, first.id).prefecture.name == "郑州市"


def test_coordinator_is_not_scoped_and_gets_the_warning(app):
    coordinator = f.user("coordinator")
    luoyang = f.prefecture("洛阳市")
    parsed = valid_sample(pref="郑州市")
    application = import_docx(current_program(), luoyang, docx_for(parsed), "z.docx", coordinator)
    codes = {p["code"]: p["severity"] for p in application.format_report}
    assert codes.get("prefecture_mismatch") == "warning"


def test_editing_the_credit_code_obeys_the_same_rules(app, client):
    officer = f.user("prefecture", "lyofficer", prefecture="洛阳市")
    other = f.user("prefecture", "lyofficer2", prefecture="洛阳市")
    application = _import(officer, _sample("洛阳市", "410300", n=1))
    taken = _import(other, _sample("洛阳市", "410300", n=2))
    db.session.commit()
    login(client, "lyofficer")
    url = f"/intake/applications/{application.id}/edit"
    original = application.enterprise.uscc
    for uscc, message in (
        (make_uscc("410100", "MA000009"), "与本单位（洛阳市）不符"),
        (taken.enterprise.uscc, NEUTRAL),
    ):
        data = _form_values(client.get(url).get_data(as_text=True))
        data["uscc"] = uscc
        response = client.post(url, data=data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Application, application.id).enterprise.uscc == original
    reasons = [e.after["reason"] for e in _refused_events()]
    assert reasons == ["cross_division", "duplicate"]


def test_a_full_width_or_spaced_credit_code_is_the_same_enterprise(app):
    officer = f.user("prefecture", prefecture="洛阳市")
    application = _import(officer, _sample("洛阳市", "410300", n=1))
    taken = _import(officer, _sample("洛阳市", "410300", n=2)).enterprise.uscc
    wide = "".join(chr(ord(c) + 0xFEE0) for c in taken[:9]) + " " + taken[9:].lower()
    with pytest.raises(ImportRefused) as caught:
        update_fields(application, {"enterprise": {"uscc": wide}}, officer)
    assert caught.value.code == "duplicate" and caught.value.details["uscc"] == taken
