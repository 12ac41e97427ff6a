"""Stored aggregates: a track's section aggregates, application scores (raw and calibrated) and
panel biases, computed once from its submitted reviews and kept in ``score_aggregate`` until a
review change makes them invalid.

- Computing (``compute_track``) is what the ranking did on every request before: every submitted
  review of the program's track in one query (by assignment id), ``fit_leniency`` per panel,
  ``aggregate_section`` per section with its panel's biases, ``application_score`` raw and
  calibrated. Deterministic: the same reviews give the same floats.
- Invalidation has one place, ``note_changes`` (an ORM ``after_flush`` listener, connected
  for every session): a flush that adds, changes or deletes a review or an assignment whose
  status is or was ``submitted`` (the only rows the aggregation reads), renames or deletes a
  section, or moves or deletes an application marks the tracks concerned; when the transaction
  commits they get a new ``token`` and no ``payload``. A rubric whose aggregation settings,
  weights or maxima changed (``rubric_key``) makes the stored payload invalid too.
- Reading (``track_results``) returns the stored payload when valid, else recomputes in the
  reader's transaction (from what it sees, its own changes included) and stores the result at
  its commit where the row's token is still the one read before the reviews were (a change
  committed meanwhile wins: its token differs, nothing is stored). A missing row is inserted
  with ``ON CONFLICT DO NOTHING``, so two readers recomputing at once leave one row with the
  same payload. Requests marked read-only (``web.reads_only``) do not store; other GET pages
  commit what they computed (``commit_stored``, from ``scoring.views``).
- Every write to ``score_aggregate`` happens in ``write_at_commit``, just before the commit,
  after the transaction's other locks (the audit chain's advisory lock among them): a row lock
  here never waits on that lock while held, so writers cannot deadlock on the two.
"""

import hashlib
import uuid
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..applications.catalogue import BY_KEY
from ..applications.models import Application, Section
from ..assignment.models import Assignment
from ..clock import utcnow
from ..extensions import db
from .aggregate import (
    ApplicationScore,
    SectionAggregate,
    SectionReview,
    aggregate_section,
    application_score,
    fit_leniency,
)
from .models import Review, ScoreAggregate

TABLE = ScoreAggregate.__table__
STORE_KEY = "score_aggregates_to_store"
PENDING_KEY = "score_aggregates_invalid"
WROTE_FLAG = "score_aggregates_orm_writes"
MOVED_KEY = "score_aggregates_moved"


@dataclass
class TrackResults:
    """``scores``: application id → (raw, calibrated) ``ApplicationScore`` for every application
    of the track with a submitted review; ``biases``: panel (section group) → reviewer id →
    leniency bias on the 0–100 scale."""

    scores: dict[int, tuple[ApplicationScore, ApplicationScore]]
    biases: dict[str, dict[int, float]]


# ------------------------------------------------------------------------------- computing


