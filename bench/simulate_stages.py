"""Per-stage figures of ``review-app simulate`` (a script, not a test): wall and CPU seconds and
SQL statements of every stage, and a cProfile of the stages named with ``--profile``.

Runs the same ``Simulation`` as the command, on a database that must be empty (a fresh SQLite
file in the output folder by default). For growth, run two sizes and compare each stage's
figures (4x the applications: a linear stage takes about 4x).

Run from the project root:
``python bench/simulate_stages.py --applications 250 --experts 150 [--database URL]
[--profile endorsement,decision] [--top 30] [--stop-after endorse]``.
"""

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_app import create_app  # noqa: E402
from review_app import simulate as sim  # noqa: E402
from review_app.cli.common import upgrade_schema  # noqa: E402
from review_app.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=250)
    parser.add_argument("--experts", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="out/stages")
    parser.add_argument("--database", default=None)
    parser.add_argument("--profile", default="", help="comma-separated stage names")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--stop-after", default="", help="a stage name: stop the run after it")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    url = args.database
    if url is None:
        target = out / "simulation.sqlite3"
        target.unlink(missing_ok=True)
        url = f"sqlite:///{target}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "simulation",
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "simulation"},
    )  # fmt: skip
    profiled = {s for s in args.profile.split(",") if s}
    statements = {"n": 0}
    figures: dict[str, dict] = {}
    with app.app_context():
        upgrade_schema()

        @event.listens_for(db.engine, "before_cursor_execute")
        def count(*_):
            statements["n"] += 1

        original = sim.Simulation.run

        def run(self, clock):
            # wrap each stage method the run calls (bound methods looked up at call time)
            for name in ("accounts", "intake", "similarity", "endorse", "format_check",
                         "anonymise", "assign", "score", "discuss", "reconsider",
                         "panel_opinions", "inspect", "decide", "publicity", "export",
                         "archive"):  # fmt: skip
                setattr(self, name, measured(name, getattr(self, name)))
            return original(self, clock)

        def measured(name, method):
            def call(*a, **k):
                before, wall, cpu = statements["n"], time.perf_counter(), time.process_time()
                profile = cProfile.Profile() if name in profiled else None
                if profile:
                    profile.enable()
                try:
                    result = method(*a, **k)
                finally:
                    if profile:
                        profile.disable()
                        text = io.StringIO()
                        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(
                            args.top
                        )
                        print(f"==== profile {name}\n{text.getvalue()}", file=sys.stderr)
                    figures[name] = {
                        "seconds": round(time.perf_counter() - wall, 2),
                        "cpu": round(time.process_time() - cpu, 2),
                        "statements": statements["n"] - before,
                    }
                    print(name, figures[name], file=sys.stderr, flush=True)
                if name == args.stop_after:
                    db.session.commit()
                    print(json.dumps({"stages": figures}, indent=2))
                    raise SystemExit(0)
                return result

            return call

        sim.Simulation.run = run
        result = sim.run_simulation(args.applications, args.experts, args.seed, out, app.config)
    print(json.dumps({"stages": figures, "audit": result["audit"],
                      "states": result["states"]}, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
