"""A track's 公示 page: the names waiting for 审定 folded in a <details>, the actions (审定, 公示,
递补) before the run's list, and that list paged (at most ``PAGE_SIZE``), filtered by state and
a search, sorted, the total shown; the public 公示 page keeps every name, in a scrolling frame."""

import re

from review_app.publicity import run_list

from ..security.world import client_as
from .helpers import approve_and_publish
from .test_pages import proposed  # noqa: F401 - the fixture


def _names(html: str) -> list[str]:
    table = html[html.index("本赛道入库决定中的申报") :]
    return re.findall(r"<td>(页面公示企业\d有限公司)</td>", table)


def test_the_run_list_is_paged_filtered_and_sorted_from_the_url(app, proposed, monkeypatch):  # noqa: F811
    assert run_list.PAGE_SIZE <= 50
    monkeypatch.setattr(run_list, "PAGE_SIZE", 3)
    coord = client_as(app, "pub-coord")
    html = coord.get("/publicity/excellent").get_data(as_text=True)
    assert "共 4 家，第 1 / 2 页" in html
    # the decision's order: the best score first
    assert _names(html) == [f"页面公示企业{i}有限公司" for i in range(3)]
    assert _names(coord.get("/publicity/excellent?page=2").get_data(as_text=True)) == [
        "页面公示企业3有限公司"
    ]
    html = coord.get("/publicity/excellent?sort=enterprise&q=企业3").get_data(as_text=True)
    assert _names(html) == ["页面公示企业3有限公司"] and "共 1 家" in html
    html = coord.get("/publicity/excellent?state=not_selected").get_data(as_text=True)
    assert _names(html) == ["页面公示企业2有限公司", "页面公示企业3有限公司"]
    html = coord.get("/publicity/excellent?state=not_selected&q=企业0").get_data(as_text=True)
    assert _names(html) == [] and "没有符合筛选条件的申报" in html
    # unknown values are ignored; the actions come before the list
    html = coord.get("/publicity/excellent?state=x&sort=x&foo=1").get_data(as_text=True)
    assert "共 4 家" in html
    assert html.index('id="approval-form"') < html.index("本赛道入库决定中的申报")


def test_waiting_names_are_folded_and_the_public_page_keeps_every_name(app, proposed):  # noqa: F811
    coord = client_as(app, "pub-coord")
    html = coord.get("/publicity/excellent").get_data(as_text=True)
    start = html.index('<details class="name-list">')
    folded = html[start : html.index("</details>", start)]
    assert "查看名单（2 家）" in folded and "页面公示企业0有限公司" in folded
    _, _, program = proposed
    actors = proposed[0]
    period = approve_and_publish(program, "excellent", actors.coordinator)
    public = app.test_client().get(f"/gongshi/{period.id}").get_data(as_text=True)
    frame = public[public.index('class="table-frame"') : public.index("</table>")]
    assert "页面公示企业0有限公司" in frame and "页面公示企业1有限公司" in frame


def test_the_page_is_the_coordinators_only(app, proposed):  # noqa: F811
    assert client_as(app, "pub-zz").get("/publicity/excellent?state=admitted").status_code == 403
