"""The simulation's publicity stage (审定, 公示, 异议, 递补, 正式发文, the letters) alone, replayed on
a copy of a database the simulation left just after its decision stage (a script, not a test).

Make the copy once, e.g. ``python bench/simulate_stages.py --applications 1000 --experts 600
--database postgresql+psycopg://…/sim --stop-after decide``, then ``CREATE DATABASE replay
TEMPLATE sim`` before each replay. Prints the stage's wall and CPU seconds, its SQL statements,
optionally a cProfile by CPU time, and the stage's result (the summary's ``publicity``,
``objections``, ``backfilled`` keys) with the states' counts, to compare before and after a change.

Run from the project root: ``python bench/publicity_replay.py --database URL [--profile]
[--top 40]``.
"""

import argparse
import cProfile
import io
import json
import pstats
import random
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_app import create_app  # noqa: E402
from review_app import simulate as sim  # noqa: E402
from review_app.applications.models import Application  # noqa: E402
from review_app.auth.models import User  # noqa: E402
from review_app.extensions import db  # noqa: E402
from review_app.programs.service import current_program  # noqa: E402
from review_app.publicity import simulate as after_decision  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "simulation",
         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "simulation"},
    )  # fmt: skip
    statements = {"n": 0}
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def count(*_):
            statements["n"] += 1

        program = current_program()
        user = {u.username: u for u in db.session.execute(select(User)).scalars()}
        coord, checker = user["sim-coord"], user["sim-inspector-01"]
        clock = sim.Clock(app.config)
        clock.set(sim.DECISION_DAY)
        rng = random.Random(args.seed)  # noqa: S311 - only the objectors' phone numbers
        profile = cProfile.Profile(time.process_time) if args.profile else None
        before, wall, cpu = statements["n"], time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        result = after_decision.run(program, coord, checker, clock, rng)
        db.session.commit()
        if profile:
            profile.disable()
        figures = {
            "seconds": round(time.perf_counter() - wall, 2),
            "cpu": round(time.process_time() - cpu, 2),
            "statements": statements["n"] - before,
        }
        if profile:
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(args.top)
            print(f"==== profile (CPU seconds)\n{text.getvalue()}", file=sys.stderr)
        states = dict(
            db.session.execute(
                select(Application.state, func.count(Application.id))
                .where(Application.program_id == program.id)
                .group_by(Application.state)
            ).all()
        )
    print(json.dumps({"publicity": figures, "result": result, "states": states},
                     ensure_ascii=False, indent=2, sort_keys=True))  # fmt: skip


if __name__ == "__main__":
    main()
