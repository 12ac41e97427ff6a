"""The 正式发文 and 复核 forms (issue 22): refused — a field in error, a stale token, a refusal of
the rules — the page comes back (400) with what was typed, each error beside its field, and
the database unchanged."""

import re
from html import unescape

import pytest
from flask import g
from sqlalchemy import func, select

from review_app.extensions import db
from review_app.publicity.models import FinalIssue, Reconsideration

from .. import factories as f
from ..conftest import csrf_from
from ..form_checks import changed, contents, control, error_block, tied
from ..security.world import client_as
from .helpers import approve_and_publish, finalise, four_proposed

DOC = "豫工信装〔2026〕12号"


@pytest.fixture()
def proposed(app):
    """Four scored applications of 卓越级, the top two proposed; the coordinator signed in."""
    actors, apps, program = four_proposed("发文表单企业")
    f.user("coordinator", "form-coord")
    db.session.commit()
    return actors, apps, program


def _page(client, url):
    g.pop("csrf_token", None)
    return csrf_from(client.get(url).get_data(as_text=True))


def _text(html: str, field_id: str) -> str:
    """What a text box shows (WTForms starts a textarea with a line break browsers drop)."""
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>\r?\n(.*?)</textarea>', html, re.S)
    return unescape(match.group(1))


@pytest.mark.parametrize(
    ("doc_number", "message"),
    [("", "请填写发文字号。"), ("号" * 61, "不能超过60字。"),
     ("   ", "请填写发文字号（如：豫工信装〔2026〕12号）。")],
    ids=["blank", "too-long", "spaces-refused-by-the-rules"],
)  # fmt: skip
def test_a_refused_doc_number_is_beside_its_box(app, proposed, doc_number, message):
    coord = client_as(app, "form-coord")
    token = _page(coord, "/publicity/issue")
    before = contents()
    data = {"csrf_token": token, "doc_number": doc_number, "addressees": "郑州市工信局",
            "copied_to": "省政府办公厅"}  # fmt: skip
    response = coord.post("/publicity/issue", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, "doc_number", message)
    assert f'value="{doc_number}"' in control(html, "doc_number")
    assert _text(html, "addressees") == "郑州市工信局"
    assert _text(html, "copied_to") == "省政府办公厅"
    assert error_block(html, "addressees") is None and error_block(html, "copied_to") is None
    assert changed(before, contents()) == []


def test_an_issue_the_rules_refuse_keeps_what_was_typed(app, proposed):
    """While a 公示 runs the list cannot be issued: said above the form, the typing kept."""
    actors, _, program = proposed
    approve_and_publish(program, "excellent", actors.coordinator)
    db.session.commit()
    coord = client_as(app, "form-coord")
    token = _page(coord, "/publicity/issue")
    before = contents()
    data = {"csrf_token": token, "doc_number": DOC, "addressees": "各省辖市工信局", "copied_to": ""}
    response = coord.post("/publicity/issue", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "暂不能正式发文：" in html and "尚未结束" in html
    assert f'value="{DOC}"' in control(html, "doc_number")
    assert _text(html, "addressees") == "各省辖市工信局" and "aria-invalid" not in html
    assert changed(before, contents()) == []
    assert db.session.scalar(select(func.count(FinalIssue.id))) == 0


def test_a_stale_token_keeps_the_issue_form(app, proposed):
    coord = client_as(app, "form-coord")
    before = contents()
    data = {"csrf_token": "stale", "doc_number": DOC, "addressees": "郑州市工信局", "copied_to": ""}
    response = coord.post("/publicity/issue", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "表单已过期或缺少安全令牌" in html
    assert f'value="{DOC}"' in control(html, "doc_number")
    assert _text(html, "addressees") == "郑州市工信局"
    assert changed(before, contents()) == []


@pytest.fixture()
def final(app, proposed):
    """The list issued: the first application admitted; its 复核 page's URL."""
    actors, apps, program = proposed
    finalise(program, actors.coordinator)
    db.session.commit()
    assert apps[0].state == "admitted"
    return f"/publicity/applications/{apps[0].id}/reconsider", apps[0]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "", "approval_record": "厅长办公会"}, "reason", "请填写复核理由。"),
        ({"reason": "复核发现问题", "approval_record": ""}, "approval_record", "请填写审批记录。"),
        ({"reason": "复核发现问题", "approval_record": "记" * 2001}, "approval_record",
         "不能超过2000字。"),
    ],
    ids=["no-reason", "no-record", "record-too-long"],
)  # fmt: skip
def test_a_refused_reconsideration_keeps_what_was_typed(app, final, data, field, message):
    url, application = final
    coord = client_as(app, "form-coord")
    token = _page(coord, url)
    before = contents()
    response = coord.post(url, data={"csrf_token": token, **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, field, message)
    other = "approval_record" if field == "reason" else "reason"
    assert error_block(html, other) is None and "aria-invalid" not in control(html, other)
    assert _text(html, "reason") == data["reason"]
    assert _text(html, "approval_record") == data["approval_record"]
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_the_reconsideration_then_it_is_recorded(app, final):
    url, application = final
    coord = client_as(app, "form-coord")
    data = {"reason": "复核发现数据虚报", "approval_record": "厅长办公会2026年第5次"}
    before = contents()
    response = coord.post(url, data={"csrf_token": "stale", **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "表单已过期或缺少安全令牌" in html
    assert _text(html, "reason") == data["reason"]
    assert _text(html, "approval_record") == data["approval_record"]
    assert changed(before, contents()) == []
    response = coord.post(url, data={"csrf_token": csrf_from(html), **data})
    assert response.status_code == 302
    db.session.rollback()
    record = db.session.execute(select(Reconsideration)).scalar_one()
    assert (record.from_state, record.to_state, record.reason) == (
        "admitted", "rejected", "复核发现数据虚报",
    )  # fmt: skip
