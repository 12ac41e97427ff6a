"""The panel page (评审组): one panel's members, paged, each with 移出; a server-side search for
experts to add (at most 20 shown, members left out, the search in the URL); each add or remove
one transaction with its audit event, the newcomer's conflicts detected; refusals in Chinese
that change nothing."""

import re
from datetime import date
from urllib.parse import unquote

from sqlalchemy import func, select

from review_app.assignment import service
from review_app.assignment.models import Conflict
from review_app.audit.models import AuditEvent
from review_app.experts.models import Panel, PanelMember
from review_app.extensions import db
from review_app.programs.models import Program
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import post_form
from ..security.world import client_as
from .test_pages import _coordinator
from .test_service import _ready


def _panel(group: str = "link.production", track: str = "excellent") -> Panel:
    panels = service.ensure_panels(current_program(), f.user("coordinator"))
    return next(p for p in panels if p.track_code == track and p.section_group == group)


def _experts(n: int, stem: str = "候选", **kwargs):
    experts = [f.expert(pledge=False, **kwargs) for _ in range(n)]
    for i, e in enumerate(experts):
        e.name, e.employer = f"{stem}{i:02d}", f"{stem}单位{i:02d}"
    db.session.flush()
    return experts


def _members(panel: Panel) -> set[int]:
    return set(db.session.execute(
        select(PanelMember.expert_id).where(PanelMember.panel_id == panel.id)
    ).scalars())  # fmt: skip


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _added(html: str) -> list[int]:
    """The experts offered with 添加 (the search's results), in order."""
    return [int(x) for x in re.findall(
        r'name="expert_id" value="(\d+)">\s*<button type="submit" name="action" value="add"', html
    )]  # fmt: skip


def _removable(html: str) -> list[int]:
    return [int(x) for x in re.findall(
        r'name="expert_id" value="(\d+)">\s*<button type="submit" name="action" value="remove"',
        html,
    )]  # fmt: skip


def _url(panel: Panel, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"track": panel.track_code, "panel": panel.id,
                                              **args}.items())  # fmt: skip
    return f"/assignment/panels?{query}"


def test_search_adds_one_expert_in_one_audited_step_and_detects_conflicts(app, client):
    (application,) = _ready(1, name="郑州成员冲突精工有限公司")
    panel = _panel()
    (newcomer,) = _experts(1, stem="新成员")
    newcomer.employer = "郑州成员冲突精工有限公司"
    db.session.commit()
    _coordinator(client)
    url = _url(panel, q="新成员")
    html = client.get(url).get_data(as_text=True)
    assert _added(html) == [newcomer.id] and 'value="新成员"' in html  # the search stays shown
    response = post_form(client, url, {"action": "add", "panel_id": panel.id,
                                       "expert_id": newcomer.id}, url)  # fmt: skip
    assert response.status_code == 302
    assert unquote(response.headers["Location"]).endswith(url)  # back to the same search
    db.session.expire_all()
    assert _members(panel) == {newcomer.id}
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "panel.member_add")
    ).scalar_one()
    assert event.object_id == str(panel.id) and event.after["expert"] == newcomer.id
    conflict = db.session.execute(select(Conflict)).scalar_one()
    assert conflict.expert_id == newcomer.id
    assert conflict.enterprise_id == application.enterprise_id
    after = client.get(url).get_data(as_text=True)
    assert _added(after) == [] and _removable(after) == [newcomer.id]
    assert "共 1 人" in after and "不在本组的专家" in after


def test_remove_takes_one_member_off_and_audits(app, client):
    panel = _panel()
    experts = _experts(3)
    service.set_members(panel, [e.id for e in experts], f.user("coordinator"))
    db.session.commit()
    _coordinator(client)
    url = _url(panel)
    assert sorted(_removable(client.get(url).get_data(as_text=True))) == sorted(
        e.id for e in experts
    )
    response = post_form(client, url, {"action": "remove", "panel_id": panel.id,
                                       "expert_id": experts[1].id}, url)  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert _members(panel) == {experts[0].id, experts[2].id}
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "panel.member_remove")
    ).scalar_one()
    assert event.before["expert"] == experts[1].id


