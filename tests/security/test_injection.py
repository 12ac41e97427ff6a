"""Hostile text stays text: script and attribute-breaking payloads and template syntax in
enterprise names, section texts, expert names and comments, inspection notes, rendered on every
page that shows them; cells starting with = + - @ in every .xlsx export written as text; and
SQL metacharacters in every search or filter parameter taken literally."""

import io
from dataclasses import replace

import openpyxl
from sqlalchemy import func, inspect, select

from review_app.applications.catalogue import required_sections, scored_sections
from review_app.applications.models import Application
from review_app.assignment.models import Assignment
from review_app.auth.models import User
from review_app.decision import service as decision
from review_app.experts.models import Expert
from review_app.extensions import db
from review_app.inspection import service as inspection
from review_app.programs.service import current_program
from review_app.scoring.models import Review

from .. import factories as f
from . import world as w

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
TEMPLATE = "甲{{7*7}}乙"
PAYLOAD = f"载荷{SCRIPT}{ATTRIBUTE}{TEMPLATE}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _assert_inert(body: str, where: str, shown: bool = False):
    assert SCRIPT not in body, f"{where}: raw <script> payload"
    assert "<img src=x" not in body, f"{where}: raw <img onerror> payload"
    assert "甲49乙" not in body, f"{where}: template syntax evaluated"
    if shown:
        assert ESCAPED_SCRIPT in body, f"{where}: the payload is not shown (escaped) at all"
        assert TEMPLATE in body, f"{where}: the template syntax is not shown literally"


def _xss_world():
    actors = f.Actors()
    sections = {s.key: f"{s.title}：{PAYLOAD}" for s in required_sections("excellent")}
    target = f.application(name=f"{PAYLOAD}有限公司", sections=sections)
    my_expert = f.expert()
    my_expert.name = f"专家{SCRIPT}{TEMPLATE}"  # expert.name is 60 characters at most
    my_expert.employer = f"单位{ATTRIBUTE}"
    needed = 3 * len(scored_sections("excellent"))
    experts = [f.expert() for _ in range(needed - 1)] + [my_expert]  # pop() takes the last
    f.scored(target, actors, 0.9, experts)
    mine = db.session.execute(
        select(Assignment).where(Assignment.expert_id == my_expert.id)
    ).scalar_one()
    review = db.session.execute(select(Review).where(Review.assignment_id == mine.id)).scalar_one()
    review.comment = PAYLOAD
    inspector = actors.inspector
    sampled = inspection.add_manual(target, f"理由{PAYLOAD}", actors.coordinator)
    inspection.set_inspectors(sampled, [inspector.id], actors.coordinator)
    code = sampled.items[0].code
    inspection.record_item(sampled, code, "mostly_true", f"情况{PAYLOAD}", inspector)
    program = current_program()
    decision.stage(program, "excellent", decision.default_params(program, "excellent"),
                   actors.coordinator)  # fmt: skip
    db.session.commit()
    return actors, target, mine, sampled, my_expert


def test_hostile_text_is_rendered_inert_on_every_page_that_shows_it(app):
    actors, target, mine, sampled, my_expert = _xss_world()
    pages = {
        actors.coordinator.username: {
            f"/applications/{target.id}": True,
            f"/anonymise/applications/{target.id}": True,
            # (scored: only the coordinator may still correct it, see can_edit_application)
            f"/intake/applications/{target.id}/edit": True,
            "/decision/excellent": True,
            f"/inspections/{sampled.id}": True,
            "/applications/?q=载荷": True,
            "/experts/": True,
            "/dashboard/": False,
            "/dashboard/analysis": False,
            f"/scoring/applications/{target.id}": False,
            "/scoring/progress": False,
            "/scoring/flags": False,
            "/intake/format-check": False,
            "/anonymise/": False,
            "/inspections/": False,
            f"/assignment/applications/{target.id}": False,
            "/admin/audit": False,
        },
        my_expert.user.username: {
            f"/expert/assignments/{mine.id}/score": True,
            f"/expert/assignments/{mine.id}": True,
            "/expert/assignments": False,
            "/dashboard/": False,
        },
        actors.prefecture.username: {
            "/intake/": True,
            f"/applications/{target.id}": True,
            "/applications/": True,
            "/dashboard/": False,
        },
        actors.inspector.username: {
            f"/inspections/{sampled.id}": True,
            "/inspections/": True,
            "/dashboard/": False,
        },
    }
    for username, urls in pages.items():
        client = w.client_as(app, username)
        for url, shown in urls.items():
            response = client.get(url)
            assert response.status_code == 200, f"{username} {url}: {response.status_code}"
            _assert_inert(response.get_data(as_text=True), f"{username} {url}", shown)
    # the comment is shown back to its expert inside the form, escaped
    client = w.client_as(app, my_expert.user.username)
    page = client.get(f"/expert/assignments/{mine.id}/score").get_data(as_text=True)
    assert page.count(ESCAPED_SCRIPT) >= 2  # section text and comment


