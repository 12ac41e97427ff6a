"""Per-stage cost of ``review-app simulate`` (a script, not a test).

Runs the simulation as the CLI does (a new SQLite file under ``--out``) and prints, for each
stage, its wall time, its CPU time (user + system time of this process and of the worker processes
it ran, parallel.py, with this process's alone beside it: less sensitive than wall time to other
work on the machine) and the SQL statements it ran (independent of load), with
the load average at the start and the end. ``--profile DIR`` also writes one cProfile file per
stage (``DIR/<stage>.prof``; read with ``python -m pstats``) and prints each stage's top
functions by own time; a profiler slows Python-heavy stages far more than C-heavy ones, so
compare profiled runs only with profiled runs. ``--statements STAGE`` prints that stage's most
frequent SQL statements (the first 160 characters of each, with their counts). A profile covers
this process only; ``--workers 1`` keeps the workers' part in it.

Run from the project root (``--stop-after STAGE`` ends the run there; ``--profile-stages a,b``
profiles only those):
``python bench/simulate_profile.py [--applications 200 --experts 150 --seed 1] [--profile DIR]``.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402

from review_app import create_app  # noqa: E402
from review_app.cli.common import upgrade_schema  # noqa: E402
from review_app.extensions import db  # noqa: E402
from review_app.simulate import Clock, Simulation  # noqa: E402

STAGES = ("accounts", "intake", "similarity", "endorse", "format_check", "anonymise", "assign", "meeting",
          "score", "discuss", "reconsider", "panel_opinions", "inspect", "decide", "publicity",
          "export", "archive")  # fmt: skip


class _Stopped(Exception):
    """--stop-after: the named stage has run."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--experts", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    scratch = "/tmp/simulate-profile"  # noqa: S108 - a bench's scratch directory
    parser.add_argument("--out", default=scratch)
    parser.add_argument("--profile", help="a directory for one cProfile file per stage")
    parser.add_argument(
        "--profile-stages",
        default="",
        help="comma-separated stages to profile (default: all, with --profile)",
    )
    parser.add_argument("--workers", type=int, default=0,
                        help="WORKER_PROCESSES (0: one per core, 1: in this process)")  # fmt: skip
    parser.add_argument("--stop-after", metavar="STAGE", help="end the run after this stage")
    parser.add_argument("--top", type=int, default=12, help="functions shown per stage")
    parser.add_argument("--statements", metavar="STAGE",
                        help="print the most frequent SQL statements of this stage")  # fmt: skip
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    target = out / "simulation.sqlite3"
    target.unlink(missing_ok=True)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}", "SECRET_KEY": "simulation",
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False,
         "WORKER_PROCESSES": args.workers},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "simulation"},
    )  # fmt: skip
    profile_dir = Path(args.profile).resolve() if args.profile else None
    only = {s for s in args.profile_stages.split(",") if s}
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
    counts = {"n": 0}
    statements: Counter = Counter()
    watching = {"stage": None}

    def count(conn, cursor, statement, *rest):
        counts["n"] += 1
        if watching["stage"] == args.statements:
            statements[" ".join(statement.split())[:160]] += 1

    rows: dict[str, tuple[float, float, int]] = {}
    reports: list[str] = []

    def measured(name, method):
        def run(*a, **kw):
            watching["stage"] = name
            n0, w0, c0 = counts["n"], time.perf_counter(), os.times()
            profiled = profile_dir and (not only or name in only)
            profiler = cProfile.Profile() if profiled else None
            try:
                if profiler:
                    profiler.enable()
                result = method(*a, **kw)
            finally:
                if profiler:
                    profiler.disable()
                c1 = os.times()
                cpu = sum(c1[:4]) - sum(c0[:4])  # user, system, and the worker processes' too
                main = sum(c1[:2]) - sum(c0[:2])  # this process's alone
                rows[name] = (time.perf_counter() - w0, cpu, counts["n"] - n0, main)
                print(f"  {name}: {rows[name][0]:.2f} s wall, {cpu:.2f} s CPU ({main:.2f} s in "
                      f"this process), {rows[name][2]} SQL, load {os.getloadavg()[0]:.1f}",
                      flush=True)  # fmt: skip
                if profiler:
                    profiler.dump_stats(profile_dir / f"{name}.prof")
                    text = io.StringIO()
                    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(args.top)
                    reports.append(f"==== {name}\n{text.getvalue()}")
            if name == args.stop_after:
                db.session.commit()
                raise _Stopped
            return result

        return run

    load0 = os.getloadavg()
    started = time.perf_counter()
    with app.app_context():
        upgrade_schema()
        event.listen(db.engine, "before_cursor_execute", count)
        sim = Simulation(args.applications, args.experts, args.seed, out)
        for name in STAGES:
            setattr(sim, name, measured(name, getattr(sim, name)))
        try:
            result = sim.run(Clock(app.config))
        except _Stopped:
            result = {}
    total = time.perf_counter() - started
    load1 = os.getloadavg()
    for text in reports:
        print(text)
    for statement, n in statements.most_common(args.top * 3):
        print(f"{n:8d}  {statement}")
    print(f"load average at start {load0[0]:.2f}, at end {load1[0]:.2f} (1 min)")
    print(f"{'stage':<16} {'wall s':>8} {'CPU s':>8} {'SQL':>8} {'main CPU s':>11}")
    for name in STAGES:
        wall, cpu, n, main = rows.get(name, (0.0, 0.0, 0, 0.0))
        print(f"{name:<16} {wall:8.2f} {cpu:8.2f} {n:8d} {main:11.2f}")
    cpu_all = sum(r[1] for r in rows.values())
    print(f"{'all stages':<16} {sum(r[0] for r in rows.values()):8.2f} {cpu_all:8.2f} "
          f"{sum(r[2] for r in rows.values()):8d}   whole run {total:.1f} s wall")  # fmt: skip
    keep = ("states", "admitted", "reviews", "dispersion_flags", "inspections", "audit",
            "panel", "archive", "similarity")  # fmt: skip
    print(json.dumps({k: result.get(k) for k in keep}, ensure_ascii=False))


if __name__ == "__main__":
    main()
