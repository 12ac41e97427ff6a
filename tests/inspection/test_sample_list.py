"""The coordinator's 抽查名单: at most ``PAGE_SIZE`` a page, filtered by verdict and a search
(enterprise or anonymous code) from the URL, combined, the total shown; an inspector's own
list is unchanged (assigned ones only)."""

import re
from html import unescape

from review_app.extensions import db
from review_app.inspection import service, views

from .. import factories as f
from ..conftest import csrf_from, login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<a href="/inspections/(\d+)">', html)]


def test_the_sample_list_is_paged_and_filtered_from_the_url(app, client, monkeypatch):
    actors = f.Actors()
    made = []
    experts = None
    for name in ("抽查甲有限公司", "抽查乙有限公司", "抽查丙有限公司"):
        a = f.application(name=name)
        experts = f.scored(a, actors, 0.8, experts)
        made.append(service.add_manual(a, "抽查", actors.coordinator))
    made[0].verdict = "untrue"
    db.session.commit()
    assert views.PAGE_SIZE <= 50
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    login(client, actors.coordinator.username)
    first = client.get("/inspections/?track=excellent").get_data(as_text=True)
    assert "共 3 家，第 1 / 2 页" in first and len(_ids(first)) == 2
    second = client.get("/inspections/?track=excellent&page=2").get_data(as_text=True)
    assert sorted(_ids(first) + _ids(second)) == sorted(i.id for i in made)

    def shown(query: str) -> list[int]:
        return sorted(_ids(client.get("/inspections/?" + query).get_data(as_text=True)))

    assert shown("verdict=untrue") == [made[0].id]
    assert shown("verdict=pending") == sorted(i.id for i in made[1:])
    assert shown("verdict=pending&q=抽查乙") == [made[1].id]
    assert shown(f"q={made[2].application.anon_code}") == [made[2].id]
    assert shown("verdict=untrue&q=抽查乙") == []
    assert shown("track=leading") == []
    assert "共 3 家" in client.get("/inspections/?verdict=x&foo=1").get_data(as_text=True)


def test_the_list_forms_return_to_the_filtered_page(app, client):
    """指派, 移出 and 加入 posted from a filtered 抽查名单 come back to the same filters (they
    carry them in their action URL); unknown values are dropped on the way."""
    actors = f.Actors()
    experts, made = None, []
    for name in ("名单甲有限公司", "名单乙有限公司", "名单丙有限公司"):
        a = f.application(name=name)
        experts = f.scored(a, actors, 0.8, experts)
        made.append(service.add_manual(a, "抽查", actors.coordinator))
    inspector = f.user("inspector", "sample-inspector")
    db.session.commit()
    login(client, actors.coordinator.username)
    listing = "/inspections/?track=excellent&verdict=pending&q=名单乙"
    html = client.get(listing).get_data(as_text=True)
    token = csrf_from(html)
    wanted = "/inspections/?track=excellent&verdict=pending&q=%E5%90%8D%E5%8D%95%E4%B9%99"
    assign = unescape(
        re.search(rf'action="(/inspections/{made[1].id}/inspectors\?[^"]*)"', html)[1]
    )
    response = client.post(assign, data={"csrf_token": token, "inspectors": str(inspector.id)})
    assert response.status_code == 302 and response.headers["Location"] == wanted
    db.session.expire_all()
    assert made[1].has_inspector(inspector.id)
    remove = unescape(re.search(rf'action="(/inspections/{made[1].id}/remove\?[^"]*)"', html)[1])
    response = client.post(remove, data={"csrf_token": token, "reason": "不再抽查"})
    assert response.status_code == 302 and response.headers["Location"] == wanted
    add = unescape(re.search(r'action="(/inspections/add\?[^"]*)"', html)[1])
    response = client.post(add, data={"csrf_token": token, "track": "excellent",
                                      "anon_code": made[1].application.anon_code, "reason": "补抽"})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == wanted
    # a filter the list does not know is not carried back
    response = client.post(f"/inspections/{made[0].id}/inspectors?verdict=x&q=名单",
                           data={"csrf_token": token, "inspectors": str(inspector.id)})  # fmt: skip
    assert response.headers["Location"] == "/inspections/?track=excellent&q=%E5%90%8D%E5%8D%95"
