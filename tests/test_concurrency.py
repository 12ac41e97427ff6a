"""Many experts submitting at once (each in its own thread, session and transaction), some
submitting twice, while the system completes applications: no review lost or duplicated, every
application completed exactly once, and an audit chain that verifies."""

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from review_app.applications.models import Application
from review_app.assignment.models import Assignment
from review_app.audit import service as audit
from review_app.audit.models import AuditEvent
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.scoring.models import Review
from review_app.scoring.service import rubric_section, save
from review_app.workflow.service import fire

from . import factories as f
from .conftest import AFTER_DEADLINE

THREADS = 8
APPLICATIONS = 3


def _submit(app, assignment_id: int, errors: list, attempts: list) -> None:
    """What a browser does: submit; on a conflict (another writer got there first) submit again."""
    last = None
    with app.app_context():
        for attempt in range(30):
            try:
                assignment = db.session.get(Assignment, assignment_id)
                values = {c.code: (round(c.max * 0.8, 1), False)
                          for c in rubric_section(assignment.section).criteria}  # fmt: skip
                save(assignment, values, "并发提交测试：材料完整，数据可信。", version=None,
                     actor=assignment.expert.user, submit=True)  # fmt: skip
                db.session.commit()
                attempts.append(attempt)
                return
            except (DBAPIError, IntegrityError, StaleDataError, DomainError) as err:
                db.session.rollback()
                last = err
                time.sleep(0.01 * (attempt + 1))
            except Exception as err:  # noqa: BLE001 - reported to the test thread
                db.session.rollback()
                errors.append(repr(err))
                return
            finally:
                db.session.remove()
        errors.append(f"assignment {assignment_id}: gave up after 30 conflicts: {last!r}")


def test_concurrent_submissions_lose_nothing_and_complete_each_application_once(app):
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    actors = f.Actors()
    experts = None
    apps = []
    for i in range(APPLICATIONS):
        a = f.application(name=f"并发测试{i}有限公司")
        f.advance(a, "format_checked", actors)
        experts = f.staff(a, experts)
        fire(a, "assign", actors.coordinator)
        apps.append(a.id)
    db.session.commit()
    ids = list(db.session.execute(select(Assignment.id).order_by(Assignment.id)).scalars())
    # every fourth expert double-clicks: the same form submitted from two threads
    work = ids + ids[::4]
    errors: list = []
    attempts: list = []
    chunks = [work[i::THREADS] for i in range(THREADS)]

    def worker(chunk):
        for assignment_id in chunk:
            _submit(app, assignment_id, errors, attempts)

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    db.session.remove()

    assert errors == []
    assert len(attempts) == len(work)
    reviews = db.session.execute(select(Review.assignment_id, Review.status)).all()
    assert sorted(r.assignment_id for r in reviews) == ids  # one review each: none lost or doubled
    assert {r.status for r in reviews} == {"submitted"}
    states = db.session.execute(
        select(func.count()).select_from(Assignment).where(Assignment.status == "submitted")
    ).scalar_one()  # fmt: skip
    assert states == len(ids)
    assert [db.session.get(Application, i).state for i in apps] == ["scored"] * APPLICATIONS
    completions = db.session.execute(
        select(AuditEvent.object_id, func.count())
        .where(AuditEvent.action == "application.complete_scoring")
        .group_by(AuditEvent.object_id)
    ).all()  # fmt: skip
    assert sorted(int(o) for o, _ in completions) == sorted(apps)
    assert {n for _, n in completions} == {1}
    submits = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "review.submit")
    )
    assert submits == len(ids)  # a double submit is a no-op, not a second event
    report = audit.verify()
    assert report.ok, report.problem
