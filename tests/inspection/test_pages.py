"""The inspector's phone page and the coordinator's sample page, through HTTP."""

import io

import pytest
from sqlalchemy import select

from review_app.extensions import db
from review_app.inspection import service
from review_app.inspection.models import EvidenceFile, Inspection

from .. import factories as f
from ..conftest import csrf_from, login, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def assigned(app):
    actors = f.Actors()
    a = f.application(name="核查页面测试有限公司")
    f.scored(a, actors, 0.8)
    inspection = service.add_manual(a, "抽查", actors.coordinator)
    inspector = f.user("inspector", "insp-a", prefecture="洛阳市")
    f.user("inspector", "insp-b", prefecture="开封市")
    service.set_inspectors(inspection, [inspector.id], actors.coordinator)
    db.session.commit()
    return inspection


def test_assigned_inspector_sees_the_identified_application_and_checklist(assigned, client):
    login(client, "insp-a")
    listing = client.get("/inspections/").get_data(as_text=True)
    assert "核查页面测试有限公司" in listing
    page = client.get(f"/inspections/{assigned.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "核查页面测试有限公司" in html and "关键工序数控化率" in html
    assert 'name="viewport"' in html and 'capture="environment"' in html


def test_another_inspector_is_refused(assigned, client):
    login(client, "insp-b")
    assert client.get(f"/inspections/{assigned.id}").status_code == 403
    assert "核查页面测试有限公司" not in client.get("/inspections/").get_data(as_text=True)


def test_item_with_evidence_then_verdict_through_the_page(assigned, client):
    login(client, "insp-a")
    url = f"/inspections/{assigned.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/checklist",
        data={"csrf_token": token, "at": "equipment", "finding_equipment": "true",
              "note_equipment": "", "evidence_equipment": (io.BytesIO(PNG), "车间.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302 and response.location.endswith("#item-equipment")
    stored = db.session.execute(select(EvidenceFile)).scalar_one()
    assert stored.filename == "车间.png"
    download = client.get(f"/inspections/evidence/{stored.id}")
    assert download.status_code == 200 and download.data == PNG
    # a bad file: refused with the reason, the finding of that post not half-saved
    token = csrf_from(client.get(url).get_data(as_text=True))
    refused = client.post(
        f"{url}/checklist",
        data={"csrf_token": token, "finding_equipment": "true", "finding_finance": "mostly_true",
              "note_finance": "收入口径不一致", "at": "finance",
              "evidence_finance": (io.BytesIO(b"not a picture"), "x.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    html = refused.get_data(as_text=True)
    # the reason is shown beside the item, with what was typed kept and the photo asked again
    assert refused.status_code == 400
    item_html = html[html.index('id="item-finance"') :]
    assert "不是 JPG" in item_html and "请重新选择照片" in item_html
    assert "收入口径不一致" in item_html
    assert 'value="mostly_true" checked' in item_html
    db.session.expire_all()
    item = next(i for i in db.session.get(Inspection, assigned.id).items if i.code == "finance")
    assert item.finding is None
    post_form(client, f"{url}/checklist",
              {f"finding_{c}": "true" for c in ("maturity", "nc_rate", "equipment",
                                                 "safety_env", "finance")}, url)  # fmt: skip
    refused = post_form(
        client,
        f"{url}/verdict",
        {"verdict": "mostly_true", "deduction": "9", "note": "略有出入"},
        url,
    )
    assert refused.status_code == 400
    verdict_html = refused.get_data(as_text=True)
    verdict_html = verdict_html[verdict_html.index('id="verdict"') :]
    assert (
        "不超过 5" in verdict_html
        and "略有出入" in verdict_html
        and 'value="mostly_true" required checked' in verdict_html
    )
    post_form(client, f"{url}/verdict", {"verdict": "true", "deduction": "0"}, url)
    db.session.expire_all()
    inspection = db.session.get(Inspection, assigned.id)
    assert inspection.verdict == "true"
    assert inspection.application.state == "spot_inspected"


def test_coordinator_draws_from_the_page_and_a_bad_seed_is_explained(assigned, client):
    f.user("coordinator", "coord-i")
    db.session.commit()
    login(client, "coord-i")
    html = client.get("/inspections/?track=excellent").get_data(as_text=True)
    assert "核查页面测试有限公司" in html and "抽取抽查名单" in html
    response = post_form(client, "/inspections/draw", {"track": "excellent", "seed": " "},
                         "/inspections/")  # fmt: skip
    assert response.status_code == 302
    assert "种子" in client.get("/inspections/").get_data(as_text=True)