def track_reviews(program_id: int, track_code: str, rubric) -> dict[str, list[SectionReview]]:
    """Every submitted review of a program's track, by panel (section group), in one query."""
    rows = db.session.execute(
        select(Assignment.expert_id, Review.total, Section.key, Section.application_id)
        .join(Review, Review.assignment_id == Assignment.id)
        .join(Section, Section.id == Assignment.section_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(
            Application.program_id == program_id,
            Application.track_code == track_code,
            Review.status == "submitted",
            Assignment.status == "submitted",
        )
        .order_by(Assignment.id)
    ).all()
    maxima = {s.key: s.max for s in rubric.sections}  # rubric.section(key) searches a list
    by_group: dict[str, list[SectionReview]] = {}
    for expert_id, total, key, application_id in rows:
        by_group.setdefault(BY_KEY[key].group, []).append(
            SectionReview(expert_id, key, application_id, float(total), maxima[key])
        )
    return by_group


def fit_biases(by_group: dict[str, list[SectionReview]], rubric) -> dict[str, dict[int, float]]:
    minimum = rubric.aggregation.calibration_min_reviews
    return {
        group: fit_leniency(reviews, min_reviews=minimum) for group, reviews in by_group.items()
    }


def compute_track(program_id: int, track_code: str, rubric) -> TrackResults:
    """The aggregation of the track from its submitted reviews, as the ranking reads it."""
    settings = rubric.aggregation
    by_group = track_reviews(program_id, track_code, rubric)
    biases = fit_biases(by_group, rubric)
    per_section: dict[tuple[int, str], list[SectionReview]] = {}
    for reviews in by_group.values():
        for r in reviews:
            per_section.setdefault((r.application_id, r.section_key), []).append(r)
    aggregates: dict[int, dict[str, SectionAggregate]] = {}
    for (app_id, key), reviews in per_section.items():
        aggregates.setdefault(app_id, {})[key] = aggregate_section(
            reviews, trim_when_at_least=settings.trim_when_at_least,
            dispersion_range=settings.dispersion_range,
            dispersion_deviation=settings.dispersion_deviation,
            biases=biases.get(BY_KEY[key].group),
        )  # fmt: skip
    weights = {s.key: s.weight for s in rubric.sections}
    maxima = {s.key: s.max for s in rubric.sections}
    scores = {
        app_id: (
            application_score(aggs, weights, maxima, application_id=app_id),
            application_score(aggs, weights, maxima, application_id=app_id, calibrated=True),
        )
        for app_id, aggs in aggregates.items()
    }
    return TrackResults(scores=scores, biases=biases)


# ------------------------------------------------------------------------------- JSON form


def _section_out(a: SectionAggregate) -> list:
    return [a.n, a.raw_mean, a.trimmed, a.stdev, a.range, a.flagged, a.reasons, a.outliers,
            a.calibrated_mean]  # fmt: skip


def _score_out(s: ApplicationScore) -> list:
    return [s.score, s.missing, s.reason, s.flagged]


def encode(results: TrackResults) -> dict:
    """JSON-ready: floats are written by ``repr`` and read back to the same double."""
    apps = {}
    for app_id, (raw, calibrated) in results.scores.items():
        apps[str(app_id)] = {
            "sections": [[key, *_section_out(a)] for key, a in raw.sections.items()],
            "raw": _score_out(raw),
            "calibrated": _score_out(calibrated),
        }
    biases = {group: [[rid, b] for rid, b in per.items()] for group, per in results.biases.items()}
    return {"apps": apps, "biases": biases}


def decode(payload: dict) -> TrackResults:
    scores = {}
    for app_key, data in payload["apps"].items():
        app_id = int(app_key)
        sections = {}
        for key, n, raw_mean, trimmed, stdev, spread, flagged, reasons, outliers, cal in data[
            "sections"
        ]:
            sections[key] = SectionAggregate(
                application_id=app_id, section_key=key, n=n, raw_mean=raw_mean, trimmed=trimmed,
                stdev=stdev, range=spread, flagged=flagged, reasons=list(reasons),
                outliers=list(outliers), calibrated_mean=cal,
            )  # fmt: skip
        pair = []
        for kind in ("raw", "calibrated"):
            score, missing, reason, flagged = data[kind]
            pair.append(
                ApplicationScore(
                    application_id=app_id,
                    score=score,
                    sections=dict(sections),
                    missing=list(missing),
                    reason=reason,
                    flagged=list(flagged),
                )  # fmt: skip
            )
        scores[app_id] = (pair[0], pair[1])
    biases = {
        group: {int(rid): b for rid, b in pairs} for group, pairs in payload["biases"].items()
    }
    return TrackResults(scores=scores, biases=biases)


# ------------------------------------------------------------------------------- reading


def _may_store() -> bool:
    """Not in a request marked read-only (``web.reads_only``): such a page must not write."""
    return not (has_request_context() and g.get("reads_only"))


def _insert(session: Session):
    postgresql = session.get_bind().dialect.name == "postgresql"
    return (pg_insert if postgresql else sqlite_insert)(TABLE)


def rubric_key(rubric) -> str:
    """A digest of what the aggregation reads from the rubric (its settings, the sections'
    weights and maxima): aggregates stored under another rubric are not used."""
    used = (rubric.aggregation, [(s.key, s.weight, s.max) for s in rubric.sections])
    return hashlib.sha256(repr(used).encode()).hexdigest()


def _row(program_id: int, track_code: str):
    return db.session.execute(
        select(TABLE.c.token, TABLE.c.rubric_key, TABLE.c.payload).where(
            TABLE.c.program_id == program_id, TABLE.c.track_code == track_code
        )
    ).first()


def valid_results(program_id: int, track_code: str, rubric) -> TrackResults | None:
    """The stored aggregates when valid, else None (nothing computed)."""
    if (program_id, track_code) in db.session.info.get(PENDING_KEY, ()):
        return None
    row = _row(program_id, track_code)
    if row is not None and row.payload is not None and row.rubric_key == rubric_key(rubric):
        return decode(row.payload)
    return None


def track_results(program_id: int, track_code: str, rubric) -> TrackResults:
    """The track's stored aggregates, recomputed first when invalid (the result is stored when
    the transaction commits, ``write_at_commit``)."""
    key = rubric_key(rubric)
    track = (program_id, track_code)
    if track in db.session.info.get(PENDING_KEY, ()):  # changed in this transaction
        return compute_track(program_id, track_code, rubric)
    row = _row(program_id, track_code)  # the token is read before the reviews are
    if row is not None and row.payload is not None and row.rubric_key == key:
        return decode(row.payload)
    results = compute_track(program_id, track_code, rubric)
    if _may_store():
        token = None if row is None else row.token
        db.session.info.setdefault(STORE_KEY, {})[track] = (token, key, encode(results))
    return results


def _store(session: Session, track: tuple[int, str], token: str | None, key: str, payload):
    """Where the row still has the token read before the reviews (or, missing then, is still
    missing): a change committed meanwhile has set another token, and wins."""
    program_id, track_code = track
    values = {"rubric_key": key, "payload": payload, "computed_at": utcnow()}
    if token is None:
        statement = (
            _insert(session)
            .values(
                program_id=program_id, track_code=track_code, token=uuid.uuid4().hex, **values
            )  # fmt: skip
            .on_conflict_do_nothing(index_elements=["program_id", "track_code"])
        )
    else:
        statement = (
            update(TABLE)
            .where(
                TABLE.c.program_id == program_id,
                TABLE.c.track_code == track_code,
                TABLE.c.token == token,
            )  # fmt: skip
            .values(**values)
        )
    session.execute(statement)


def commit_stored(session=None) -> bool:
    """Commit a transaction in which a read recomputed aggregates to store and nothing was
    written through the ORM (a GET page). Returns whether it committed."""
    session = session or db.session()
    if session.info.get(STORE_KEY) and not session.info.get(WROTE_FLAG):
        session.commit()
        return True
    return False


# ------------------------------------------------------------------------------- invalidation


def _had_submitted(session: Session, obj) -> bool:
    """Its status is or was ``submitted``, or its old status was never read (then it may have
    been: a status set on an expired row, a row deleted unread)."""
    state = inspect(obj)
    if obj not in session.new:
        if "status" in state.unloaded:
            return True
        history = state.attrs.status.history
        if history.added and not (history.unchanged or history.deleted):
            return True
    history = state.attrs.status.history
    return "submitted" in (*history.added, *history.unchanged, *history.deleted)


def _moved(session: Session, obj, *attrs: str) -> bool:
    """A stored row deleted, or one of ``attrs`` changed."""
    if obj in session.new:
        return False
    state = inspect(obj)
    return obj in session.deleted or any(state.attrs[a].history.has_changes() for a in attrs)


def _changes_an_application(session: Session, obj) -> bool:
    """A submitted assignment added, changed or deleted; a section renamed, moved or deleted."""
    if isinstance(obj, Assignment):
        return _had_submitted(session, obj)
    return isinstance(obj, Section) and _moved(session, obj, "key", "application_id")


def _held(session: Session, cls, ident, *attrs: str):
    """The values of ``attrs`` (one value, or a tuple of several) of the row of ``cls`` with
    primary key ``ident`` when the session holds it with them loaded (read without a query:
    after a flush they are what the database holds), else None."""
    obj = session.identity_map.get(identity_key(cls, ident))
    if obj is None:
        return None
    values = inspect(obj).dict
    if any(a not in values for a in attrs):
        return None
    found = tuple(values[a] for a in attrs)
    return found[0] if len(found) == 1 else found


def _changed_tracks(session: Session) -> set[tuple[int, str]]:
    """(program id, track) of every track whose aggregation inputs this flush changes."""
    tracks: set[tuple[int, str]] = session.info.pop(MOVED_KEY, set())
    assignment_ids: set[int] = set()
    application_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Review) and _had_submitted(session, obj):
            assignment_ids.add(obj.assignment_id)
        elif _changes_an_application(session, obj):
            application_ids.add(obj.application_id)
    application_ids.discard(None)
    # What the session holds already needs no query (a save's assignment and application).
    for assignment_id in list(assignment_ids):
        application_id = _held(session, Assignment, assignment_id, "application_id")
        if application_id is not None:
            assignment_ids.discard(assignment_id)
            application_ids.add(application_id)
    for application_id in list(application_ids):
        track = _held(session, Application, application_id, "program_id", "track_code")
        if track is not None:
            application_ids.discard(application_id)
            tracks.add(track)
    # One statement: the applications named, and those of the assignments named.
    which = []
    if assignment_ids:
        which.append(Application.id.in_(
            select(Assignment.application_id).where(Assignment.id.in_(assignment_ids))
        ))  # fmt: skip
    if application_ids:
        which.append(Application.id.in_(application_ids))
    if which:
        rows = session.execute(
            select(Application.program_id, Application.track_code).where(or_(*which))
        )
        tracks |= {(program_id, track_code) for program_id, track_code in rows}
    return {t for t in tracks if None not in t}