def test_hostile_search_text_is_reflected_inert(app):
    f.user("coordinator", "coord")
    db.session.commit()
    client = w.client_as(app, "coord")
    for url in ("/applications/", "/experts/"):
        response = client.get(url, query_string={"q": PAYLOAD[:50]})
        assert response.status_code == 200
        _assert_inert(response.get_data(as_text=True), url)


# --- spreadsheet formulas -------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","点击")', "+1+1", "-2+3", "@SUM(1+1)"]
TRIGGERS = ("=", "+", "-", "@")


def _formula_world():
    actors = f.Actors()
    experts = None
    for i, text in enumerate(FORMULAS):
        a = f.application(name=f"{text}公司{i}", honours=text)
        a.enterprise.main_business = text
        a.enterprise.contact_name = text
        experts = f.scored(a, actors, 0.9 - i * 0.05, experts)
    program = current_program()
    decision.stage(
        program, "excellent",
        replace(decision.default_params(program, "excellent"), capacity=len(FORMULAS)),
        actors.coordinator,
    )  # fmt: skip
    db.session.commit()
    return actors


def _dangerous_cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(("formula", ws.title, cell.coordinate, cell.value))
                elif isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    found.append(("text", ws.title, cell.coordinate, cell.value, cell.quotePrefix))
    return found


def test_exports_write_formula_like_text_as_quoted_text(app):
    actors = _formula_world()
    prefecture_id = f.prefecture("郑州市").id
    exports = {
        actors.coordinator.username: [
            "/decision/excellent/export/admission.xlsx",
            "/decision/excellent/export/ranking.xlsx",
            f"/decision/prefecture/{prefecture_id}/results.xlsx",
            "/intake/summary.xlsx",
        ],
        actors.prefecture.username: ["/intake/summary.xlsx"],
    }
    for username, urls in exports.items():
        client = w.client_as(app, username)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            cells = _dangerous_cells(response.data)
            assert not [c for c in cells if c[0] == "formula"], f"{url}: {cells}"
            texts = [c for c in cells if c[0] == "text"]
            names = {c[3] for c in texts}
            # every payload reached the sheet (as a name), and every such cell is quoted text
            assert {f"{t}公司{i}" for i, t in enumerate(FORMULAS)} <= names, f"{url}: {names}"
            assert all(c[4] for c in texts), f"{url}: unquoted {[c for c in texts if not c[4]]}"


def test_the_exporters_themselves_quote_formula_text(app):
    """The functions of decision.exports and intake.summary, without the views."""
    from review_app.decision import exports
    from review_app.intake import summary

    _formula_world()
    program = current_program()
    run = decision.latest_run(program, "excellent")
    result = decision.run_summary(program, run)
    rows = decision.result_rows(run)
    sections = [(s.key, s.title) for s in scored_sections("excellent")]
    books = {
        "admission": exports.admission_list_xlsx(result, rows),
        "ranking": exports.ranking_xlsx(result, rows, sections),
        "prefecture": exports.prefecture_results_xlsx([result], "郑州市", rows),
        "附件2": summary.export_summary(program, "河南省（汇总）", None),
    }
    for name, data in books.items():
        cells = _dangerous_cells(data)
        assert cells and all(c[0] == "text" and c[4] for c in cells), f"{name}: {cells}"


