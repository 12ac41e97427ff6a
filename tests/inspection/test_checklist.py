"""The inspector's checklist as one save (issue 22, item 4): every item's input is kept by one
save, a refused save comes back with everything typed and the error beside its item (in view),
a save replayed by the offline queue is written once, and the service worker is served for the
inspection pages' scope."""

import io
import re
import uuid

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.inspection.models import ChecklistSave, EvidenceFile, Inspection

from ..conftest import csrf_from, login
from .test_pages import PNG, assigned  # noqa: F401 - the fixture

SYNC = {"X-Offline-Sync": "1"}


def _counts():
    return [db.session.scalar(select(func.count(m.id)))
            for m in (AuditEvent, EvidenceFile, ChecklistSave)]  # fmt: skip


def _findings(inspection_id):
    db.session.expire_all()
    return {i.code: (i.finding, i.note) for i in db.session.get(Inspection, inspection_id).items}


@pytest.fixture()
def page(assigned, client):  # noqa: F811
    login(client, "insp-a")
    url = f"/inspections/{assigned.id}"
    return url, client.get(url).get_data(as_text=True)


def test_one_save_keeps_every_items_input(assigned, client, page):  # noqa: F811
    url, html = page
    assert 'id="checklist-form"' in html and html.count('name="at"') == 6  # 5 items + 保存全部
    before = _counts()
    response = client.post(f"{url}/checklist", data={
        "csrf_token": csrf_from(html), "at": "nc_rate", "finding_maturity": "true",
        "finding_nc_rate": "mostly_true", "note_nc_rate": "两道工序未联网",
    })  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("#item-nc_rate")
    found = _findings(assigned.id)
    assert found["maturity"] == ("true", "") and found["nc_rate"] == (
        "mostly_true",
        "两道工序未联网",
    )
    assert found["finance"] == (None, "")
    after = _counts()
    assert after[0] == before[0] + 2  # one audit event per item written, none for the others
    # the flash is shown beside the item whose button was pressed
    shown = client.get(response.location).get_data(as_text=True)
    assert "核查清单已保存。" in shown[shown.index('id="item-nc_rate"') :]


def test_a_refused_save_comes_back_typed_with_the_error_at_its_item(assigned, client, page):  # noqa: F811
    url, html = page
    before = _counts()
    response = client.post(f"{url}/checklist", data={
        "csrf_token": csrf_from(html), "at": "", "finding_maturity": "true",
        "note_maturity": "证书在有效期内", "finding_equipment": "untrue", "note_equipment": "",
        "finding_finance": "mostly_true", "note_finance": "收入口径不一致",
    })  # fmt: skip
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    equipment = text[text.index('id="item-equipment"') : text.index('id="item-safety_env"')]
    assert "须写明情况" in equipment and 'role="alert"' in equipment
    assert re.search(r'value="true"[^>]* autofocus', equipment)  # the item comes into view
    assert 'value="untrue" checked' in equipment
    # everything typed in the other items is there too
    maturity = text[text.index('id="item-maturity"') : text.index('id="item-nc_rate"')]
    assert 'value="true" checked' in maturity and "证书在有效期内" in maturity
    assert "收入口径不一致" in text[text.index('id="item-finance"') :]
    assert "须写明情况" not in maturity
    db.session.rollback()
    assert _counts() == before  # one transaction: the valid items were not saved either
    assert _findings(assigned.id)["maturity"] == (None, "")


def test_a_replayed_save_is_written_once(assigned, client, page):  # noqa: F811
    url, html = page
    client_id = str(uuid.uuid4())
    data = {"csrf_token": csrf_from(html), "client_id": client_id, "at": "equipment",
            "finding_equipment": "true", "finding_finance": "true"}  # fmt: skip
    before = _counts()
    first = client.post(f"{url}/checklist", headers=SYNC, content_type="multipart/form-data",
                        data=dict(data, evidence_equipment=(io.BytesIO(PNG), "车间.png")))  # fmt: skip
    assert first.status_code == 200 and first.get_json() == {
        "ok": True,
        "replayed": False,
        "written": 2,
    }
    after = _counts()
    assert after == [before[0] + 3, before[1] + 1, before[2] + 1]  # 2 items + 1 photo
    for _ in range(2):  # the queue sends it again (the answer was lost): nothing more is written
        again = client.post(f"{url}/checklist", headers=SYNC, content_type="multipart/form-data",
                            data=dict(data, evidence_equipment=(io.BytesIO(PNG), "车间.png")))  # fmt: skip
        assert again.status_code == 200 and again.get_json()["replayed"] is True
        db.session.rollback()
        assert _counts() == after
    # a page posted twice (without the script) is written once as well
    plain = client.post(f"{url}/checklist", data=dict(data, finding_finance="untrue"))
    assert plain.status_code == 302
    assert _findings(assigned.id)["finance"] == ("true", "")
    # a refused queued save answers JSON with the item, and writes nothing
    refused = client.post(f"{url}/checklist", headers=SYNC, data={
        "csrf_token": data["csrf_token"], "client_id": str(uuid.uuid4()),
        "finding_safety_env": "untrue"})  # fmt: skip
    assert refused.status_code == 400
    assert refused.get_json()["at"] == "safety_env" and "须写明情况" in refused.get_json()["error"]
    db.session.rollback()
    assert _counts() == after


def test_a_malformed_save_id_is_refused(assigned, client, page):  # noqa: F811
    url, html = page
    before = _counts()
    response = client.post(f"{url}/checklist", data={
        "csrf_token": csrf_from(html), "client_id": "x' or 1=1", "finding_maturity": "true"})  # fmt: skip
    assert response.status_code == 400 and "保存编号无效" in response.get_data(as_text=True)
    db.session.rollback()
    assert _counts() == before


def test_the_service_worker_is_served_for_the_inspection_pages(assigned, client, page):  # noqa: F811
    url, html = page
    assert "js/inspection.js" in html and 'data-sw="/inspections/sw.js"' in html
    assert 'id="sync-badge"' in html
    response = client.get("/inspections/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/inspections/"
    assert b"inspection-v1" in response.data and b"fetch" in response.data
