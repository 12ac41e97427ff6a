"""Issue 22 on a simulated province. Points 1 and 9: every page one account of each role
reaches (tests/browser/crawl.py, at 1366×768) is at most 10,000 px tall and has no axe-core
violation; the coordinator's lists, filtered, sorted and on a later page, show at most 50 rows,
their total, and page links that keep the filters. Points 5, 7 and 8: the coordinator's menu,
dashboard and decision table after the decision (100 卓越级 and 5 领航级 admitted). Points 2,
3, 4 and 6: the journeys of the factory-world tests on the province's own data
(tests/browser/open_work.py reopens the work they need): the expert's draft kept on 下一份 and
across an expired session with 第 N/M 份 of the expert's real tasks; the prefecture's blocking
problem beside its field, the 近三年 figures in full and the primary 地市推荐; the
coordinator's actions on an application waiting for the format check (the report in the first
screen, the expected step primary, a reason box per action, 取消 and 确定 of an action that
cannot be undone); the inspector's two items and a photo saved offline and sent once; the
refused draw keeping what was typed. Every journey page is audited with axe-core
(conftest.Journey).

The province (``review-app simulate --applications 200 --experts 150 --seed 1``, about two
minutes) is built once per run into a temporary SQLite file, in this file of its own so that
one xdist worker builds it (``--dist loadfile``). It runs on SQLite only: page heights and the
markup do not depend on the database, and the PostgreSQL run of the suite has no time for a
second province. Each role's pages, heights and rules go to ``province-<role>.json`` beside the
journeys' screenshots.
"""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from review_app.applications.models import Application
from review_app.extensions import db
from review_app.simulate import DECISION_DAY, INTAKE_DAY, PASSWORD, REVIEW_DAY

from ..security.test_chinese_pages import raw_codes, visible_text
from .conftest import ROOT, journeys, screenshot_dir
from .crawl import LIMIT_PX, accounts, crawl, measure, province_app, served, signed_in
from .open_work import NEW_APPLICATION, SERIAL, Work, reopen
from .test_actions_journey import actions_are_clear, corrects_and_endorses
from .test_keep_work import keeps_the_draft
from .test_offline_inspection import PHONE, works_offline
from .test_pages_journey import SCREEN, refused_draw
from .test_score_draft import survives_expiry

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests
    expect = None

ROLES = ("coordinator", "prefecture", "expert", "inspector", "admin", "applicant")
ADMITTED = {"excellent": 100, "leading": 5}  # the simulation's decision (its summary.json)
PER_ROLE = 40  # pages per role at most (two of a kind: every kind of page the role reaches)
SIMULATE = ["simulate", "--applications", "200", "--experts", "150", "--seed", "1"]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the simulated province runs on SQLite only (page heights and markup do not depend "
    "on the database; the PostgreSQL run has no time for a second province)",
)


