"""Results before release: a prefecture officer and an applicant see admitted/rejected only once
their prefecture's result letter is released; before, every door (application page, list and
its state filter, dashboard, 附件2 export, the API) shows 评审中 and nothing that tells the
result (the decision's reason, the timeline's transition). Coordinators see everything."""

import io
import re
from dataclasses import replace

import openpyxl
import pytest
from sqlalchemy import select

from review_app.decision import notices, service
from review_app.decision.models import ResultNotice
from review_app.decision.visibility import VISIBLE_STATE_NAMES
from review_app.extensions import db
from review_app.programs.service import current_program

from .. import factories as f
from ..api.helpers import call, token_for
from ..conftest import login
from ..publicity.helpers import finalise
from ..security.world import client_as

TELLS = ("state-admitted", "state-rejected", "未入库", "综合得分", "入库线")


@pytest.fixture()
def decided(app):
    """郑州市: one admitted and one rejected application; 洛阳市: one of each too; the run
    confirmed, approved, published, issued and the letters generated (drafts)."""
    actors = f.Actors()
    experts, apps = None, []
    for i, fraction in enumerate((0.9, 0.85, 0.8, 0.75)):
        a = f.application(pref=("郑州市", "洛阳市")[i % 2], name=f"发文测试企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    program = current_program()
    params = replace(service.default_params(program, "excellent"), capacity=2)
    run = service.stage(program, "excellent", params, actors.coordinator)
    assert service.confirm(run, actors.coordinator)
    finalise(program, actors.coordinator)  # 审定, 公示, 正式发文; the letters drafted
    zz_admitted, ly_admitted, zz_rejected, ly_rejected = apps
    assert (zz_admitted.state, zz_rejected.state) == ("admitted", "rejected")
    f.user("applicant", "zzapplicant", enterprise_id=zz_admitted.enterprise_id)
    f.user("prefecture", "zzofficer", prefecture="郑州市")
    f.user("prefecture", "lyofficer", prefecture="洛阳市")
    f.user("coordinator", "coord2")
    db.session.commit()
    return actors, zz_admitted, zz_rejected, ly_admitted


def _release(prefecture_name):
    notice = db.session.execute(
        select(ResultNotice).where(ResultNotice.prefecture_id == f.prefecture(prefecture_name).id)
    ).scalar_one()
    notices.release(notice, f.user("coordinator"))
    db.session.commit()


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _hidden(body):
    return "评审中" in body and not [t for t in TELLS if t in body]


def test_application_page_and_list_before_and_after_release(decided, app, client):
    _, admitted, rejected, ly_admitted = decided
    login(client, "zzofficer")
    for a in (admitted, rejected):
        body = _page(client, f"/applications/{a.id}")
        assert _hidden(body), [t for t in TELLS if t in body]
    listing = _page(client, "/applications/")
    assert "评审中" in listing and "state-admitted" not in listing
    assert "state-rejected" not in listing
    # the filter tells nothing either: no admitted one before release, both under 评审中
    assert admitted.enterprise.name not in _page(client, "/applications/?state=admitted")
    in_review = _page(client, "/applications/?state=in_review")
    assert admitted.enterprise.name in in_review and rejected.enterprise.name in in_review

    _release("郑州市")
    body = _page(client, f"/applications/{admitted.id}")
    assert "state-admitted" in body
    body = _page(client, f"/applications/{rejected.id}")
    assert "state-rejected" in body and "综合得分" in body  # the reason, with the letter
    assert admitted.enterprise.name in _page(client, "/applications/?state=admitted")
    # 洛阳市's letter is still a draft: its officer still sees 评审中
    other = client_as(app, "lyofficer")
    assert _hidden(_page(other, f"/applications/{ly_admitted.id}"))


def test_the_coordinator_sees_results_at_once(decided, client):
    _, admitted, rejected, _ = decided
    login(client, "coord2")
    assert "state-admitted" in _page(client, f"/applications/{admitted.id}")
    assert "state-rejected" in _page(client, "/applications/")


def _dashboard_counts(body):
    """The prefecture dashboard's 申报进展 row for 卓越级: state -> count shown."""
    row = re.search(r"<tbody><tr><th>[^<]*卓越级[^<]*</th>(.*?)</tr>", body, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    return {s: c for s, c in zip(VISIBLE_STATE_NAMES, cells, strict=True) if c}


def test_prefecture_dashboard_before_and_after_release(decided, client):
    login(client, "zzofficer")
    assert _dashboard_counts(_page(client, "/dashboard/")) == {"in_review": "2"}
    _release("郑州市")
    assert _dashboard_counts(_page(client, "/dashboard/")) == {"admitted": "1", "rejected": "1"}


def test_applicant_dashboard_and_page_before_and_after_release(decided, client):
    _, admitted, _, _ = decided
    login(client, "zzapplicant")
    body = _page(client, "/dashboard/")
    assert admitted.enterprise.name in body and _hidden(body)
    assert _hidden(_page(client, f"/applications/{admitted.id}"))
    _release("郑州市")
    assert "state-admitted" in _page(client, "/dashboard/")
    assert "state-admitted" in _page(client, f"/applications/{admitted.id}")


def test_summary_export_tells_no_result(decided, client):
    _, admitted, rejected, _ = decided
    login(client, "zzofficer")
    response = client.get("/intake/summary.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    text = " ".join(
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )
    assert admitted.enterprise.name in text and rejected.enterprise.name in text
    assert not [w for w in ("入库", "未入库", "admitted", "rejected", "评审中") if w in text]


def test_api_before_and_after_release(decided, app):
    actors, admitted, rejected, _ = decided
    officer = db.session.execute(
        select(type(actors.coordinator)).where(type(actors.coordinator).username == "zzofficer")
    ).scalar_one()
    token, coordinator = token_for(officer, "read"), token_for(actors.coordinator, "read")

    def state(tok, a):
        body = call(app, "GET", f"/api/v1/applications/{a.id}", tok).get_json()
        return body["state"], body["state_name"]

    def listed(tok, filter_state):
        body = call(app, "GET", f"/api/v1/applications?state={filter_state}", tok).get_json()
        return {item["id"] for item in body["items"]}

    assert state(token, admitted) == state(token, rejected) == ("in_review", "评审中")
    assert listed(token, "admitted") == set() and listed(token, "rejected") == set()
    assert listed(token, "in_review") == {admitted.id, rejected.id}
    assert state(coordinator, admitted) == ("admitted", "入库")
    assert admitted.id in listed(coordinator, "admitted")
    _release("郑州市")
    assert state(token, admitted) == ("admitted", "入库")
    assert state(token, rejected) == ("rejected", "未入库")
    assert listed(token, "admitted") == {admitted.id}
