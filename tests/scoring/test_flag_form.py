"""复议's form on the flags list (issue 22 point 2): refused or stale, the list again (400) with
that flag's form as filled in (the reviewers ticked, the reason typed), each error beside its
field; the other flags' forms empty; nothing changed."""

import re
from html import unescape

import pytest

from review_app.extensions import db
from review_app.scoring.models import DispersionFlag
from review_app.web import STALE_PAGE

from ..conftest import csrf_from
from ..form_checks import changed, contents, tied
from ..panel import world as wmod


def _flags():
    """Two open flags on two sections of one reviewed application."""
    w = wmod.build()
    sections = []
    for a in w.assignments:
        if a.section not in sections:
            sections.append(a.section)
    flags = [DispersionFlag(application_id=w.app.id, section_id=s.id, spread=30, threshold=20,
                            status="open") for s in sections[:2]]  # fmt: skip
    db.session.add_all(flags)
    db.session.commit()
    reviewers = [a.expert_id for a in w.assignments if a.section_id == flags[0].section_id]
    return w, flags, reviewers


def box(html: str, flag_id: int) -> str:
    match = re.search(rf'<textarea[^>]*id="reason-{flag_id}"[^>]*>\r?\n?(.*?)</textarea>', html,
                      re.S)  # fmt: skip
    assert match, f"no reason box for flag {flag_id}"
    return unescape(match.group(1))


def ticked(html: str, flag_id: int) -> list[int]:
    """The reviewers ticked in the form of ``flag_id``."""
    form = re.search(rf'name="flag_id" value="{flag_id}">(.*?)</form>', html, re.S).group(1)
    return [int(x) for x in re.findall(r'name="reviewers" value="(\d+)" checked', form)]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"mode": "rescore", "reason": "分差较大，请复核第2项。"},
            "reviewers",
            "请选择需要重新评分的专家。",
        ),
        ({"mode": "consensus", "reason": "  "}, "reason", "请填写复议说明。"),
        ({"mode": "rescore", "reason": "说" * 2001, "pick": 1}, "reason", "不能超过2000字。"),
    ],
    ids=["no-reviewer", "blank-reason", "long-reason"],
)
def test_a_refused_flag_keeps_its_form_beside_the_error(app, data, field, message):
    w, flags, reviewers = _flags()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    flag, other = flags
    posted = {"flag_id": flag.id, "mode": data["mode"], "reason": data["reason"],
              "reviewers": reviewers[: data.get("pick", 0)]}  # fmt: skip
    token = wmod.token(client, "/scoring/flags")  # (the GET stores the track's aggregates)
    before = contents()
    response = client.post("/scoring/flags", data={"csrf_token": token, **posted})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    if field == "reason":
        assert tied(html, f"reason-{flag.id}", message)
    else:
        block = re.search(rf'id="reviewers-{flag.id}-error">(.*?)</div>', html, re.S).group(1)
        assert message in block and f'aria-describedby="reviewers-{flag.id}-error"' in html
    assert box(html, flag.id) == data["reason"] and ticked(html, flag.id) == posted["reviewers"]
    assert box(html, other.id) == "" and f"reason-{other.id}-error" not in html  # not the other
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_the_flag_form(app):
    w, flags, reviewers = _flags()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    flag = flags[0]
    data = {"flag_id": flag.id, "mode": "rescore", "reason": "请专家A复核。",
            "reviewers": reviewers[:1]}  # fmt: skip
    before = contents()
    response = client.post("/scoring/flags", data={"csrf_token": "stale", **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and STALE_PAGE in html
    assert box(html, flag.id) == "请专家A复核。" and ticked(html, flag.id) == reviewers[:1]
    assert changed(before, contents()) == []
    again = client.post("/scoring/flags", data={"csrf_token": csrf_from(html), **data})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(DispersionFlag, flag.id).status == "rescored"


def test_a_flag_resolved_meanwhile_is_said_above_the_list(app):
    w, flags, reviewers = _flags()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    flag = flags[0]
    token = wmod.token(client, "/scoring/flags")
    flag.status, flag.resolution = "consensus", "已在另一窗口合议。"
    db.session.commit()
    before = contents()
    response = client.post(
        "/scoring/flags",
        data={"csrf_token": token, "flag_id": flag.id, "mode": "consensus", "reason": "合议维持"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "该复议已处理。" in html
    assert "<h1>评分分歧（复议）</h1>" in html and f"reason-{flags[1].id}" in html  # the list again
    assert changed(before, contents()) == []
