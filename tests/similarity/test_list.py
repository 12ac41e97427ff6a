"""The 雷同检测 list: at most 50 findings a page, filtered by status, kind and an enterprise's
name on either side from the URL, combined, by score, shared length or newest, the total shown."""

import re
from itertools import product

from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.similarity import views
from review_app.similarity.models import SimilarityFinding

from .. import factories as f
from ..conftest import login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/similarity/(\d+)"', html)]


def _findings() -> dict[str, list[int]]:
    """40 findings 甲×乙 (same prefecture, score rising with the id), 15 甲×丙 (cross, 雷同)."""
    a = f.application(name="甲方装备有限公司")
    b = f.application(name="乙方机械有限公司")
    c = f.application(name="丙方食品有限公司", pref="洛阳市")
    out: dict[str, list[int]] = {"ab": [], "ac": []}
    program = current_program()
    for key, other, count in (("ab", b, 40), ("ac", c, 15)):
        pairs = list(product(a.sections, other.sections))[:count]
        for n, (sa, sb) in enumerate(pairs):
            row = SimilarityFinding(
                program_id=program.id, application_a_id=a.id, application_b_id=other.id,
                section_a_id=sa.id, section_b_id=sb.id,
                kind="same_prefecture" if key == "ab" else "cross_prefecture",
                score=(len(out["ab"]) + len(out["ac"]) + 1) / 100, shared_chars=1000 - n,
                status="pending" if key == "ab" else "similar", text_a=sa.text, text_b=sb.text,
            )  # fmt: skip
            db.session.add(row)
            db.session.flush()
            out[key].append(row.id)
    db.session.commit()
    return out


def test_the_list_is_paged_filtered_and_sorted_from_the_url(app, client):
    f.user("coordinator", "sim-list-coord")
    made = _findings()
    login(client, "sim-list-coord")
    every = made["ab"] + made["ac"]
    first = client.get("/similarity/").get_data(as_text=True)
    assert views.PAGE_SIZE == 50 and len(_ids(first)) == 50
    assert "共 55 对，第 1 / 2 页" in first
    assert _ids(first) == every[::-1][:50]  # the highest score first
    second = client.get("/similarity/?page=2").get_data(as_text=True)
    assert sorted(_ids(first) + _ids(second)) == sorted(every)

    def shown(query: str) -> list[int]:
        return sorted(_ids(client.get("/similarity/?" + query).get_data(as_text=True)))

    assert shown("q=丙方") == made["ac"]
    assert shown("q=甲方&status=pending") == made["ab"]
    assert shown("kind=cross_prefecture&status=pending") == []
    assert shown("kind=same_prefecture&q=丙方") == []
    by_shared = _ids(client.get("/similarity/?sort=shared&status=similar").get_data(True))
    assert by_shared == made["ac"]  # 1000, 999, … in id order
    html = client.get("/similarity/?status=x&kind=y&sort=z&foo=1").get_data(as_text=True)
    assert "共 55 对" in html


def test_other_roles_may_not_list_findings(app, client):
    f.user("prefecture", "sim-list-pref")
    db.session.commit()
    login(client, "sim-list-pref")
    assert client.get("/similarity/?q=甲方").status_code == 403
