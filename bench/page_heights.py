"""Every page each role reaches on a simulated province: its height and axe-core's violations
(a script, not a test; issue 22 points 1 and 9).

Serves the app on 127.0.0.1 against a database ``review-app simulate`` filled, signs in through
the login form as one account of each role (Debian's Chromium at 1366×768, as the browser tests
drive it), and follows, breadth first, the same-site links of the pages it reaches
(``tests/browser/crawl.py``, which ``tests/browser/test_province_pages.py`` runs too). For each
page it prints the height in CSS pixels and the number of elements axe-core (vendored in
``tests/vendor/axe-core``: WCAG 2.1 A/AA and best practice) finds at fault, with the rules; then
the pages taller than 10,000 px.

Run from the project root::

    python bench/page_heights.py --database sqlite:////tmp/sim/simulation.sqlite3 [--per-role 40]
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from review_app.simulate import PASSWORD  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.crawl import LIMIT_PX, accounts, crawl, province_app, served  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a simulated database")
    parser.add_argument("--per-role", type=int, default=40, help="pages per role at most")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    app = province_app(args.database)
    rows = []
    with served(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for role, username in accounts(app).items():
            for row in crawl(browser, base, username, PASSWORD, args.per_role):
                rows.append({"role": role, **row})
                print(f"{role:<12} {row['height']:>7} px {row['faults']:>4} axe  {row['path']}"
                      f"{'  ' + ','.join(row['rules']) if row['rules'] else ''}")  # fmt: skip
        browser.close()
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
