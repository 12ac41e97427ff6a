"""The heaviest coordinator pages on a simulated province (a script, not a test).

Times, single user and in-process (Flask's test client: no server, no network), the pages the
coordinator opens most at the end of a review: the decision page of each track, the 评分分析
(score breakdown) of a few applications, the 复议 flags, the conflicts list, the application list
and the scoring progress. Prints, per page, the median and p95 over ``--rounds`` requests and
the SQL statements per request, with the target (p95 < 300 ms).

The database is one ``review-app simulate`` filled: ``--database URL`` reuses it (PostgreSQL or
``sqlite:////path/simulation.sqlite3``); without it a province (200 applications, 150 experts)
is simulated first into a new SQLite file under ``--out``.

Run from the project root: ``python bench/pages_bench.py [--database URL] [--rounds 20]``.
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select  # noqa: E402

from review_app import create_app  # noqa: E402
from review_app.applications.models import Application  # noqa: E402
from review_app.extensions import db  # noqa: E402
from review_app.scoring.models import DispersionFlag  # noqa: E402

PASSWORD = "Sim@2026-not-for-production"  # noqa: S105 - the simulation's generated accounts
TARGET_MS = 300
BASE = "https://localhost"  # production cookies are Secure (and CSRF wants a Referer)


def token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def simulated(out: Path) -> str:
    subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "review_app.cli", "simulate", "--applications", "200",
         "--experts", "150", "--seed", "1", "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return f"sqlite:///{out / 'simulation.sqlite3'}"


def pages(app_ids: list[int]) -> list[tuple[str, str]]:
    out = [
        ("decision excellent", "/decision/excellent"),
        ("decision leading", "/decision/leading"),
        ("复议 flags", "/scoring/flags"),
        ("conflicts", "/assignment/conflicts"),
        ("application list", "/applications/"),
        ("scoring progress", "/scoring/progress"),
    ]
    out += [(f"评分分析 #{i}", f"/scoring/applications/{i}") for i in app_ids]
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a simulated database (default: simulate one)")
    scratch = "/tmp/pages-bench"  # noqa: S108 - a bench's scratch directory
    parser.add_argument("--out", default=scratch, help="where to simulate")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    url = args.database or simulated(Path(args.out).resolve())
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "production", "SECRET_KEY": "pages-bench-" + "x" * 32},
    )
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        flagged = db.session.execute(
            select(DispersionFlag.application_id).order_by(DispersionFlag.id).limit(1)
        ).scalars().all()  # fmt: skip
        first, last = db.session.execute(
            select(func.min(Application.id), func.max(Application.id))
        ).one()
    app_ids = list(dict.fromkeys([first, *flagged, last]))
    client = app.test_client()
    html = client.get("/login", base_url=BASE).get_data(as_text=True)
    r = client.post("/login", base_url=BASE, headers={"Referer": f"{BASE}/login"},
                    data={"csrf_token": token(html), "username": "sim-coord",
                          "password": PASSWORD})  # fmt: skip
    assert r.status_code == 302, r.status_code
    print(f"{args.rounds} rounds, single user, on {url.split('@')[-1]}")
    print(
        f"  {'page':<22} {'median':>8} {'p95':>8} {'SQL':>5} {'CPU p95':>8}"
        f"  target p95 < {TARGET_MS} ms (CPU: this process's time, less moved by other load)"
    )
    slow = []
    for label, path in pages(app_ids):
        resp = client.get(path, base_url=BASE)  # warm-up (and the status check)
        assert resp.status_code == 200, (path, resp.status_code)
        times, cpu, counts = [], [], []
        for _ in range(args.rounds):
            n0, t0, c0 = len(statements), time.perf_counter(), time.process_time()
            client.get(path, base_url=BASE)
            times.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
            counts.append(len(statements) - n0)
        p95 = percentile(times, 0.95)
        mark = "ok" if p95 < TARGET_MS else "SLOW"
        if p95 >= TARGET_MS:
            slow.append(label)
        print(f"  {label:<22} {percentile(times, 0.5):6.0f}ms {p95:6.0f}ms "
              f"{max(counts):5d}  {percentile(cpu, 0.95):6.0f}ms  {mark}")  # fmt: skip
    print("all within target" if not slow else f"over target: {', '.join(slow)}")


if __name__ == "__main__":
    main()
