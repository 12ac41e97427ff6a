"""Browser tests: the session app served by a real HTTP server in a thread, driven by Debian's
Chromium through Playwright.

The server serves ``_app`` (tests/conftest.py), so the browser and the test read and write the
same database (the SQLite file of the run, or ``TEST_DATABASE_URL``). The ``app`` fixture still
empties that database before each test; a test commits what it builds before the browser reads
it, and calls ``db.session.expire_all()`` before it asserts from the database after the browser
acted. ``app.config["FROZEN_NOW"]`` is read by the server thread too.

Without ``/usr/bin/chromium`` or the ``playwright`` package the folder is skipped, unless
``REQUIRE_BROWSER=1`` (CI), which turns the skip into a failure. Every journey saves full-page
screenshots into ``$BROWSER_SCREENSHOTS`` (default ``test-screenshots/`` at the repo root) as
``<journey>-<nn>-<step>.png``. Every page a journey reaches is audited with axe-core
(tests/browser/axe.py), not only those screenshotted: each document audits itself once loaded
(each address once per journey), and the journey's next action or assertion on that page waits
for it; a screenshot audits the page again as it is then. Each page's height and violations go
to ``<journey>-axe.json``. Any axe violation (WCAG 2.1 A/AA and best practice), console error
or uncaught page error fails the test.
"""

import contextlib
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

from ..factories import PASSWORD
from . import axe

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the folder is skipped (_browser_available)
    PlaywrightError = Exception

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 10_000  # any single wait; pages answer in well under a second


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"browser tests need {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    if importlib.util.find_spec("playwright") is None:
        return "browser tests need the playwright package (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_available():
    """Skip every browser test when Chromium or Playwright is missing; fail under
    ``REQUIRE_BROWSER=1`` so CI cannot silently skip them."""
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "test-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Journey:
    """One role's journey: browser contexts signed in through the login form, the console and
    page errors of every page, numbered screenshots."""

    def __init__(self, name: str, browser, base_url: str):
        self.name = name
        self.browser = browser
        self.base_url = base_url
        self.errors: list[str] = []
        self.contexts = []
        self.folder = screenshot_dir()
        self.step = 0
        self.audits: list[dict] = []  # axe-core and the height of every page audited
        self.wanted: set[str] = set()  # the addresses whose audit a document started
        self.asked: list[str] = []  # the questions of window.confirm, in order
        self.answer = True  # the journey's answer to them (False: 取消)
        for old in self.folder.glob(f"{name}-[0-9][0-9]-*.png"):
            old.unlink()

    def new_page(self, **context_options):
        context = self.browser.new_context(
            base_url=self.base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
            accept_downloads=True, **context_options,
        )  # fmt: skip
        context.set_default_timeout(TIMEOUT_MS)
        context.expose_binding("__axeWanted", lambda source, url: self._wanted(url))
        context.expose_binding("__axeReport", lambda source, found: self._record("visit", found))
        context.add_init_script(axe.watch_script())
        self.contexts.append(context)
        page = context.new_page()
        # before any action or assertion: wait until the page's document has been audited
        page.add_locator_handler(page.locator(f"html[{axe.PENDING}]"), lambda: None)
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda err: self.errors.append(f"{page.url}: uncaught {err}"))
        # Irreversible actions ask first (static/js/confirm.js): the journeys answer yes
        # unless they set ``answer`` to False; ``asked`` keeps the questions.
        page.on("dialog", self._dialog)
        return page

    def _dialog(self, dialog) -> None:
        self.asked.append(dialog.message)
        if self.answer:
            dialog.accept()
        else:
            dialog.dismiss()

    def _console(self, page, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"{page.url}: console.error {msg.text}")

    def login(self, username: str, password: str = PASSWORD, **context_options):
        """A new browser context signed in as ``username`` through the real login form; the
        page is wherever the app sends that role after login."""
        from playwright.sync_api import expect

        page = self.new_page(**context_options)
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(lambda url: "/login" not in url)
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        self.check()
        return page

    def shot(self, page, step: str) -> Path:
        """Save a full-page screenshot ``<journey>-<nn>-<step>.png``, audit the page with
        axe-core, then fail if it has a violation or any page logged an error so far."""
        self.step += 1
        path = self.folder / f"{self.name}-{self.step:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self._record(path.stem, axe.audit(page))
        self.check()
        return path

    def _wanted(self, url: str) -> bool:
        """Whether a document at ``url`` should audit itself: the first at each address."""
        if url in self.wanted:
            return False
        self.wanted.add(url)
        return True

    def _record(self, step: str, found: dict) -> None:
        self.audits.append({"step": step, **found})
        if "error" in found:
            self.errors.append(f"{found['url']}: axe could not run: {found['error']}")
            return
        self.errors += [f"{found['url']}: axe {v['id']} ({v['impact']}) {v['help']}: {v['nodes']}"
                        for v in found["violations"]]  # fmt: skip

    def unaudited(self) -> list[str]:
        """Addresses whose document started its audit but was left before it ended."""
        done = {a["url"] for a in self.audits}
        return sorted(self.wanted - done)

    def check(self) -> None:
        assert not self.errors, "the browser reported errors:\n" + "\n".join(self.errors)

    def close(self) -> None:
        for context in self.contexts:
            for page in context.pages:  # the audits still running
                with contextlib.suppress(PlaywrightError):  # a page going away: not audited
                    page.locator(f"html[{axe.PENDING}]").wait_for(state="detached")
        for url in self.unaudited():
            self.audits.append({"step": "left before its audit ended", "url": url})
        if self.audits:
            report = self.folder / f"{self.name}-axe.json"
            report.write_text(json.dumps(self.audits, ensure_ascii=False, indent=1), "utf-8")
        for context in self.contexts:
            context.close()
        self.contexts.clear()


@contextlib.contextmanager
def journeys(browser, base_url: str):
    """``start(name)`` starts a journey on the app at ``base_url``; each is closed and checked
    for browser errors at the end of the ``with`` block."""
    started: list[Journey] = []

    def start(name: str) -> Journey:
        assert re.fullmatch(r"[a-z0-9-]+", name), name
        item = Journey(name, browser, base_url)
        started.append(item)
        return item

    yield start
    for item in started:
        item.close()
    for item in started:
        item.check()


@pytest.fixture()
def journey(app, browser, live_server):
    """``journey(name)`` starts a journey on the session app; each is closed and checked for
    browser errors at the end of the test."""
    with journeys(browser, live_server) as start:
        yield start


def nav(page, text: str) -> None:
    """Follow a link of the top menu by its visible text, opening its stage's menu first."""
    link = page.locator("header.topbar nav").get_by_role("link", name=text, exact=True)
    # a role locator skips the closed menu's hidden links: find the stage by the link's text
    named = page.locator("a", has_text=re.compile(f"^{re.escape(text)}$"))
    stage = page.locator("header.topbar nav details").filter(has=named)
    if stage.count() and not link.is_visible():
        stage.locator("summary").click()
    link.click()