# --- SQL metacharacters ----------------------------------------------------------------------

PROBES = ["' OR '1'='1", "%' --", "_", "\\", '"; DROP TABLE application; --', "%", "' OR 1=1 --"]
SPECIAL_NAMES = [
    "下划线_智能有限公司",
    "百分之百%智能有限公司",
    "反斜杠\\智能有限公司",
    "普通智能有限公司",
]
SPECIAL_EXPERTS = ["专家_甲", "专家%乙", "专家\\丙", "专家丁"]


def _search_world():
    for name in SPECIAL_NAMES:
        f.application(name=name)
    for name in SPECIAL_EXPERTS:
        e = f.expert()
        e.name = name
        e.employer = "某大学"
    f.user("coordinator", "coord")
    db.session.commit()


def _shown(body: str, names: list[str]) -> set[str]:
    from markupsafe import escape

    return {n for n in names if str(escape(n)) in body}


def test_search_fields_take_sql_metacharacters_literally(app):
    _search_world()
    client = w.client_as(app, "coord")
    counts = _table_counts()
    for q in PROBES:
        for url, names in (("/applications/", SPECIAL_NAMES), ("/experts/", SPECIAL_EXPERTS)):
            response = client.get(url, query_string={"q": q})
            assert response.status_code == 200, (url, q)
            shown = _shown(response.get_data(as_text=True), names)
            assert shown == {n for n in names if q in n}, (url, q, shown)
    # the plain search still finds things (the test would pass on an empty page otherwise)
    body = client.get("/applications/", query_string={"q": "智能"}).get_data(as_text=True)
    assert _shown(body, SPECIAL_NAMES) == set(SPECIAL_NAMES)
    assert _table_counts() == counts


FILTERS = [
    ("/applications/", ["state", "track", "prefecture", "page"]),
    ("/experts/", ["page"]),
    ("/dashboard/analysis", ["track", "group"]),
    ("/assignment/panels", ["track"]),
    ("/inspections/", ["track"]),
    ("/decision/excellent", ["try", "capacity", "min_score", "use_calibration"]),
    ("/intake/summary.xlsx", ["prefecture"]),
    ("/scoring/sheet.xlsx", ["expert"]),
    ("/admin/audit", ["job", "page"]),
    ("/login", ["next"]),
]


def test_every_filter_parameter_survives_sql_metacharacters(app):
    """No 500 and nothing dropped; a refused value is a 4xx (or the page ignores it)."""
    _search_world()
    client = w.client_as(app, "coord")
    counts = _table_counts()
    for url, params in FILTERS:
        for param in params:
            for probe in PROBES:
                query = {param: probe}
                if param != "try" and url == "/decision/excellent":
                    query["try"] = "1"
                response = client.get(url, query_string=query)
                assert response.status_code in (200, 302, 400, 404), (url, param, probe)
                if response.mimetype == "text/html":
                    _assert_inert(response.get_data(as_text=True), f"{url}?{param}")
    assert _table_counts() == counts
    # a prefecture officer's list, filtered, still holds only its own applications
    officer = f.user("prefecture", prefecture="洛阳市")
    f.application(pref="洛阳市", name="洛阳本地智能有限公司")
    db.session.commit()
    client = w.client_as(app, officer.username)
    for probe in PROBES + ["智能"]:
        for param in ("q", "prefecture", "state"):
            body = client.get("/applications/", query_string={param: probe}).get_data(True)
            assert _shown(body, SPECIAL_NAMES) == set(), (param, probe)
            assert "洛阳本地智能有限公司" in body or param != "prefecture", (param, probe)
    _table_counts()


def _table_counts() -> dict:
    db.session.rollback()
    tables = set(inspect(db.engine).get_table_names())
    assert {"application", "expert", "user", "enterprise", "audit_event"} <= tables
    return {
        "application": db.session.scalar(select(func.count(Application.id))),
        "expert": db.session.scalar(select(func.count(Expert.id))),
        "user": db.session.scalar(select(func.count(User.id))),
    }