def note_moves(session: Session, flush_context, instances) -> None:
    """Before a flush: the tracks an application moved or deleted leaves (read from the
    database, which still holds them) and the ones it joins."""
    moved = [
        obj
        for obj in (*session.dirty, *session.deleted)
        if isinstance(obj, Application) and _moved(session, obj, "program_id", "track_code")
    ]
    if not moved:
        return
    tracks = session.info.setdefault(MOVED_KEY, set())
    rows = session.execute(
        select(Application.program_id, Application.track_code).where(
            Application.id.in_([obj.id for obj in moved])
        )
    )
    tracks |= {(program_id, track_code) for program_id, track_code in rows}
    tracks |= {(obj.program_id, obj.track_code) for obj in moved if obj not in session.deleted}


def invalidate(session: Session, tracks: set[tuple[int, str]]) -> None:
    """A new token and no payload for each track, its row created if missing (so a reader that
    read before this change cannot store afterwards: its token, or its insert, loses)."""
    for program_id, track_code in sorted(tracks):
        token = uuid.uuid4().hex
        statement = (
            _insert(session)
            .values(program_id=program_id, track_code=track_code, token=token, payload=None)
            .on_conflict_do_update(
                index_elements=["program_id", "track_code"],
                set_={"token": token, "payload": None, "computed_at": None},
            )
        )
        session.execute(statement)


