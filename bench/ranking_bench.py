# ruff: noqa: S108 - a local bench script
"""Time the coordinator's ranking pages on a simulated province (a script, not a test).

``review-app simulate --applications 200 --experts 150 --seed 1 --out /tmp/aggr_sim`` writes
/tmp/aggr_sim/simulation.sqlite3. This script copies it, puts the decided applications back to
已评分 and drops the decision runs (so the decision page ranks afresh instead of showing a
confirmed run), signs in as the simulation's coordinator with the Flask test client and times
each page ``--repeat`` times:

- the decision page of 卓越级 (``/decision/excellent``: gather + decide) and a what-if
  (``?try=1&capacity=…``: gather + decide twice);
- 评分分析 (``/dashboard/analysis``: score distribution, provisional ranking, leniency);
- 评分明细 of the first and of a middle application (``/scoring/applications/<id>``);
- the 复议 list (``/scoring/flags``);
- the application list (``/applications/``) and the coordinator's dashboard.

``cold`` is the first request after a review change (the stored aggregates invalid: one review
is reopened and submitted again through the service before it), ``warm`` the median of the
requests after it. Before the stored aggregates every request was "cold".

Run from the project root: ``python bench/ranking_bench.py [--db PATH] [--repeat N]``.
"""

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from review_app import create_app  # noqa: E402
from review_app.applications.models import Application  # noqa: E402
from review_app.assignment.models import Assignment  # noqa: E402
from review_app.auth.models import User  # noqa: E402
from review_app.extensions import db  # noqa: E402
from review_app.scoring import service  # noqa: E402
from review_app.scoring.models import DispersionFlag, Review  # noqa: E402

PASSWORD = "Sim@2026-not-for-production"  # noqa: S105 - the simulation's generated accounts


def prepared_copy(path: str) -> str:
    copy = Path(tempfile.mkdtemp(prefix="ranking_bench_")) / "simulation.sqlite3"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE application SET state = 'scored' "
                     "WHERE state IN ('admitted', 'rejected')")  # fmt: skip
        for table in ("decision_entry", "decision_run"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    return str(copy)


def touch_a_review(app) -> None:
    """Reopen one submitted 卓越级 review and submit it again with the same points (as a 复议
    re-score does): the track's stored aggregates become invalid."""
    with app.app_context():
        review = db.session.execute(
            select(Review)
            .join(Assignment, Assignment.id == Review.assignment_id)
            .join(Application, Application.id == Assignment.application_id)
            .where(Review.status == "submitted", Application.track_code == "excellent")
            .order_by(Review.id)
            .limit(1)
        ).scalar_one()
        coord = db.session.execute(select(User).where(User.username == "sim-coord")).scalar_one()
        assignment = db.session.get(Assignment, review.assignment_id)
        values = {s.criterion_code: (None if s.points is None else float(s.points), s.not_applicable)
                  for s in review.scores}  # fmt: skip
        comment = review.comment
        app_ = assignment.application
        state = app_.state
        review.status = "draft"
        assignment.status = "reopened"
        app_.state = "expert_assigned"
        db.session.flush()
        service.save(assignment, values, comment, version=None, actor=coord, submit=True)
        app_.state = state
        db.session.commit()


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    took = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/aggr_sim/simulation.sqlite3")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = prepared_copy(args.db)
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x",
         "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
        env={"REVIEW_APP_ENV": "development", "SECRET_KEY": "x"},
    )  # fmt: skip
    with app.app_context():
        db.create_all()  # tables of later migrations than the simulated database's
        ids = db.session.execute(
            select(Application.id)
            .where(Application.track_code == "excellent")
            .order_by(Application.id)
        ).scalars().all()  # fmt: skip
        flags = db.session.execute(select(DispersionFlag.id)).scalars().all()
    pages = [
        ("decision page 卓越级", "/decision/excellent"),
        ("decision what-if", "/decision/excellent?try=1&capacity=60&min_score=60"),
        ("评分分析 (dashboard)", "/dashboard/analysis"),
        ("评分明细 (first)", f"/scoring/applications/{ids[0]}"),
        ("评分明细 (middle)", f"/scoring/applications/{ids[len(ids) // 2]}"),
        (f"复议 list ({len(flags)} flags)", "/scoring/flags"),
        ("application list", "/applications/"),
        ("dashboard", "/dashboard/"),
    ]
    client = app.test_client()
    response = client.post("/login", data={"username": "sim-coord", "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login failed: HTTP {response.status_code}")
    print(f"{path}: {len(ids)} 卓越级 applications, {len(flags)} flags; "
          f"{args.repeat} requests per page")  # fmt: skip
    for name, url in pages:
        timed(client, url)  # warm the templates and the rubric cache
        touch_a_review(app)
        cold = timed(client, url)
        warm = [timed(client, url) for _ in range(args.repeat)]
        print(f"  {name:28s} cold {cold * 1000:7.1f} ms   warm median "
              f"{statistics.median(warm) * 1000:7.1f} ms  (min {min(warm) * 1000:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
