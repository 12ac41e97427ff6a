"""Every page each role reaches on a simulated province: its height and axe-core's violations
(a script, not a test; issue 22 points 1 and 9).

Serves the app on 127.0.0.1 against a database ``review-app simulate`` filled, signs in through
the login form as one account of each role (Debian's Chromium at 1366×768, as the browser tests
drive it), and follows, breadth first, the same-site links of the pages it reaches (HTML pages
only, two of a kind such as ``/applications/N``: downloads, sign-out and links with a query are
left alone; a GET never writes, which
``tests/security/test_get_writes_nothing.py`` holds). For each page it prints the height in CSS
pixels and the number of elements axe-core (vendored in ``tests/vendor/axe-core``: WCAG 2.1 A/AA
and best practice) finds at fault, with the rules; then the pages taller than 10,000 px.

Run from the project root::

    python bench/page_heights.py --database sqlite:////tmp/sim/simulation.sqlite3 [--per-role 40]
"""

import argparse
import json
import logging
import re
import sys
import threading
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from review_app import create_app  # noqa: E402
from review_app.auth.models import User  # noqa: E402
from review_app.extensions import db  # noqa: E402
from review_app.simulate import PASSWORD  # noqa: E402
from tests.browser import axe  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LIMIT_PX = 10_000
SKIPPED_SUFFIXES = (".docx", ".xlsx", ".zip", ".pdf", ".png", ".jpg", ".json", ".csv", ".js")
SKIPPED_PATHS = ("/logout", "/static/", "/api/")


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


def crawl(browser, base: str, username: str, per_role: int) -> list[dict]:
    context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 768},
                                  locale="zh-CN")  # fmt: skip
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)
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
        result = axe.audit(page)
        found.append({"path": path, "status": response.status, "height": result["height"],
                      "faults": sum(v["count"] for v in result["violations"]),
                      "rules": sorted({v["id"] for v in result["violations"]})})  # fmt: skip
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
    context.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a simulated database")
    parser.add_argument("--per-role", type=int, default=40, help="pages per role at most")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": args.database, "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "page-heights-" + "x" * 32},
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for role, username in accounts(app).items():
            for row in crawl(browser, base, username, args.per_role):
                rows.append({"role": role, **row})
                print(f"{role:<12} {row['height']:>7} px {row['faults']:>4} axe  {row['path']}"
                      f"{'  ' + ','.join(row['rules']) if row['rules'] else ''}")  # fmt: skip
        browser.close()
    server.shutdown()
    tall = [r for r in rows if r["height"] > LIMIT_PX]
    faults = sum(r["faults"] for r in rows)
    print(
        f"{len(rows)} pages; {faults} axe faults on "
        f"{sum(1 for r in rows if r['faults'])} pages; taller than {LIMIT_PX:,} px: {len(tall)}"
    )
    for r in sorted(tall, key=lambda r: -r["height"]):
        print(f"  {r['height']:>7} px  {r['role']} {r['path']}")
    for r in (r for r in rows if r["faults"]):
        print(f"  {r['faults']:>4} axe faults  {r['role']} {r['path']}: {', '.join(r['rules'])}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