def note_changes(session: Session, flush_context) -> None:
    """The one invalidation point: after each ORM flush, the tracks whose inputs it changed
    (invalidated when the transaction commits, ``write_at_commit``)."""
    session.info[WROTE_FLAG] = True
    tracks = _changed_tracks(session)
    if tracks:
        session.info.setdefault(PENDING_KEY, set()).update(tracks)


def write_at_commit(session: Session) -> None:
    """Before a commit: the invalidations and the stores of the transaction, by track. Written
    last, after every other lock the transaction took (the audit chain's among them), so a
    ``score_aggregate`` row is locked only for the commit and never waits on that lock while
    holding it."""
    session.flush()  # the commit's own flush comes after this event: it may add invalidations
    if not (session.info.get(PENDING_KEY) or session.info.get(STORE_KEY)):
        return
    pending = session.info.pop(PENDING_KEY, set())
    to_store = session.info.pop(STORE_KEY, {})
    for track in sorted(pending | set(to_store)):
        if track in pending:
            invalidate(session, {track})
        else:
            _store(session, track, *to_store[track])


def _clear_flags(session: Session, *args) -> None:
    for key in (PENDING_KEY, STORE_KEY, WROTE_FLAG, MOVED_KEY):
        session.info.pop(key, None)


def connect_invalidation() -> None:
    """Connect the listeners to every session (once)."""
    if not event.contains(Session, "after_flush", note_changes):
        event.listen(Session, "before_flush", note_moves)
        event.listen(Session, "after_flush", note_changes)
        event.listen(Session, "before_commit", write_at_commit)
        event.listen(Session, "after_commit", _clear_flags)
        event.listen(Session, "after_rollback", _clear_flags)
