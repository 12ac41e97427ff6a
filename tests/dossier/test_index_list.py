"""The 推荐材料 page's 地市审核意见 list: at most ``PAGE_SIZE`` rows a page, filtered by prefecture,
track, opinion, state and a search from the URL (combined), sorted, the total shown; an officer
sees only its own prefecture whatever the URL says; the 审核情况表 keeps every row."""

import io
import re

import pytest
from openpyxl import load_workbook

from review_app.dossier import index_list
from review_app.extensions import db
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, csrf_from, login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr id="app-(\d+)">', html)]


@pytest.fixture()
def apps(app):
    """Seven applications: 郑州市 ×4 (one 领航级, two without an opinion), 洛阳市 ×3."""
    made = [
        f.application(name="甲一装备有限公司"),
        f.application(name="甲二装备有限公司", opinion=None),
        f.application(name="甲三化工有限公司", opinion=None),
        f.application(name="甲四重工有限公司", track="leading"),
        f.application(name="乙一装备有限公司", pref="洛阳市"),
        f.application(name="乙二食品有限公司", pref="洛阳市"),
        f.application(name="乙三装备有限公司", pref="洛阳市", opinion=None),
    ]
    db.session.commit()
    return made


def test_the_list_is_paged_with_the_total_shown(apps, client, monkeypatch):
    assert index_list.PAGE_SIZE <= 50
    monkeypatch.setattr(index_list, "PAGE_SIZE", 3)
    login(client, f.user("coordinator").username)
    first = client.get("/dossier/").get_data(as_text=True)
    assert "共 7 项申报，第 1 / 3 页。" in first and len(_ids(first)) == 3
    pages = [_ids(client.get(f"/dossier/?page={n}").get_data(as_text=True)) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sorted(sum(pages, [])) == sorted(a.id for a in apps)
    # the pager keeps the filters; a page past the end shows the last
    html = client.get("/dossier/?track=excellent&page=2").get_data(as_text=True)
    assert "track=excellent" in html and "page=1" in html
    assert _ids(client.get("/dossier/?page=99").get_data(as_text=True)) == pages[2]


def test_filters_and_sort_come_from_the_url_and_combine(apps, client):
    login(client, f.user("coordinator").username)
    by_name = {a.enterprise.name: a.id for a in apps}
    luoyang = f.prefecture("洛阳市").id

    def shown(query: str) -> set[int]:
        html = client.get("/dossier/?" + query).get_data(as_text=True)
        return set(_ids(html))

    assert shown(f"prefecture={luoyang}") == {by_name[n] for n in by_name if n.startswith("乙")}
    assert shown("opinion=missing") == {by_name["甲二装备有限公司"], by_name["甲三化工有限公司"],
                                        by_name["乙三装备有限公司"]}  # fmt: skip
    assert shown(f"opinion=missing&prefecture={luoyang}") == {by_name["乙三装备有限公司"]}
    assert shown("track=leading") == {by_name["甲四重工有限公司"]}
    assert shown("q=装备&opinion=written") == {
        by_name["甲一装备有限公司"],
        by_name["乙一装备有限公司"],
    }
    uscc = apps[5].enterprise.uscc
    assert shown(f"q={uscc}") == {apps[5].id}
    assert shown("state=submitted&track=leading") == {by_name["甲四重工有限公司"]}
    html = client.get("/dossier/?q=%25&opinion=written").get_data(as_text=True)
    assert _ids(html) == [] and "没有符合筛选条件的申报" in html and "共 0 项申报" in html
    ordered = _ids(client.get("/dossier/?sort=enterprise").get_data(as_text=True))
    assert ordered == [by_name[n] for n in sorted(by_name)]
    # unknown values and arguments are ignored
    html = client.get("/dossier/?prefecture=99999&track=x&opinion=x&state=x&sort=x&foo=1")
    assert set(_ids(html.get_data(as_text=True))) == set(by_name.values())
    assert "共 7 项申报" in html.get_data(as_text=True)
    assert client.get("/dossier/?prefecture=99999999999999999999").status_code == 200


def test_an_officer_sees_only_its_own_prefecture_whatever_the_url(apps, client):
    officer = f.user("prefecture", prefecture="洛阳市")
    login(client, officer.username)
    zhengzhou = f.prefecture("郑州市").id
    html = client.get(f"/dossier/?prefecture={zhengzhou}").get_data(as_text=True)
    assert set(_ids(html)) == {a.id for a in apps[4:]} and "共 3 项申报" in html
    assert 'name="prefecture"' not in html  # no prefecture filter for an officer
    assert _ids(client.get("/dossier/?q=甲一").get_data(as_text=True)) == []


def test_the_review_sheet_still_holds_every_row(apps, client, monkeypatch):
    monkeypatch.setattr(index_list, "PAGE_SIZE", 2)
    login(client, f.user("coordinator").username)
    sheet = load_workbook(io.BytesIO(client.get("/dossier/review-sheet.xlsx").data)).active
    assert sheet.max_row - 2 == len(apps)


def test_writing_an_opinion_returns_to_a_list_that_holds_the_row(apps, client):
    officer = f.user("prefecture")
    login(client, officer.username)
    target = apps[1]
    url = f"/dossier/applications/{target.id}/opinion"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "text": "同意推荐。"})
    assert response.status_code == 302
    back = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _ids(back) == [target.id]


def test_the_completeness_list_pages_the_recommended_ones_with_the_same_filters(
    apps, client, monkeypatch
):
    actors = f.Actors()
    endorsed = [a for a in apps if a.enterprise.name in ("甲一装备有限公司", "甲四重工有限公司",
                                                         "乙一装备有限公司", "乙二食品有限公司")]  # fmt: skip
    for a in endorsed:
        fire(a, "endorse", actors.officer(a.prefecture.name), now=BEFORE_DEADLINE)
    db.session.commit()
    monkeypatch.setattr(index_list, "PAGE_SIZE", 3)
    login(client, actors.coordinator.username)

    def shown(query: str = "") -> list[int]:
        html = client.get("/dossier/completeness?" + query).get_data(as_text=True)
        return [int(x) for x in re.findall(r"/dossier/applications/(\d+)/files", html)]

    html = client.get("/dossier/completeness").get_data(as_text=True)
    assert "共 4 项已推荐的申报，第 1 / 2 页" in html
    assert sorted(shown() + shown("page=2")) == sorted(a.id for a in endorsed)
    luoyang = f.prefecture("洛阳市").id
    assert sorted(shown(f"prefecture={luoyang}")) == sorted(a.id for a in endorsed[2:])
    assert shown("track=leading&q=甲四") == [endorsed[1].id]
    assert shown("q=乙三") == []  # not recommended
    assert "共 4 项" in client.get("/dossier/completeness?track=x&sort=y").get_data(True)
