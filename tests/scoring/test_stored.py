"""Stored aggregates (``scoring.stored``): what the ranking reads equals what the reviews give
when recomputed, across random review edits; each kind of change makes the stored figures
invalid in its own transaction; a reader that read before a change committed does not store
stale figures; two readers recomputing at once leave one row; pages keep what they computed."""

import dataclasses
import random
import threading

import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_app.assignment import service as assignment_service
from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.scoring import service, stored
from review_app.scoring.models import DispersionFlag, Review, ScoreAggregate

from .. import factories as f
from ..conftest import login
from .test_scoring import COMMENT, _mine, _panels, _ready, _values

TABLE = ScoreAggregate.__table__


def _track(n_apps=3, seed=3):
    """``n_apps`` 卓越级 applications staffed by the solver; nothing scored yet."""
    apps = _ready(n_apps)
    program, coordinator, _ = _panels()
    assignment_service.commit(program, "excellent", seed, None, coordinator)
    db.session.commit()
    return program, coordinator, apps


def _submit(a, fraction):
    service.save(a, _values(a.section, fraction), COMMENT, version=None, actor=a.expert.user,
                 submit=True)  # fmt: skip


def _row(program_id, track="excellent"):
    """The stored row as another connection sees it (committed state)."""
    with db.engine.connect() as other:
        return other.execute(
            select(TABLE.c.token, TABLE.c.payload).where(
                TABLE.c.program_id == program_id, TABLE.c.track_code == track
            )
        ).first()


