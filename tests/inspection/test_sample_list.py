"""The coordinator's 抽查名单: at most ``PAGE_SIZE`` a page, filtered by verdict and a search
(enterprise or anonymous code) from the URL, combined, the total shown; an inspector's own
list is unchanged (assigned ones only)."""

import re

from review_app.extensions import db
from review_app.inspection import service, views

from .. import factories as f
from ..conftest import login


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
