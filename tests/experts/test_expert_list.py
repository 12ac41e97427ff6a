"""专家库's list: 50 experts a page with the total, filtered by prefecture, 重点环节 and a
search, ordered from the URL, the filters combined; unknown arguments ignored; the
coordinator's page only."""

import re
from html import unescape
from urllib.parse import quote, unquote

from review_app.experts.models import Expert
from review_app.extensions import db

from .. import factories as f
from ..conftest import csrf_from
from ..security.world import client_as


def _pool():
    """55 experts in 郑州 (every third 生产作业), 5 in 洛阳 with a capacity of 20."""
    zhengzhou, luoyang = f.prefecture("郑州市"), f.prefecture("洛阳市")
    for i in range(60):
        e = f.expert(pledge=False)
        e.name, e.employer = f"库专家{i:02d}", f"{'乙' if i % 2 else '甲'}单位{i:02d}"
        e.prefecture_id = (luoyang if i >= 55 else zhengzhou).id
        e.specialties = ["link.production"] if i % 3 == 0 else ["link.rnd"]
        e.capacity = 20 if i >= 55 else 10
    f.user("coordinator", "coord")
    db.session.commit()
    return zhengzhou, luoyang


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/experts/\d+(?:\?next=[^"]*)?">([^<]+)</a>', html)


def test_experts_are_paged_by_fifty_with_the_total(app):
    _pool()
    coord = client_as(app, "coord")
    first = coord.get("/experts/").get_data(as_text=True)
    second = coord.get("/experts/?page=2").get_data(as_text=True)
    assert "共 60 位专家" in first and "第 1 / 2 页" in first
    assert _names(first) == [f"库专家{i:02d}" for i in range(50)]
    assert _names(second) == [f"库专家{i:02d}" for i in range(50, 60)]


def test_filters_and_order_come_from_the_url_and_combine(app):
    zhengzhou, luoyang = _pool()
    coord = client_as(app, "coord")

    def names(query: str) -> list[str]:
        return _names(coord.get(f"/experts/?{query}").get_data(as_text=True))

    assert names(f"prefecture={luoyang.id}") == [f"库专家{i:02d}" for i in range(55, 60)]
    html = coord.get("/experts/?specialty=link.production").get_data(as_text=True)
    assert "共 20 位专家" in html
    assert names(f"specialty=link.production&prefecture={luoyang.id}") == ["库专家57"]
    assert names("q=甲单位0&specialty=link.rnd") == ["库专家02", "库专家04", "库专家08"]
    assert names("sort=capacity")[:5] == [f"库专家{i:02d}" for i in range(55, 60)]
    assert names("sort=newest&q=库专家0") == [f"库专家{i:02d}" for i in range(9, -1, -1)]
    # 乙 (U+4E59) sorts before 甲 (U+7532)
    assert names("sort=employer&q=单位0") == [
        "库专家01", "库专家03", "库专家05", "库专家07", "库专家09",
        "库专家00", "库专家02", "库专家04", "库专家06", "库专家08"]  # fmt: skip
    order = {p.id: p.sort_order for p in (zhengzhou, luoyang)}
    expected = sorted(
        range(50, 60), key=lambda i: (order[luoyang.id if i >= 55 else zhengzhou.id], i)
    )
    assert names("sort=prefecture&q=库专家5") == [f"库专家{i}" for i in expected]
    html = coord.get("/experts/?q=%25").get_data(as_text=True)
    assert _names(html) == [] and "没有符合筛选条件的专家" in html


def test_unknown_arguments_are_ignored(app):
    _pool()
    coord = client_as(app, "coord")
    plain = _names(coord.get("/experts/").get_data(as_text=True))
    html = coord.get("/experts/?prefecture=999999&specialty=x&sort=y&page=z&prefecture=abc")
    assert _names(html.get_data(as_text=True)) == plain


def test_only_the_coordinator_lists_experts(app):
    _pool()
    f.user("prefecture", "zzofficer")
    f.user("admin", "root")
    db.session.commit()
    for name in ("zzofficer", "root"):
        assert client_as(app, name).get("/experts/?q=库").status_code == 403, name


def test_an_edit_returns_to_the_filtered_list(app):
    """The edit link carries the list's filters and page (``next``); saving, and the page's
    back link, return there. A ``next`` that is not the 专家库 list is ignored."""
    zhengzhou, luoyang = _pool()
    coord = client_as(app, "coord")
    listing = f"/experts/?prefecture={luoyang.id}&sort=capacity"
    html = coord.get(listing).get_data(as_text=True)
    link = re.search(r'<a href="(/experts/(\d+)\?next=[^"]*)">库专家55</a>', html)
    assert link, "the edit link carries next"
    edit, expert_id = unescape(link.group(1)), link.group(2)
    assert unquote(edit.split("next=", 1)[1]) == f"/experts/?prefecture={luoyang.id}&sort=capacity"
    page = coord.get(edit).get_data(as_text=True)
    back = re.search(r'<a href="([^"]*)">← 专家库</a>', page).group(1)
    assert unescape(back) == listing
    token = csrf_from(page)
    data = {"csrf_token": token, "employer": "新单位", "capacity": "12"}
    response = coord.post(edit, data=data)
    assert response.status_code == 302 and response.headers["Location"] == listing
    db.session.expire_all()
    assert db.session.get(Expert, int(expert_id)).employer == "新单位"
    # refused: the page again, its back link still to the filtered list
    page = coord.post(edit, data={**data, "capacity": "x"}).get_data(as_text=True)
    assert unescape(re.search(r'<a href="([^"]*)">← 专家库</a>', page).group(1)) == listing
    # an unfiltered list links without next; another page or host is never a target
    assert "?next=" not in coord.get("/experts/").get_data(as_text=True)
    for target in ("//evil.example/experts/", "https://evil.example/experts/", "/admin/users"):
        url = f"/experts/{expert_id}?next={quote(target)}"
        response = coord.post(url, data=data)
        assert response.headers["Location"] == "/experts/", target
