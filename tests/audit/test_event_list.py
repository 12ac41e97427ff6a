"""The 审计链 page's list of events: at most 50 a page, filtered by action (its Chinese label),
object type, actor and a Beijing date range from the URL (combined), newest or oldest first,
the total shown; only the coordinator reads it (the administrator verifies the chain only)."""

import re
from datetime import datetime

from sqlalchemy import select

from review_app.admin import audit_list
from review_app.audit import service as audit
from review_app.audit.models import AuditEvent
from review_app.extensions import db

from .. import factories as f
from ..conftest import login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r"<tr><td>(\d+)</td>", html)]


def _events() -> dict[str, list[int]]:
    """60 events: 40 conflict.waive on conflicts by alice (12-01 Beijing), 20 user.locked on
    accounts by bob (12-02 Beijing, written 16:30 UTC on 12-01)."""
    out: dict[str, list[int]] = {"waive": [], "locked": []}
    for i in range(40):
        ev = audit.record("conflict.waive", "conflict", i, actor_label="alice")
        ev.created_at = datetime(2026, 12, 1, 2, 0)
        out["waive"].append(ev.id)
    for i in range(20):
        ev = audit.record("user.locked", "user", i, actor_label="bob")
        ev.created_at = datetime(2026, 12, 1, 16, 30)  # 00:30 on 12-02 in Beijing
        out["locked"].append(ev.id)
    db.session.commit()
    return out


def _all() -> list[int]:
    return list(db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def test_the_list_is_paged_by_50_with_the_total_shown(app, client):
    coordinator = f.user("coordinator")
    _events()
    login(client, coordinator.username)
    every = _all()  # the test's 60 and whatever signing in wrote
    first = client.get("/admin/audit").get_data(as_text=True)
    assert audit_list.PAGE_SIZE == 50 and len(_ids(first)) == 50
    assert f"共 {len(every)} 条，第 1 / 2 页" in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert sorted(_ids(first) + _ids(second)) == every
    assert _ids(first) == sorted(_ids(first), reverse=True)
    oldest = client.get("/admin/audit?sort=oldest").get_data(as_text=True)
    assert _ids(oldest) == every[:50]


def test_filters_come_from_the_url_and_combine(app, client):
    coordinator = f.user("coordinator")
    made = _events()
    login(client, coordinator.username)

    def shown(query: str) -> list[int]:
        return sorted(_ids(client.get("/admin/audit?" + query).get_data(as_text=True)))

    html = client.get("/admin/audit?action=user.locked").get_data(as_text=True)
    assert sorted(_ids(html)) == made["locked"] and "共 20 条" in html
    assert "账号锁定" in html  # the filter names the action in Chinese
    assert shown("object=conflict&actor=ali") == made["waive"]
    assert shown("action=conflict.waive&actor=bob") == []
    assert shown("since=2026-12-02&until=2026-12-02") == made["locked"]
    assert shown("until=2026-12-01&object=user&actor=bob") == []
    assert shown("since=2026-12-01&until=2026-12-01&actor=alice") == made["waive"]
    html = client.get("/admin/audit?actor=%25&object=user").get_data(as_text=True)
    assert _ids(html) == [] and "没有符合筛选条件的操作记录" in html
    # unknown or malformed values are ignored
    html = client.get("/admin/audit?action=x.y&object=zz&since=2026-13-40&sort=up&foo=1")
    assert f"共 {len(_all())} 条" in html.get_data(as_text=True)
    html = client.get("/admin/audit?since=0001-01-01&until=9999-12-31")
    assert html.status_code == 200 and f"共 {len(_all())} 条" in html.get_data(as_text=True)


def test_only_the_coordinator_reads_the_events(app, client):
    f.user("admin", "root")
    _events()
    login(client, "root")
    page = client.get("/admin/audit?action=user.locked")
    assert page.status_code == 200 and _ids(page.get_data(as_text=True)) == []


def test_other_roles_may_not_open_the_page(app, client):
    officer = f.user("prefecture")
    db.session.commit()
    login(client, officer.username)
    assert client.get("/admin/audit?action=user.locked").status_code == 403
