"""The draw's 专家库与可参加情况 page: 50 experts a page at most, filtered by 本批次 availability,
prefecture, 重点环节 and a search from the URL, sorted, the total shown; marking an expert
unavailable returns to the same filtered page; only the coordinator sees it."""

import re

from review_app.draws import service
from review_app.extensions import db
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import login
from .test_draws import pool


def _names(html: str) -> list[str]:
    return re.findall(r"<td>(池专家\d+)</td>", html)


def test_the_pool_is_paged_filtered_and_sorted_from_the_url(app, client):
    experts = pool(120)
    coordinator = f.user("coordinator", "pool-list-c")
    program = current_program()
    for e in experts[:7]:
        service.set_availability(program, e, False, "出国", coordinator)
    db.session.commit()
    login(client, coordinator.username)
    first = client.get("/draws/pool").get_data(as_text=True)
    assert len(_names(first)) == 50 and "共 120 位专家，第 1 / 3 页" in first
    last = client.get("/draws/pool?page=3").get_data(as_text=True)
    assert len(_names(last)) == 20
    unavailable = client.get("/draws/pool?available=unavailable").get_data(as_text=True)
    assert sorted(_names(unavailable)) == sorted(e.name for e in experts[:7])
    assert "共 7 位专家" in unavailable and unavailable.count("恢复</button>") == 7
    available = client.get("/draws/pool?available=available&page=3").get_data(as_text=True)
    assert "共 113 位专家" in available and experts[0].name not in _names(available)
    searched = client.get("/draws/pool?q=池专家11").get_data(as_text=True)  # 11, 110–119
    assert sorted(_names(searched)) == sorted(
        ["池专家11"] + [f"池专家{i}" for i in range(110, 120)]
    )
    newest = client.get("/draws/pool?sort=newest").get_data(as_text=True)
    assert _names(newest)[0] == experts[-1].name
    city = experts[0].prefecture
    expected = {e.name for e in experts[7:] if e.prefecture_id == city.id}
    by_city = client.get(f"/draws/pool?prefecture={city.id}&available=available")
    html = by_city.get_data(as_text=True)
    assert set(_names(html)) == expected and f"共 {len(expected)} 位专家" in html
    # unknown values are ignored, not an error
    assert client.get("/draws/pool?available=maybe&sort=x&page=99").status_code == 200


def test_marking_an_expert_returns_to_the_same_filtered_page(app, client):
    experts = pool(60)
    coordinator = f.user("coordinator", "pool-list-c2")
    db.session.commit()
    login(client, coordinator.username)
    target = experts[55]
    page = client.get("/draws/pool?q=池专家5&page=1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/draws/pool?q=池专家5&sort=newest",
        data={"csrf_token": token, "expert_id": target.id, "available": "0", "note": "出差"},
    )
    assert response.status_code == 302
    assert "q=" in response.location and "sort=newest" in response.location
    row = service.availability(current_program())[target.id]
    assert row.available is False and row.note == "出差"


def test_only_the_coordinator_sees_the_pool(app, client):
    pool(3)
    expert = f.expert()
    db.session.commit()
    login(client, expert.user.username)
    assert client.get("/draws/pool").status_code == 403
