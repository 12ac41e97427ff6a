"""The conflicts page's "全部冲突" list: at most 50 rows a page, filters and order in the URL,
the total shown; an action posted from a page returns to that page and changes one row."""

import re

from sqlalchemy import select

from review_app.assignment.models import Conflict
from review_app.enterprises.models import Enterprise
from review_app.extensions import db

from .. import factories as f
from ..conftest import post_form
from .test_pages import _coordinator


def _conflicts(n_experts: int = 12, n_enterprises: int = 6) -> list[Conflict]:
    """n_experts × n_enterprises conflicts: same_prefecture, every third one declared."""
    experts = [f.expert(pledge=False) for _ in range(n_experts)]
    for i, e in enumerate(experts):
        e.name, e.employer = f"回避专家{i:02d}", f"单位{i:02d}"
    enterprises = [Enterprise(name=f"冲突企业{k}有限公司", uscc=f"91410100MA00000{k:02d}X")
                   for k in range(n_enterprises)]  # fmt: skip
    db.session.add_all(enterprises)
    db.session.flush()
    rows = []
    for i, e in enumerate(experts):
        for k, ent in enumerate(enterprises):
            declared = (i * n_enterprises + k) % 3 == 0
            rows.append(Conflict(expert_id=e.id, enterprise_id=ent.id,
                                 rule="declared_relation" if declared else "same_prefecture",
                                 source="declared" if declared else "detected",
                                 status="pinned" if declared else "active",
                                 evidence=f"依据{i}-{k}"))  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    return rows


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="conflict_id" value="(\d+)"', html)]


def test_list_is_paged_with_the_total_shown(app, client):
    rows = _conflicts()  # 72
    _coordinator(client)
    first = client.get("/assignment/conflicts").get_data(as_text=True)
    assert "共 72 条" in first and "第 1 / 2 页" in first
    assert len(_ids(first)) == 50
    second = client.get("/assignment/conflicts?page=2").get_data(as_text=True)
    assert len(_ids(second)) == 22
    assert sorted(_ids(first) + _ids(second)) == sorted(c.id for c in rows)
    # a page past the end shows the last; a bad page number the first
    assert _ids(client.get("/assignment/conflicts?page=99").get_data(as_text=True)) == _ids(second)
    assert _ids(client.get("/assignment/conflicts?page=x").get_data(as_text=True)) == _ids(first)


def test_filters_and_order_come_from_the_url(app, client):
    rows = _conflicts()
    _coordinator(client)
    pinned = {c.id for c in rows if c.status == "pinned"}
    html = client.get("/assignment/conflicts?status=pinned").get_data(as_text=True)
    assert set(_ids(html)) == pinned and f"共 {len(pinned)} 条" in html
    html = client.get("/assignment/conflicts?source=declared&rule=same_prefecture").get_data(
        as_text=True
    )
    assert _ids(html) == [] and "没有符合筛选条件的利益冲突" in html
    html = client.get("/assignment/conflicts?q=回避专家03").get_data(as_text=True)
    expert_id = db.session.execute(
        select(Conflict.expert_id).where(Conflict.evidence == "依据3-0")
    ).scalar_one()
    assert set(_ids(html)) == {c.id for c in rows if c.expert_id == expert_id}
    html = client.get("/assignment/conflicts?q=冲突企业5&sort=newest").get_data(as_text=True)
    assert _ids(html) == sorted((c.id for c in rows if c.evidence.endswith("-5")), reverse=True)
    # LIKE's own characters are taken literally; unknown values are ignored
    assert _ids(client.get("/assignment/conflicts?q=%25").get_data(as_text=True)) == []
    html = client.get("/assignment/conflicts?status=nonsense&sort=nonsense").get_data(as_text=True)
    assert "共 72 条" in html


def test_an_action_returns_to_the_same_page_and_changes_one_row(app, client):
    rows = _conflicts()
    _coordinator(client)
    url = "/assignment/conflicts?status=active&page=2"
    target = _ids(client.get(url).get_data(as_text=True))[0]
    response = post_form(client, url, {"action": "waive", "conflict_id": target,
                                       "reason": "已核实无利益关系"}, url)  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assignment/conflicts?status=active&page=2")
    db.session.expire_all()
    changed = {c.id: c.status for c in db.session.execute(select(Conflict)).scalars()}
    assert changed[target] == "waived"
    assert {i: s for i, s in changed.items() if i != target} == {
        c.id: ("pinned" if c.source == "declared" else "active") for c in rows if c.id != target
    }
