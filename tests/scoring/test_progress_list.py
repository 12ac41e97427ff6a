"""评分进度: the experts 50 a page with the total, filtered (track, panel, status, name) and
ordered from the URL, the filters combined; unknown arguments ignored; an offline sheet
uploaded from a filtered page returns to it; the coordinator's page only."""

import io
import re
from datetime import date
from urllib.parse import unquote

from openpyxl import load_workbook

from review_app.assignment.models import Assignment
from review_app.assignment.service import ensure_panels
from review_app.extensions import db
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import login, post_form
from ..security.world import client_as
from .test_scoring import _assigned, _mine
from .test_sheet import _fill

PAST, FUTURE = date(2026, 3, 1), date(2026, 12, 31)  # the tests' today is 2026-03-20


def _world():
    """60 experts on the excellent track's 综合组 (every third done, every third overdue, the
    rest open), 5 on the leading track's, each with one task."""
    panels = {(p.track_code, p.section_group): p
              for p in ensure_panels(current_program(), f.user("coordinator"))}  # fmt: skip
    excellent, leading = f.application(), f.application(track="leading")
    experts = {}
    for track, app, count, stem in (("excellent", excellent, 60, "进度专家"),
                                    ("leading", leading, 5, "领航专家")):  # fmt: skip
        sections = app.sections
        for i in range(count):
            e = f.expert(pledge=False)
            e.name, e.employer = f"{stem}{i:02d}", f"{stem}单位{i:02d}"
            status, due = [("submitted", PAST), ("assigned", PAST), ("assigned", FUTURE)][i % 3]
            if track == "leading":
                status, due = "assigned", FUTURE
            db.session.add(Assignment(application=app, section=sections[i % len(sections)],
                                      expert=e, status=status, due_date=due,
                                      panel_id=panels[(track, "general")].id))  # fmt: skip
            experts[e.name] = e
    db.session.commit()
    return experts, panels


def _names(html: str) -> list[str]:
    return re.findall(r"<tr><td>([^<]+)</td><td>[^<]+单位\d\d</td>", html)


def _coordinator(client):
    f.user("coordinator", "coord")
    db.session.commit()
    login(client, "coord")


def test_experts_are_paged_by_fifty_with_the_total(app, client):
    _world()
    _coordinator(client)
    first = client.get("/scoring/progress?sort=name").get_data(as_text=True)
    second = client.get("/scoring/progress?sort=name&page=2").get_data(as_text=True)
    assert "共 65 位专家" in first and "第 1 / 2 页" in first
    assert len(_names(first)) == 50 and len(_names(second)) == 15
    assert _names(first) + _names(second) == sorted(_names(first) + _names(second))
    assert len(set(_names(first) + _names(second))) == 65
    # the page links keep the order
    assert "sort=name" in re.search(r'<nav class="pager".*?</nav>', first, re.S).group(0)


def test_filters_and_order_come_from_the_url_and_combine(app, client):
    experts, panels = _world()
    _coordinator(client)

    def names(query: str) -> list[str]:
        return _names(client.get(f"/scoring/progress?{query}").get_data(as_text=True))

    assert sorted(names("track=leading")) == [f"领航专家{i:02d}" for i in range(5)]
    assert len(names(f"panel={panels[('excellent', 'general')].id}&sort=name")) == 50
    html = client.get("/scoring/progress?status=done").get_data(as_text=True)
    assert "共 20 位专家" in html
    assert set(_names(html)) == {f"进度专家{i:02d}" for i in range(0, 60, 3)}
    assert set(names("status=overdue")) == {f"进度专家{i:02d}" for i in range(1, 60, 3)}
    html = client.get("/scoring/progress?status=open").get_data(as_text=True)
    assert "共 45 位专家" in html
    assert names("q=进度专家07") == ["进度专家07"]
    assert names("q=领航专家单位03") == ["领航专家03"]
    # combined: the excellent track, overdue, names 进度专家1x
    assert names("track=excellent&status=overdue&q=进度专家1&sort=name") == [
        "进度专家10", "进度专家13", "进度专家16", "进度专家19"]  # fmt: skip
    # the default order: overdue first; 完成比例低的在前: the done ones last
    assert set(names("")[:20]) == {f"进度专家{i:02d}" for i in range(1, 60, 3)}
    by_progress = names("track=excellent&sort=progress&q=进度专家0")
    assert by_progress[-4:] == ["进度专家00", "进度专家03", "进度专家06", "进度专家09"]
    # LIKE's own characters are literal; nothing found says so
    html = client.get("/scoring/progress?q=%25").get_data(as_text=True)
    assert _names(html) == [] and "没有符合筛选条件的专家" in html
    # the per-panel table follows the track
    html = client.get("/scoring/progress?track=leading").get_data(as_text=True)
    by_panel = html.split("按评审组")[1].split("按专家")[0]
    assert "领航级智能工厂培育 · 综合组" in by_panel and "卓越级" not in by_panel


def test_unknown_arguments_are_ignored(app, client):
    _, panels = _world()
    _coordinator(client)
    plain = _names(client.get("/scoring/progress").get_data(as_text=True))
    html = client.get("/scoring/progress?track=x&status=y&sort=z&page=q&panel=abc&q=").get_data(
        as_text=True
    )
    assert "共 65 位专家" in html and _names(html) == plain
    # a panel of the other track: that filter is dropped, the track kept
    leading_panel = panels[("leading", "general")].id
    html = client.get(f"/scoring/progress?track=excellent&panel={leading_panel}").get_data(
        as_text=True
    )
    assert "共 60 位专家" in html


def test_an_upload_returns_to_the_same_filtered_page(app, client):
    application, _ = _assigned()
    task = _mine(application)[0]
    expert_id = task.expert_id
    db.session.commit()
    _coordinator(client)
    url = "/scoring/progress?status=open&sort=name&page=1"
    response = post_form(client, "/scoring/sheet?status=open&sort=name", {"expert": expert_id,
                                                                          "action": "submit"}, url)  # fmt: skip
    assert response.status_code == 302  # no file: said so, back to the list
    assert unquote(response.headers["Location"]).endswith("/scoring/progress?status=open&sort=name")
    sheet = client.get(f"/scoring/sheet.xlsx?expert={expert_id}")
    wb = load_workbook(io.BytesIO(sheet.data))
    _fill(wb["评分"], wb["评审意见"])
    buffer = io.BytesIO()
    wb.save(buffer)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(True))[1]
    response = client.post(
        "/scoring/sheet?status=open&sort=name",
        data={"csrf_token": token, "action": "submit", "expert": expert_id,
              "file": (io.BytesIO(buffer.getvalue()), "评分表.xlsx")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 302
    assert unquote(response.headers["Location"]).endswith("/scoring/progress?status=open&sort=name")
    db.session.expire_all()
    assert db.session.get(Assignment, task.id).status == "submitted"


def test_only_the_coordinator_reads_progress(app):
    experts, _ = _world()
    f.user("prefecture", "zzofficer")
    f.user("inspector", "theinspector")
    db.session.commit()
    for name in ("zzofficer", "theinspector", experts["进度专家00"].user.username):
        assert client_as(app, name).get("/scoring/progress?status=open").status_code == 403, name
