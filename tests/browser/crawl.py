"""Every page a role reaches on a database, with its height and axe-core's violations (issue 22
points 1 and 9): served from a thread on 127.0.0.1, signed in through the login form as one
account, following the same-site links breadth first at 1366×768.

HTML pages only, two of a kind such as ``/applications/N``: downloads, sign-out and links with
a query are left alone (a GET never writes: ``tests/security/test_get_writes_nothing.py``).
Used by ``tests/browser/test_province_pages.py`` and ``bench/page_heights.py``.
"""

import logging
import re
import threading
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import select

from review_app import create_app
from review_app.auth.models import User
from review_app.extensions import db

from . import axe

LIMIT_PX = 10_000  # issue 22 point 1: no page taller than this at 1366×768
VIEWPORT = {"width": 1366, "height": 768}
SKIPPED_SUFFIXES = (".docx", ".xlsx", ".zip", ".pdf", ".png", ".jpg", ".json", ".csv", ".js")
SKIPPED_PATHS = ("/logout", "/static/", "/api/")


def province_app(database_url: str):
    """The app on a simulated database, as a deployment would run it (rate limits off: the
    crawl signs in once per role from one address)."""
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "page-heights-" + "x" * 32},
    )


@contextmanager
def served(app) -> Iterator[str]:
    """``app`` on 127.0.0.1 at a free port in a daemon thread; yields the base URL."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="crawl-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def accounts(app) -> dict[str, str]:
    """One simulated account per role (the first by name)."""
    with app.app_context():
        users = db.session.execute(
            select(User.role, User.username).where(User.username.like("sim-%"))
            .order_by(User.username)
        ).all()  # fmt: skip
    out: dict[str, str] = {}
    for role, name in users:
        out.setdefault(role, name)
    return out


@contextmanager
def signed_in(browser, base: str, username: str, password: str):
    """A browser page signed in as ``username`` through the login form (1366×768)."""
    context = browser.new_context(base_url=base, viewport=VIEWPORT, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(lambda url: "/login" not in url)
        yield page
    finally:
        context.close()


def measure(page, path: str, status: int) -> dict:
    """The page's path, status, height in CSS pixels, axe's faults and their rules."""
    result = axe.audit(page)
    return {"path": path, "status": status, "height": result["height"],
            "faults": sum(v["count"] for v in result["violations"]),
            "rules": sorted({v["id"] for v in result["violations"]})}  # fmt: skip


def crawl(browser, base: str, username: str, password: str, per_role: int,
          check=None) -> list[dict]:  # fmt: skip
    """The pages ``username`` reaches, at most ``per_role``: for each its path, status, height
    in CSS pixels, the number of elements axe finds at fault and its rules; with ``check`` (a
    function of the page giving a list of problems) also ``problems``."""
    from playwright.sync_api import Error as PlaywrightError

    with signed_in(browser, base, username, password) as page:
        start = urlsplit(page.url).path
        queue, seen, found, kinds = deque([start]), {start}, [], Counter()
        while queue and len(found) < per_role:
            path = queue.popleft()
            try:
                response = page.goto(path)
            except PlaywrightError:  # a download (an attachment without a file suffix)
                continue
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            found.append(measure(page, path, response.status))
            if check is not None:
                found[-1]["problems"] = check(page)
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                parts = urlsplit(href)
                if parts.netloc != urlsplit(base).netloc or parts.query or parts.path in seen:
                    continue
                if parts.path.endswith(SKIPPED_SUFFIXES) or parts.path.startswith(SKIPPED_PATHS):
                    continue
                seen.add(parts.path)
                kind = re.sub(r"\d+", "N", parts.path)  # two pages of a kind (/applications/N)
                kinds[kind] += 1
                if kinds[kind] > 2:
                    continue
                queue.append(parts.path)
        return found
