"""The 发件箱 list: at most 50 messages a page, filtered by status, kind and a search (recipient,
address, subject) from the URL, combined, newest or oldest first, the total shown; the
coordinator's only."""

import re

from review_app.extensions import db
from review_app.outbox import views
from tests import factories as f
from tests.conftest import login

from .test_outbox import _compose


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<a href="/outbox/(\d+)">', html)]


def _messages() -> dict[str, list[int]]:
    """55 drafts: 35 to zhang@, 20 to li@ (every fourth of those cancelled)."""
    out: dict[str, list[int]] = {"zhang": [], "li": [], "cancelled": []}
    for i in range(55):
        who = "zhang" if i < 35 else "li"
        m = _compose(f"invitation:{i}", address=f"{who}{i}@example.com")
        if who == "li" and i % 4 == 0:
            m.status = "cancelled"
            out["cancelled"].append(m.id)
        out[who].append(m.id)
    db.session.commit()
    return out


def test_the_list_is_paged_by_50_with_the_total_shown(app, client):
    f.user("coordinator", "coord1")
    made = _messages()
    login(client, "coord1")
    first = client.get("/outbox/").get_data(as_text=True)
    assert views.PAGE_SIZE == 50 and len(_ids(first)) == 50
    assert "共 55 条，第 1 / 2 页" in first
    second = client.get("/outbox/?page=2").get_data(as_text=True)
    assert sorted(_ids(first) + _ids(second)) == sorted(made["zhang"] + made["li"])
    assert _ids(first) == sorted(_ids(first), reverse=True)
    oldest = client.get("/outbox/?sort=oldest").get_data(as_text=True)
    assert _ids(oldest) == sorted(made["zhang"] + made["li"])[:50]


def test_filters_come_from_the_url_and_combine(app, client):
    f.user("coordinator", "coord1")
    made = _messages()
    login(client, "coord1")

    def shown(query: str) -> list[int]:
        return sorted(_ids(client.get("/outbox/?" + query).get_data(as_text=True)))

    assert shown("q=li") == made["li"]
    assert shown("q=li&status=cancelled") == made["cancelled"]
    assert shown("q=li&status=cancelled&kind=invitation") == made["cancelled"]
    assert shown("status=cancelled&kind=review_due") == []
    assert shown("q=zhang1&status=draft") == sorted(
        i for n, i in enumerate(made["zhang"]) if str(n).startswith("1")
    )
    html = client.get("/outbox/?q=%25").get_data(as_text=True)
    assert _ids(html) == [] and "没有符合筛选条件的消息" in html and "共 0 条" in html
    # unknown values and arguments are ignored
    html = client.get("/outbox/?status=x&kind=y&sort=z&foo=1").get_data(as_text=True)
    assert "共 55 条" in html


def test_other_roles_may_not_list_the_outbox(app, client):
    f.user("prefecture", "pz-officer")
    db.session.commit()
    login(client, "pz-officer")
    assert client.get("/outbox/?status=draft").status_code == 403