class Counting:
    """Counts ``stored.compute_track`` calls (a read that recomputed)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        self.original = stored.compute_track
        monkeypatch.setattr(stored, "compute_track", self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.original(*args, **kwargs)


def _assert_stored_equals_recomputed(program, counting):
    """Read (recomputing if invalid), commit, read again from the store: equal to a fresh
    computation, float for float, biases included."""
    service.track_results(program.id, "excellent")
    db.session.commit()
    before = counting.calls
    kept = service.track_results(program.id, "excellent")
    assert counting.calls == before, "the second read recomputed instead of reading the store"
    fresh = stored.TrackResults(
        service.recomputed_track_scores(program.id, "excellent"),
        counting.original(program.id, "excellent", service.rubric_for("excellent")).biases,
    )
    assert kept.scores == fresh.scores
    assert kept.biases == fresh.biases
    assert service.track_scores(program.id, "excellent") == fresh.scores


def test_stored_equals_recomputed_across_random_review_edits(app, monkeypatch):
    program, coordinator, apps = _track()
    counting = Counting(monkeypatch)
    rng = random.Random(18)
    assignments = [a for application in apps for a in _mine(application)]
    for a in assignments[: len(assignments) // 2]:
        _submit(a, rng.choice((0.5, 0.6, 0.75, 0.9)))
    db.session.commit()
    _assert_stored_equals_recomputed(program, counting)
    assert service.track_scores(program.id, "excellent")  # some applications have figures
    kinds = set()
    for _ in range(24):
        pending = [a for a in assignments if a.status in ("assigned", "reopened")]
        submitted = [a for a in assignments if a.status == "submitted"]
        flags = db.session.execute(
            select(DispersionFlag).where(DispersionFlag.status == "open")
        ).scalars().all()  # fmt: skip
        choices = ["submit"] * bool(pending) + ["draft"] * bool(pending)
        choices += ["reopen"] * bool(submitted) + ["flag"] * bool(flags)
        kind = rng.choice(choices)
        kinds.add(kind)
        if kind == "submit":
            _submit(rng.choice(pending), rng.choice((0.3, 0.55, 0.7, 0.85, 1.0)))
        elif kind == "draft":
            a = rng.choice(pending)
            service.save(a, _values(a.section, 0.4), "", version=None, actor=a.expert.user,
                         submit=False)  # fmt: skip
        elif kind == "reopen":
            a = rng.choice(submitted)
            if a.application.state not in ("scored", "expert_assigned"):
                continue
            service.reopen(service.review_of(a), "复核评分", coordinator)
        else:
            flag = rng.choice(flags)
            mode = rng.choice(("rescore", "consensus"))
            reviewers = [x.expert_id for x in _mine(flag.application)
                         if x.section_id == flag.section_id]  # fmt: skip
            service.resolve_flag(flag, mode, "复议说明", reviewers, coordinator)
        db.session.commit()
        _assert_stored_equals_recomputed(program, counting)
    assert {"submit", "reopen"} <= kinds


@pytest.fixture()
def warm(app, monkeypatch):
    """A track with every review in and its aggregates stored (committed)."""
    program, coordinator, apps = _track(n_apps=2)
    for application in apps:
        for i, a in enumerate(_mine(application)):
            _submit(a, 0.6 + 0.05 * (i % 3))
    db.session.commit()
    service.track_results(program.id, "excellent")
    db.session.commit()
    row = _row(program.id)
    assert row is not None and row.payload is not None
    return program, coordinator, apps, row.token


def _invalid_before_any_read(program, old_token):
    row = _row(program.id)
    return row.payload is None and row.token != old_token


def test_a_submit_invalidates(warm):
    program, coordinator, apps, token = warm
    a = _mine(apps[0])[0]
    service.reopen(service.review_of(a), "复核评分", coordinator)
    db.session.commit()
    token = _row(program.id).token
    service.track_results(program.id, "excellent")
    db.session.commit()
    assert _row(program.id).payload is not None
    _submit(a, 0.95)
    db.session.commit()
    assert _invalid_before_any_read(program, token)


def test_a_reopen_invalidates(warm):
    program, coordinator, apps, token = warm
    review = service.review_of(_mine(apps[0])[0])
    service.reopen(review, "复核评分", coordinator)
    db.session.commit()
    assert _invalid_before_any_read(program, token)


def test_a_rescore_invalidates_and_a_consensus_changes_no_figure(warm):
    program, coordinator, apps, token = warm
    section = _mine(apps[0])[0].section
    flag = DispersionFlag(application_id=apps[0].id, section_id=section.id, spread=30,
                          threshold=20, status="open")  # fmt: skip
    db.session.add(flag)
    db.session.commit()
    assert _row(program.id).token == token  # a flag is not an input of the figures
    reviewers = [x.expert_id for x in _mine(apps[0]) if x.section_id == section.id]
    service.resolve_flag(flag, "consensus", "专家合议一致", reviewers, coordinator)
    db.session.commit()
    assert _row(program.id).token == token
    assert service.track_scores(program.id, "excellent") == service.recomputed_track_scores(
        program.id, "excellent"
    )
    again = DispersionFlag(application_id=apps[0].id, section_id=section.id, spread=30,
                           threshold=20, status="open")  # fmt: skip
    db.session.add(again)
    db.session.flush()
    service.resolve_flag(again, "rescore", "请重新评分", reviewers[:1], coordinator)
    db.session.commit()
    assert _invalid_before_any_read(program, token)


def test_an_assignment_leaving_or_deleted_invalidates(warm):
    program, _, apps, token = warm
    a = _mine(apps[0])[0]
    db.session.expire(a)  # its old status unread: set blind, as after a commit
    a.status = "declined_conflict"  # any path that takes a scored assignment away
    db.session.commit()
    assert _invalid_before_any_read(program, token)
    service.track_results(program.id, "excellent")
    db.session.commit()
    token = _row(program.id).token
    b = _mine(apps[1])[0]
    db.session.delete(service.review_of(b))
    db.session.delete(b)
    db.session.commit()
    assert _invalid_before_any_read(program, token)
    assert service.track_scores(program.id, "excellent") == service.recomputed_track_scores(
        program.id, "excellent"
    )


def test_an_application_moved_to_another_track_invalidates_both(warm):
    program, _, apps, token = warm
    service.track_results(program.id, "leading")
    db.session.commit()
    leading = _row(program.id, "leading").token
    apps[0].track_code = "leading"
    db.session.commit()
    assert _invalid_before_any_read(program, token)
    assert _row(program.id, "leading").payload is None
    assert _row(program.id, "leading").token != leading


def test_a_draft_save_or_a_flag_leaves_the_figures_stored(warm, monkeypatch):
    """Only submitted reviews are aggregated: a draft changes no figure and keeps the store."""
    program, coordinator, apps, token = warm
    a = _mine(apps[0])[0]
    service.reopen(service.review_of(a), "复核评分", coordinator)
    db.session.commit()
    service.track_results(program.id, "excellent")
    db.session.commit()
    token = _row(program.id).token
    service.save(a, _values(a.section, 0.2), "", version=None, actor=a.expert.user,
                 submit=False)  # fmt: skip
    db.session.commit()
    row = _row(program.id)
    assert row.token == token and row.payload is not None
    counting = Counting(monkeypatch)
    assert service.track_scores(program.id, "excellent") == service.recomputed_track_scores(
        program.id, "excellent"
    )
    assert counting.calls == 1  # the recomputation asked for; the stored read did not compute


def test_a_rubric_change_is_not_read_from_the_store(warm, monkeypatch):
    program, *_ = warm
    counting = Counting(monkeypatch)
    before = service.track_scores(program.id, "excellent")
    assert counting.calls == 0
    rubric = service.rubric_for("excellent")
    weights = [dataclasses.replace(s, weight=s.weight * (2 if i == 0 else 1))
               for i, s in enumerate(rubric.sections)]  # fmt: skip
    changed = dataclasses.replace(rubric, sections=weights)
    monkeypatch.setattr(service, "rubric_for", lambda track, program=None: changed)
    after = service.track_scores(program.id, "excellent")
    assert counting.calls == 1
    assert after == service.recomputed_track_scores(program.id, "excellent")
    assert {k: v[0].score for k, v in after.items()} != {k: v[0].score for k, v in before.items()}


def test_a_reader_does_not_store_what_a_change_committed_meanwhile_made_stale(warm, monkeypatch):
    program, coordinator, apps, token = warm
    review = service.review_of(_mine(apps[0])[0])
    service.reopen(review, "复核评分", coordinator)
    db.session.commit()
    stale_token = _row(program.id).token
    original = stored.compute_track

    def compute_then_change(*args, **kwargs):
        results = original(*args, **kwargs)  # read the reviews first, then another commits
        with Session(db.engine) as other:
            stored.invalidate(other, {(program.id, "excellent")})
            other.commit()
        return results

    monkeypatch.setattr(stored, "compute_track", compute_then_change)
    service.track_results(program.id, "excellent")
    db.session.commit()
    row = _row(program.id)
    assert row.token != stale_token and row.payload is None  # nothing stale was stored


def test_two_readers_recomputing_at_once_leave_one_row(app, monkeypatch):
    program, _, apps = _track(n_apps=1)
    for a in _mine(apps[0]):
        _submit(a, 0.7)
    db.session.commit()
    with db.engine.begin() as conn:
        conn.execute(TABLE.delete())
    original = stored.compute_track
    errors = []

    def other_reader():
        with app.app_context():
            try:
                service.track_results(program.id, "excellent")
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - reported by the assertion below
                errors.append(err)
            finally:
                db.session.remove()

    def compute_while_another_stores(*args, **kwargs):
        monkeypatch.setattr(stored, "compute_track", original)
        thread = threading.Thread(target=other_reader)
        thread.start()  # it reads, computes and inserts the row and commits, then we insert
        thread.join()
        return original(*args, **kwargs)

    monkeypatch.setattr(stored, "compute_track", compute_while_another_stores)
    mine = service.track_results(program.id, "excellent")
    db.session.commit()
    assert errors == []
    with db.engine.connect() as other:
        count = other.execute(select(func.count()).select_from(TABLE)).scalar_one()
    assert count == 1
    assert service.track_results(program.id, "excellent") == mine


def test_the_pages_keep_what_they_computed_and_a_read_only_page_writes_nothing(app, warm, client):
    program, coordinator, apps, token = warm
    service.reopen(service.review_of(_mine(apps[0])[0]), "复核评分", coordinator)
    f.user("coordinator", "aggr-c")
    db.session.commit()
    assert _row(program.id).payload is None
    with app.test_request_context("/"):
        g.reads_only = True  # a page marked web.reads_only: computes, stores nothing
        assert service.track_scores(program.id, "excellent")
        assert stored.commit_stored() is False
    db.session.rollback()
    assert _row(program.id).payload is None
    login(client, "aggr-c")
    assert client.get("/dashboard/analysis").status_code == 200
    assert _row(program.id).payload is not None  # committed by the page
    service.reopen(service.review_of(_mine(apps[1])[0]), "复核评分", coordinator)
    db.session.commit()
    assert _row(program.id).payload is None
    assert client.get(f"/scoring/applications/{apps[0].id}").status_code == 200
    assert _row(program.id).payload is None  # 评分明细 without calibration: its own sections
    assert client.get("/decision/excellent").status_code == 200
    assert _row(program.id).payload is not None  # committed by the page
    assert db.session.execute(
        select(func.count()).select_from(Review).where(Review.status == "draft")
    ).scalar_one() == 2  # fmt: skip
    assert db.session.execute(
        select(func.count()).select_from(Assignment).where(Assignment.status == "reopened")
    ).scalar_one() == 2  # fmt: skip


def test_a_change_is_read_at_once_in_its_transaction_and_locks_the_row_only_at_commit(warm):
    """Within the changing transaction the figures are recomputed (never the stale payload);
    the stored row is written at commit only, after the audit chain's lock, so another
    transaction can lock it meanwhile (PostgreSQL: no row lock held across the request)."""
    program, coordinator, apps, token = warm
    before = service.track_scores(program.id, "excellent")
    review = service.review_of(_mine(apps[0])[0])
    service.reopen(review, "复核评分", coordinator)
    db.session.flush()
    now = service.track_scores(program.id, "excellent")
    assert now == service.recomputed_track_scores(program.id, "excellent") != before
    with db.engine.connect() as other:
        if other.dialect.name == "postgresql":
            locked = other.execute(
                select(TABLE.c.id).where(TABLE.c.program_id == program.id)
                .with_for_update(nowait=True)
            ).all()  # fmt: skip
            assert locked  # nobody holds it: NOWAIT did not fail
        other.rollback()
    assert _row(program.id).token == token  # nothing written before the commit
    db.session.commit()
    assert _invalid_before_any_read(program, token)


def test_the_breakdown_is_the_same_from_its_own_sections_as_from_the_store(warm, monkeypatch):
    """Without calibration 评分明细 aggregates the application's own sections (no track refit,
    no read of the whole track's figures); they equal the stored ones exactly. With calibration
    it reads the stored figures and biases."""
    program, coordinator, apps, token = warm
    counting = Counting(monkeypatch)
    own = service.application_breakdown(apps[0])
    assert counting.calls == 0 and own["score"].score is not None and own["calibrated"] is None
    kept_raw = service.track_scores(program.id, "excellent")[apps[0].id][0]
    assert counting.calls == 0  # read from the store
    assert own["score"].score == kept_raw.score and own["score"].missing == kept_raw.missing
    for row in own["sections"]:
        key = row["section"].key
        assert row["aggregate"] == dataclasses.replace(kept_raw.sections[key], calibrated_mean=None)
    rubric = service.rubric_for("excellent")
    calibrating = dataclasses.replace(
        rubric, aggregation=dataclasses.replace(rubric.aggregation, calibration=True)
    )
    monkeypatch.setattr(service, "rubric_for", lambda track, program=None: calibrating)
    with_biases = service.application_breakdown(apps[0])
    assert counting.calls == 1  # another rubric digest: recomputed once, then stored
    db.session.commit()
    again = service.application_breakdown(apps[0])
    assert counting.calls == 1
    assert again["score"] == with_biases["score"] and again["biases"] == with_biases["biases"]
    assert again["calibrated"] == with_biases["calibrated"]
