"""The decision table's column chooser (a GET form, kept in the URL), its sticky header and
first columns, and the explanation that wraps instead of scrolling sideways."""

import re

from werkzeug.datastructures import MultiDict

from review_app.decision.columns import DEFAULT_COLUMNS, chosen_columns
from review_app.extensions import db

from .. import factories as f
from ..conftest import login
from .test_service import world  # noqa: F401  (the fixture)


def _headings(html: str) -> list[str]:
    table = html[html.index('<table class="data compact ranking">') :]
    head = table[: table.index("</thead>")]
    return re.findall(r"<th[^>]*>([^<]*)</th>", head)


def test_chosen_columns_default_order_and_unknown_keys():
    assert chosen_columns(MultiDict()) == list(DEFAULT_COLUMNS)
    assert chosen_columns(MultiDict([("cols", "nonsense")])) == list(DEFAULT_COLUMNS)
    assert chosen_columns(MultiDict([("cols", "explanation"), ("cols", "rank")])) == [
        "rank", "explanation",
    ]  # fmt: skip


def test_the_default_columns_and_a_chosen_set(world, client):  # noqa: F811
    actors, apps = world
    f.user("coordinator", "coord-cols")
    db.session.commit()
    login(client, "coord-cols")
    html = client.get("/decision/excellent").get_data(as_text=True)
    assert _headings(html) == ["排名", "匿名编号", "企业名称", "地市", "综合得分", "结果", "说明"]
    assert 'class="table-frame" tabindex="0"' in html
    # every column is offered, the default ones ticked
    assert html.count('name="cols"') >= 15
    assert re.search(r'value="raw"\s*>', html) and re.search(r'value="rank" checked', html)
    html = client.get("/decision/excellent?cols=rank&cols=raw&cols=name").get_data(as_text=True)
    assert _headings(html) == ["排名", "企业名称", "原始分"]
    assert apps[0].enterprise.name in html and "匿名编号" not in _headings(html)
    assert re.search(r'value="raw" checked', html) and not re.search(r'value="final" checked', html)
    # a trial keeps the chosen columns and the chooser keeps the trial
    html = client.get(
        "/decision/excellent?try=1&capacity=4&min_score=0&use_calibration=0&cols=rank&cols=final"
    ).get_data(as_text=True)
    assert _headings(html)[:2] == ["排名", "综合得分"]
    assert '<input type="hidden" name="cols" value="final">' in html
    assert '<input type="hidden" name="capacity" value="4">' in html


def test_the_table_css_sticks_the_header_and_wraps_the_explanation(app, client):
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert re.search(r"table\.ranking thead th \{ position: sticky; top: 0;", css)
    assert re.search(
        r"table\.ranking th:first-child, table\.ranking td:first-child \{ position: sticky; left: 0;",
        css,
    )
    assert re.search(r"td\.explain \{[^}]*white-space: normal", css)
    assert ".table-frame { max-height: 75vh; overflow: auto;" in css
