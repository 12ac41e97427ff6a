"""申报列表's order from the URL (地市与推荐顺序 by default, 企业名称, 状态, 最近更新), kept by
the filters, the state tabs and the page links, combined with the filters; an unknown order
ignored; and no order that tells a result still hidden from a prefecture officer."""

import re
from datetime import datetime

from review_app.applications.models import Application
from review_app.extensions import db
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, login
from ..decision.test_visibility import decided  # noqa: F401  (a fixture)


def _codes(html: str) -> list[str]:
    return re.findall(r'<td><a href="/applications/\d+">([A-Z]{2}-[0-9A-Z-]+)</a></td>', html)


def _world():
    """Four applications: 郑州 ranks 2 and 1, 洛阳 one, a leading one; names out of order;
    one endorsed; update times set apart."""
    apps = [
        f.application(name="丁企业有限公司", pref="郑州市", priority_rank=2),
        f.application(name="甲企业有限公司", pref="郑州市", priority_rank=1),
        f.application(name="乙企业有限公司", pref="洛阳市"),
        f.application(name="丙企业有限公司", pref="郑州市", track="leading"),
    ]
    fire(apps[2], "endorse", f.user("prefecture", prefecture="洛阳市"), now=BEFORE_DEADLINE)
    for i, a in enumerate(apps):
        a.updated_at = datetime(2026, 3, 10 + (i * 3) % 4)  # 丁 10, 甲 13, 乙 12, 丙 11
    f.user("coordinator", "coord")
    db.session.commit()
    return apps


def test_orders_come_from_the_url_and_combine_with_filters(app, client):
    apps = _world()
    login(client, "coord")
    code = {a.enterprise.name[0]: a.anon_code for a in apps}

    def order(query: str) -> str:
        return "".join(next(k for k, v in code.items() if v == c)
                       for c in _codes(client.get(f"/applications/?{query}").get_data(True)))  # fmt: skip

    zhengzhou_first = order("")
    assert zhengzhou_first.index("甲") < zhengzhou_first.index("丁")  # rank 1 before rank 2
    assert order("sort=name") == "".join(sorted("丁甲乙丙"))
    assert order("sort=updated") == "甲乙丙丁"  # 13, 12, 11, 10 March
    assert order("sort=state")[-1] == "乙"  # submitted ones first, the endorsed one after
    assert order("sort=name&track=excellent") == "".join(sorted("丁甲乙"))
    assert order("sort=updated&q=企业&track=excellent") == "甲乙丁"
    assert order("sort=nonsense") == zhengzhou_first  # unknown: the default
    html = client.get("/applications/?sort=name&track=excellent").get_data(as_text=True)
    # the state tabs keep the order; the default order is left out of the URL
    assert 'href="/applications/?state=submitted&amp;track=excellent&amp;q=&amp;sort=name"' in html
    assert "sort=rank" not in client.get("/applications/").get_data(as_text=True)
    assert 'name="sort"' in html and '<option value="name" selected>' in html


def test_a_prefecture_officer_sees_only_its_own_in_any_order(app, client):
    _world()
    f.user("prefecture", "zzofficer", prefecture="郑州市")
    db.session.commit()
    login(client, "zzofficer")
    for sort in ("rank", "name", "state", "updated"):
        html = client.get(f"/applications/?sort={sort}").get_data(as_text=True)
        assert "乙企业" not in html and len(_codes(html)) == 3, sort


def test_the_orders_tell_no_hidden_result(decided, app, client):  # noqa: F811
    """Before the letter: 郑州's admitted and rejected applications are both 评审中; sorting by
    state or by last update must not set them apart (their update times are not used)."""
    _, admitted, rejected, _ = decided
    login(client, "zzofficer")

    def order(sort: str) -> list[str]:
        return _codes(client.get(f"/applications/?sort={sort}").get_data(as_text=True))

    seen = []
    for later in (admitted, rejected):
        db.session.get(Application, later.id).updated_at = datetime(2027, 1, 1)
        db.session.commit()
        seen.append((order("updated"), order("state")))
    assert seen[0] == seen[1]
