# ruff: noqa: S108 - a local bench script
"""What the ``@reads_only`` marks are worth under load (a script, not a test).

Runs the expert cycle of ``web_bench.py`` (16 concurrent experts, no think time: GET
/dashboard/ → GET the scoring form → POST 保存草稿) against ``gunicorn -w 2`` serving
``floor_app`` with the marks (``marked``) and with every mark taken off (``unmarked``,
``BENCH_UNMARK_READ_ONLY=1``), in ABBA order for ``--rounds`` rounds of ``--duration`` seconds
each, a fresh server per run. Throughput on a shared 2-core machine drifts by ±20% from one
minute to the next, so single runs compare badly; it prints every run and the medians.

Run from the project root: ``python bench/read_only_ab.py [--reuse-db NAME]`` (without it, a
database is simulated first, about 2.5 minutes, and dropped afterwards).
"""

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_bench as wb  # noqa: E402

VARIANTS = {"marked": {}, "unmarked": {"BENCH_UNMARK_READ_ONLY": "1"}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8766)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=6.0)
    ap.add_argument("--reuse-db", help="an already simulated database (kept afterwards)")
    args = ap.parse_args()
    db = args.reuse_db or f"bench_ab_{os.getpid()}"
    if not args.reuse_db:
        wb.prepare_database(db)
    try:
        wb.upgrade(db)
        experts = wb.reopen_reviews(db)[:16]
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in VARIANTS}
        for name in ["marked", "unmarked", "unmarked", "marked"] * args.rounds:
            proc = wb.start_server(db, args.port, **VARIANTS[name])
            try:
                sessions = []
                for username, assignment_id in experts:
                    client = wb.Client(args.port)
                    client.login(username)
                    sessions.append((client, assignment_id))
                wb.run_experts(args.port, sessions, 1.5, None)  # warm the workers up
                r = wb.run_experts(args.port, sessions, args.duration, None)
            finally:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            p95 = wb.pct([1000 * s for s in r["all"]], 95)
            runs[name].append((r["rps"], p95))
            print(f"  {name:<9} {r['rps']:6.0f} req/s  p95 {p95:6.1f} ms", flush=True)
            time.sleep(0.5)
        print("medians over", 2 * args.rounds, "runs each:")
        for name, values in runs.items():
            print(f"  {name:<9} {statistics.median(v for v, _ in values):6.0f} req/s  "
                  f"p95 {statistics.median(p for _, p in values):6.1f} ms")  # fmt: skip
    finally:
        if not args.reuse_db:
            wb.psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            print(f"dropped database {db}")


if __name__ == "__main__":
    main()
