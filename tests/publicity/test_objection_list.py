"""The 异议 register: at most 50 a page, filtered by status, channel and a search from the URL,
combined, oldest or newest first, the total shown; a checker sees only its own."""

import re

from review_app.clock import utcnow
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.publicity import objection_page
from review_app.publicity.models import Objection

from .. import factories as f
from ..conftest import login


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<a href="/publicity/objections/(\d+)">', html)]


def _objections(checker) -> dict[str, list[int]]:
    """55 objections: 30 letters from 王某 (every third assigned to ``checker`` and checking),
    25 phone calls from 李某 about 某装备公司."""
    program, out = current_program(), {"wang": [], "li": [], "checker": []}
    for i in range(55):
        wang = i < 30
        mine = wang and i % 3 == 0
        o = Objection(program_id=program.id, channel="letter" if wang else "phone",
                      objector_name="王某" if wang else "李某",
                      subject="" if wang else "某装备公司", content=f"异议{i}",
                      received_at=utcnow(), status="checking" if mine else "received",
                      checker_id=checker.id if mine else None)  # fmt: skip
        db.session.add(o)
        db.session.flush()
        out["wang" if wang else "li"].append(o.id)
        if mine:
            out["checker"].append(o.id)
    db.session.commit()
    return out


def test_the_register_is_paged_by_50_filtered_and_sorted_from_the_url(app, client):
    f.user("coordinator", "obj-coord")
    made = _objections(f.user("inspector", "obj-checker", prefecture="开封市"))
    login(client, "obj-coord")
    first = client.get("/publicity/objections").get_data(as_text=True)
    assert objection_page.PAGE_SIZE == 50 and len(_ids(first)) == 50
    assert "共 55 件，第 1 / 2 页" in first
    assert _ids(first) == sorted(made["wang"] + made["li"])[:50]
    newest = client.get("/publicity/objections?sort=newest&page=2").get_data(as_text=True)
    assert _ids(newest) == sorted(made["wang"] + made["li"])[:5][::-1]

    def shown(query: str) -> list[int]:
        return sorted(_ids(client.get("/publicity/objections?" + query).get_data(as_text=True)))

    assert shown("channel=phone") == made["li"]
    assert shown("q=装备") == made["li"]
    assert shown("status=checking&channel=letter") == made["checker"]
    assert shown("status=checking&q=李某") == []
    html = client.get("/publicity/objections?status=x&channel=y&sort=z&foo=1")
    assert "共 55 件" in html.get_data(as_text=True)


def test_a_checker_sees_only_its_own_whatever_the_url(app, client):
    checker = f.user("inspector", "obj-checker", prefecture="开封市")
    made = _objections(checker)
    login(client, "obj-checker")
    html = client.get("/publicity/objections?status=received").get_data(as_text=True)
    assert _ids(html) == [] and "没有符合筛选条件的异议" in html
    html = client.get("/publicity/objections").get_data(as_text=True)
    assert sorted(_ids(html)) == made["checker"] and f"共 {len(made['checker'])} 件" in html