def test_refusals_are_in_chinese_and_change_nothing(app, client):
    panel = _panel()
    member, outsider = _experts(2)
    service.set_members(panel, [member.id], f.user("coordinator"))
    other = Program(code="other-round", name="另一批次", year=2025, deadline=date(2025, 3, 27))
    db.session.add(other)
    db.session.flush()
    foreign = Panel(program_id=other.id, track_code="excellent", section_group="general",
                    name="另一批次综合组")  # fmt: skip
    db.session.add(foreign)
    db.session.commit()
    _coordinator(client)
    url = _url(panel)
    before = (_count(PanelMember), _count(AuditEvent), _count(Conflict))
    cases = [
        ({"action": "add", "expert_id": member.id}, 400, "已是"),
        ({"action": "remove", "expert_id": outsider.id}, 400, "不是"),
        ({"action": "add", "expert_id": 999999}, 400, "未找到专家"),
        ({"action": "add"}, 400, "请选择专家"),
        ({"action": "members", "expert_id": outsider.id}, 400, "选项无效"),
        (
            {"action": "add", "expert_id": outsider.id, "panel_id": foreign.id},
            404,
            "未找到该评审组",
        ),
    ]
    for data, status, words in cases:
        response = post_form(client, url, {"panel_id": panel.id, **data}, url)
        assert response.status_code == status, data
        assert words in response.get_data(as_text=True), data
        db.session.rollback()
        assert (_count(PanelMember), _count(AuditEvent), _count(Conflict)) == before, data
    assert _members(panel) == {member.id}


def test_only_the_coordinator_sees_or_changes_members(app):
    panel = _panel()
    (expert,) = _experts(1)
    f.user("prefecture", "zzofficer")
    f.user("inspector", "theinspector")
    db.session.commit()
    for name in ("zzofficer", "theinspector", expert.user.username):
        client = client_as(app, name)
        assert client.get(_url(panel, q="候选")).status_code == 403, name
        response = client.post("/assignment/panels", data={
            "action": "add", "panel_id": panel.id, "expert_id": expert.id,
            "csrf_token": client.csrf})  # fmt: skip
        assert response.status_code == 403, name
    assert _members(panel) == set()
    assert not db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action.like("panel.member%"))
    )


def test_members_are_paged_by_fifty_with_the_total(app, client):
    panel = _panel()
    experts = _experts(62)
    service.set_members(panel, [e.id for e in experts], f.user("coordinator"))
    db.session.commit()
    _coordinator(client)
    first = client.get(_url(panel)).get_data(as_text=True)
    second = client.get(_url(panel, page=2)).get_data(as_text=True)
    assert "共 62 人" in first and "第 1 / 2 页" in first
    assert len(_removable(first)) == 50 and len(_removable(second)) == 12
    assert sorted(_removable(first) + _removable(second)) == sorted(e.id for e in experts)
    # by name: the first page holds 候选00 … 候选49
    assert _removable(first) == [e.id for e in experts[:50]]
    # the page links keep the panel
    assert f"panel={panel.id}" in re.search(r'<nav class="pager".*?</nav>', first, re.S).group(0)


def test_search_is_bounded_leaves_members_out_and_matches_fields(app, client):
    panel = _panel()
    many = _experts(25, stem="机械")
    members = many[:3]
    service.set_members(panel, [e.id for e in members], f.user("coordinator"))
    (specialist,) = _experts(1, stem="李")
    specialist.specialties = ["link.production"]
    (tooler,) = _experts(1, stem="王")
    tooler.industries = ["34"]
    db.session.commit()
    _coordinator(client)
    html = client.get(_url(panel, q="机械")).get_data(as_text=True)
    shown = _added(html)
    assert len(shown) == 20 and "找到 22 位" in html and "显示前 20 位" in html
    assert not set(shown) & {e.id for e in members}
    assert shown == [e.id for e in many[3:23]]  # by name
    # by employer, by 重点环节 name, by industry code; LIKE's own characters taken literally
    assert _added(client.get(_url(panel, q="机械单位07")).get_data(as_text=True)) == [many[7].id]
    assert specialist.id in _added(client.get(_url(panel, q="生产作业")).get_data(as_text=True))
    assert _added(client.get(_url(panel, q="34")).get_data(as_text=True)) == [tooler.id]
    assert _added(client.get(_url(panel, q="%25")).get_data(as_text=True)) == []


def test_unknown_arguments_are_ignored(app, client):
    leading = _panel("general", "leading")
    excellent = _panel("general", "excellent")
    db.session.commit()
    _coordinator(client)
    html = client.get("/assignment/panels?track=nonsense&panel=abc&page=x&sort=1").get_data(
        as_text=True
    )
    assert excellent.name in html and leading.name not in html
    # a panel of another track: the track's first panel instead
    html = client.get(f"/assignment/panels?track=excellent&panel={leading.id}").get_data(
        as_text=True
    )
    assert excellent.name in html and leading.name not in html