@dataclass(frozen=True)
class Province:
    base: str  # the served app's base URL
    users: dict[str, str]  # role: the username of one account
    app: object  # the served app (its config's FROZEN_NOW is the clock its pages read)
    work: Work  # the work reopened for the journeys


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    """The simulated province, with work reopened on it (open_work.py), served from a thread.
    ``PROVINCE_SQLITE=<file>`` serves a copy of a province simulated before instead."""
    out = tmp_path_factory.mktemp("province")
    database = out / "simulation.sqlite3"
    if os.environ.get("PROVINCE_SQLITE"):
        shutil.copyfile(os.environ["PROVINCE_SQLITE"], database)
        yield from _serve(f"sqlite:///{database}")
        return
    run = subprocess.run(
        [sys.executable, "-c", "from review_app.cli import main; main()", *SIMULATE,
         "--out", str(out)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=1800, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    yield from _serve(f"sqlite:///{database}")


def _codes(page) -> list[str]:
    """Raw enum, field or action codes in the page's visible text (issue 22 point 5)."""
    return sorted(set(raw_codes(visible_text(page.content()))))


def _serve(database_url: str):
    app = province_app(database_url)
    users = accounts(app)
    assert set(ROLES) <= set(users), users
    work = reopen(app, users)
    with served(app) as base:
        yield Province(base, users, app, work)


@pytest.fixture()
def province_journey(province, browser):
    """``province_journey(name)`` starts a journey on the province (conftest.journeys), in the
    province app's context (the journeys' assertions read its database); the clock is set
    back to the real one afterwards."""
    with journeys(browser, province.base) as start, province.app.app_context():
        yield start
    province.app.config["FROZEN_NOW"] = None


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_is_short_and_passes_axe(province, browser, role):
    pages = crawl(browser, province.base, province.users[role], PASSWORD, PER_ROLE, check=_codes)
    report = screenshot_dir() / f"province-{role}.json"
    report.write_text(json.dumps(pages, ensure_ascii=False, indent=1), "utf-8")
    assert len(pages) >= 3, pages  # signed in and followed the menu
    wrong = [f"{p['path']}: HTTP {p['status']}" for p in pages if p["status"] != 200]
    wrong += [f"{p['path']}: {p['height']:,} px" for p in pages if p["height"] > LIMIT_PX]
    wrong += [f"{p['path']}: {p['faults']} axe faults ({', '.join(p['rules'])})"
              for p in pages if p["faults"]]  # fmt: skip
    wrong += [f"{p['path']}: raw codes {p['problems']}" for p in pages if p["problems"]]
    assert not wrong, f"{role}, {len(pages)} pages; at fault:\n" + "\n".join(wrong)


# The coordinator's lists with filters, an order and a later page, as a user would reach them.
LISTS = (
    "/applications/?track=excellent&sort=name&page=2",
    "/assignment/conflicts?sort=expert&page=3",
    "/assignment/panels",
    "/scoring/progress?track=excellent&sort=name&page=2",
    "/scoring/flags?show=all&page=2",
    "/experts/?sort=employer&page=2",
    "/draws/pool?available=available&sort=employer&page=2",
    "/dossier/?track=excellent&page=2",
    "/dossier/completeness?track=excellent&page=2",
    "/publicity/excellent?page=2",
    "/publicity/objections?page=2",
    "/similarity/?status=open",
    "/inspections/?page=2",
    "/outbox/?page=2",
    "/admin/audit?page=3",
)


def test_the_coordinators_lists_page_filter_and_keep_their_filters(province, browser):
    wrong, report = [], []
    with signed_in(browser, province.base, province.users["coordinator"], PASSWORD) as page:
        for path in LISTS:
            response = page.goto(path)
            found = measure(page, path, response.status)
            rows = page.eval_on_selector_all("tbody", "els => els.map(e => e.rows.length)")
            found["rows"] = max(rows, default=0)
            report.append(found)
            body = page.locator("main").inner_text()
            if found["status"] != 200 or found["height"] > LIMIT_PX or found["faults"]:
                wrong.append(f"{path}: {found}")
            if found["rows"] > 50:
                wrong.append(f"{path}: a table of {found['rows']} rows")
            if "共" not in body:
                wrong.append(f"{path}: no total")
            query = path.partition("?")[2]
            kept = [a for a in query.split("&") if a and not a.startswith("page=")]
            for href in page.eval_on_selector_all(
                "nav.pager a", "els => els.map(e => e.getAttribute('href'))"
            ):
                missing = [a for a in kept if a not in href]
                if missing:
                    wrong.append(f"{path}: page link {href} lost {missing}")
    (screenshot_dir() / "province-lists.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), "utf-8"
    )
    assert not wrong, "\n".join(wrong)


def test_after_the_decision_the_coordinator_sees_what_is_left(province, browser):
    """Points 5, 7 and 8 on the province: the menu on one line by stage with the page marked, the
    dashboard's 决定之后待办 instead of tiles of 0, and the decision table of the whole track
    with its header held at the top of its frame and no sideways scrolling; the decision's
    入库 100 卓越级 and 5 领航级, on its pages and in the database."""
    from .test_menu import _one_line

    with signed_in(browser, province.base, province.users["coordinator"], PASSWORD) as page:
        page.goto("/dashboard/")
        _one_line(page)
        assert page.locator('header.topbar [aria-current="page"]').count() == 1
        after = page.locator('section.tiles[aria-label="决定之后待办"]')
        assert after.count() == 1 and "结果通知已发出" in after.inner_text()
        left = page.locator(
            'section.tiles[aria-label="评审阶段尚余工作"] .tile-n'
        ).all_inner_texts()
        assert "0" not in [t.strip() for t in left], left
        page.goto("/decision/excellent")
        frame = page.locator(".table-frame").first
        assert frame.locator("tbody tr").count() >= 100  # the whole track, ranked
        header = frame.locator("thead th").first
        frame.scroll_into_view_if_needed()
        top = frame.bounding_box()["y"]
        frame.evaluate("el => el.scrollTop = 1500")
        page.wait_for_function("document.querySelector('.table-frame').scrollTop > 0")
        assert abs(header.bounding_box()["y"] - top) <= 2
        assert frame.evaluate("el => el.scrollWidth <= el.clientWidth")
        for track, admitted in ADMITTED.items():
            page.goto(f"/decision/{track}")
            expect(page.get_by_text("决定已冻结")).to_contain_text(f"入库 {admitted} 家")
    with province.app.app_context():
        found = dict(db.session.execute(
            select(Application.track_code, func.count(Application.id))
            .where(Application.state == "admitted").group_by(Application.track_code)
        ).all())  # fmt: skip
    assert found == ADMITTED


# Points 2, 3, 4 and 6: the factory-world journeys on the province's reopened work.
AFTER_EXPIRY = "复核后补充：数据贯通与能耗指标已与现场记录核对，投资回报测算依据充分。"


def test_the_expert_keeps_typed_work_on_the_province(province, province_journey):
    """Point 2: 第 N/M 份 among the expert's real tasks, the out-of-range total, the draft kept
    on 下一份, then the typed scores kept across an expired session."""
    work, app = province.work, province.app
    app.config["FROZEN_NOW"] = REVIEW_DAY
    j = province_journey("province-expert")
    page = j.login(work.expert, PASSWORD)
    keeps_the_draft(j, page, work.tasks, work.places)
    assert survives_expiry(j, app, page, PASSWORD, work.tasks[1], AFTER_EXPIRY) == AFTER_EXPIRY


def test_the_prefecture_corrects_a_blocking_problem_on_the_province(province, province_journey):
    """Point 3 among the prefecture's real applications, before the intake deadline."""
    from review_app.enterprises.uscc import make_uscc

    work = province.work
    province.app.config["FROZEN_NOW"] = INTAKE_DAY
    j = province_journey("province-prefecture")
    page = j.login(work.prefecture, PASSWORD, **SCREEN)
    state = corrects_and_endorses(j, page, NEW_APPLICATION, work.application,
                                  make_uscc(work.division, SERIAL))  # fmt: skip
    assert state == "prefecture_endorsed"


def test_the_coordinators_actions_on_the_province(province, province_journey):
    """Point 3 for the coordinator after the deadline, on the application waiting for the
    format check: its report in the first screen, 形式审查通过 the primary button, a reason box
    per action, and 形式审查不通过 asks first (取消 changes nothing, 确定 rejects it)."""
    work = province.work
    province.app.config["FROZEN_NOW"] = REVIEW_DAY
    j = province_journey("province-coordinator-actions")
    page = j.login(work.coordinator, PASSWORD, **SCREEN)
    assert (
        actions_are_clear(
            j, page, work.endorsed, "形式审查不通过", "申报书缺少盖章页，材料不完整。"
        )
        == 1
    )


def test_the_inspector_works_offline_on_the_province(province, province_journey):
    """Point 4 on a reopened inspection of the province."""
    work = province.work
    province.app.config["FROZEN_NOW"] = DECISION_DAY
    j = province_journey("province-inspector")
    assert works_offline(j, j.login(work.inspector, PASSWORD, **PHONE), work.inspection,
                         work.inspected) == 0  # fmt: skip


def test_a_refused_draw_keeps_what_was_typed_on_the_province(province, province_journey):
    """Point 6 on the province's pool: its 工厂建设 experts are fewer than 20."""
    j = province_journey("province-draw")
    coordinator = j.login(province.work.coordinator, PASSWORD, **SCREEN)
    assert refused_draw(j, coordinator, province.work.panel) == 0  # nothing drawn
