"""Scoring verbs: save a draft, submit (idempotent), reopen with a reason; after each submit the
section is aggregated, a wide disagreement raises a 复议 flag, and an application whose last
review is in with no open flag becomes ``scored`` by itself. Each verb flushes and audits (a
save's audit event is written by the transaction's next flush: saves come many in a row)."""

from functools import cache

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..anonymise.service import check_distributable, expert_refusal
from ..applications.catalogue import scored_sections
from ..applications.models import Application, Section
from ..assignment.models import ACTIVE_ASSIGNMENT_STATUSES, Assignment
from ..audit import service as audit
from ..auth.permissions import require
from ..clock import utcnow
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..workflow.machine import SYSTEM_ACTOR
from ..workflow.service import fire, refusal
from . import stored
from .aggregate import (
    CriterionScore,
    SectionReview,
    aggregate_section,
    application_score,
    review_total,
)
from .in_force import rubric_file_for as rubric_file_for  # re-exported: its callers ask here
from .in_force import rubric_for
from .models import DispersionFlag, Review, ReviewScore
from .permissions import can_enter_scores, can_reopen_review, can_resolve_flag
from .sheet import SheetTask, read_sheet
from .sheet_leaks import comment_leaks

MIN_COMMENT = 10
_SCORE_INSERT = ReviewScore.__table__.insert()  # built once (its cache key is then memoised)
_ASSIGNMENT_SUBMITTED = (
    update(Assignment.__table__)
    .where(Assignment.__table__.c.id == bindparam("assignment_id"))
    .values(status="submitted", updated_at=bindparam("updated_at"))
)


class StaleReview(DomainError):
    """The form was loaded before another save; nothing is written, the input is kept."""

    def __init__(self):
        super().__init__(
            "该评分表已在其他窗口或设备上保存过，本次提交未保存。请核对下面保留的内容后重新提交。",
            code="stale",
        )


def rubric_section(section: Section):
    """The rubric of ``section`` in its application's own program (no program query)."""
    return _app_rubric(section.application).section(section.key)


def _app_rubric(app: Application):
    return rubric_for(app.track_code, app.program)


@cache
def _review_statement():
    return select(Review).where(Review.assignment_id == bindparam("assignment_id"))


def review_of(assignment: Assignment) -> Review | None:
    return db.session.execute(
        _review_statement(), {"assignment_id": assignment.id}
    ).scalar_one_or_none()


def reviews_of(assignments) -> dict[int, Review]:
    """``review_of`` of each of ``assignments`` in one query: assignment id → its review."""
    ids = [a.id for a in assignments]
    if not ids:
        return {}
    found = db.session.execute(select(Review).where(Review.assignment_id.in_(ids))).scalars()
    return {r.assignment_id: r for r in found}


@cache
def _task_statement():
    """Built once (building the eager-load options costs more than running the query)."""
    return _tasks_statement().where(Assignment.id == bindparam("assignment_id"))


@cache
def _tasks_statement():
    return (
        select(Assignment, Review)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .options(
            joinedload(Assignment.expert),
            joinedload(Assignment.application),
            joinedload(Assignment.section).options(
                defer(Section.text), defer(Section.redaction_report)
            ),
            joinedload(Review.scores),
        )
    )


def scoring_task(assignment_id: int) -> tuple[Assignment, Review | None] | None:
    """The assignment and its review (or None) for the scoring form, in one query: the expert,
    the section (without its identified text) and the application joined, the review's scores
    too. None when there is no such assignment."""
    rows = db.session.execute(_task_statement(), {"assignment_id": assignment_id}).unique().all()
    return (rows[0][0], rows[0][1]) if rows else None


def scoring_tasks(assignment_ids: list[int]) -> dict[int, tuple[Assignment, Review | None]]:
    """``scoring_task`` of each of ``assignment_ids`` in one query (the same rows joined):
    assignment id → (assignment, review or None)."""
    if not assignment_ids:
        return {}
    statement = _tasks_statement().where(Assignment.id.in_(assignment_ids))
    rows = db.session.execute(statement).unique().all()
    return {a.id: (a, r) for a, r in rows}


def _check_owner(assignment: Assignment, actor) -> None:
    require(can_enter_scores(actor, assignment), "只能填写本人的评审任务。")


def _validated(section_rubric, values: dict) -> list[CriterionScore]:
    """values: code -> (points or None, not_applicable). Every criterion is required."""
    scores, problems = [], []
    for c in section_rubric.criteria:
        points, na = values.get(c.code, (None, False))
        if na:
            scores.append(CriterionScore(c.code, None, c.max, True))
            continue
        if points is None:
            problems.append(f"“{c.title}”未打分。")
        elif not 0 <= points <= c.max:
            problems.append(f"“{c.title}”的分数应在0–{c.max:g}之间。")
        scores.append(CriterionScore(c.code, points, c.max, False))
    if problems:
        raise InvalidInput("".join(problems), code="criteria")
    return scores


_UNREAD = object()


def save(assignment: Assignment, values: dict, comment: str, *, version: int | None, actor,
         submit: bool, review=_UNREAD) -> Review:  # fmt: skip
    """Save the score sheet as a draft, or submit it (then it is locked). ``review``: the
    assignment's review (or None) when the caller has read it in this transaction already."""
    _check_owner(assignment, actor)
    rubric = _app_rubric(assignment.application)  # read once: the section's, the review mode
    section_rubric = rubric.section(assignment.section.key)
    if review is _UNREAD:
        review = review_of(assignment)
    comment = (comment or "").strip()
    if review is not None and review.status == "submitted":
        if submit and _same(review, values, comment):
            return review  # a double submit changes nothing
        raise DomainError("该评分已提交并锁定；如需修改请联系省厅协调员重新开放。", code="locked")
    if assignment.status not in ("assigned", "reopened"):
        raise DomainError("该评审任务已不在您名下（已回避或已撤销）。", code="not_active")
    if rubric.review_mode != "meeting":  # 会议评审 (is_meeting_review): identified, not anonymised
        check_distributable(assignment.section)  # its anonymisation is under review: no score
    if review is not None and version is not None and review.version != version:
        raise StaleReview()
    scores = _validated(section_rubric, values) if submit else _lenient(section_rubric, values)
    if submit and len(comment) < MIN_COMMENT:
        raise InvalidInput(f"请填写评审意见（至少{MIN_COMMENT}字）。", code="comment")
    if len(comment) > 3000:
        raise InvalidInput("评审意见不能超过3000字。", code="comment")
    new = review is None
    if new:  # its scores are inserted once it has an id (below)
        review = Review(assignment_id=assignment.id, status="draft", comment="")
        db.session.add(review)
    else:
        by_code = {s.criterion_code: s for s in review.scores}
        for s in scores:
            row = by_code.get(s.code)
            if row is None:
                row = ReviewScore(criterion_code=s.code)
                review.scores.append(row)
            row.points, row.not_applicable = s.points, s.not_applicable
    review.comment = comment
    complete = all(s.not_applicable or s.points is not None for s in scores)
    review.total = review_total(scores, section_rubric.max) if complete else None
    if submit:
        review.status = "submitted"
        review.submitted_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as err:  # another session saved in between: the version moved on
        raise StaleReview() from err
    if submit:
        # One statement, outside the unit of work (which would bring in every mapper the
        # assignment refers to); the review flushed just now has already marked the track's
        # stored aggregates invalid (``stored.note_changes``). The loaded row is set to match.
        now = utcnow()
        db.session.connection().execute(
            _ASSIGNMENT_SUBMITTED, {"assignment_id": assignment.id, "updated_at": now}
        )
        set_committed_value(assignment, "status", "submitted")
        set_committed_value(assignment, "updated_at", now)
    if new:
        # One executemany in criterion order, after the flush that gave the review its id (the
        # ORM would insert them one by one on SQLite, each with RETURNING, for ids nothing here
        # needs); ``review.scores`` loads them when read.
        db.session.connection().execute(_SCORE_INSERT, [
            {"review_id": review.id, "criterion_code": s.code, "points": s.points,
             "not_applicable": s.not_applicable} for s in scores
        ])  # fmt: skip
    # Written by the transaction's next flush (the next save's, or its commit's): a flush of
    # its own would cost more than the save's other statements together.
    audit.record(
        "review.submit" if submit else "review.save", "review", review.id, actor=actor,
        after={"assignment": assignment.id, "total": review.total, "status": review.status},
        flush=False,
    )  # fmt: skip
    if submit:
        after_submit(assignment.section, rubric)
    return review


def _lenient(section_rubric, values: dict) -> list[CriterionScore]:
    """A draft keeps whatever is typed, but never a value out of range."""
    out = []
    for c in section_rubric.criteria:
        points, na = values.get(c.code, (None, False))
        if points is not None and not 0 <= points <= c.max:
            raise InvalidInput(f"“{c.title}”的分数应在0–{c.max:g}之间。", code="criteria")
        out.append(CriterionScore(c.code, None if na else points, c.max, bool(na)))
    return out


def _same(review: Review, values: dict, comment: str) -> bool:
    stored = {s.criterion_code: (None if s.points is None else float(s.points), s.not_applicable)
              for s in review.scores}  # fmt: skip
    given = {code: (None if na else (None if p is None else float(p)), bool(na))
             for code, (p, na) in values.items()}  # fmt: skip
    return stored == given and review.comment == comment


@cache
def _section_reviews_statement():
    """Built once, as the statements below (building one cost more than running it)."""
    return (
        select(Assignment, Review)
        .join(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.section_id == bindparam("section_id"),
            Review.status == "submitted",
            Assignment.status == "submitted",
        )
        .order_by(Assignment.id)  # the order the stored aggregates add them up in
    )


def section_reviews(section: Section) -> list[SectionReview]:
    rows = db.session.execute(_section_reviews_statement(), {"section_id": section.id}).all()
    return submitted_reviews(section, rows)


def submitted_reviews(section: Section, rows) -> list[SectionReview]:
    """The submitted reviews among ``rows`` ((Assignment, Review) pairs of ``section``, in
    assignment order), as the aggregation takes them."""
    maximum = rubric_section(section).max
    return [
        SectionReview(a.expert_id, section.key, section.application_id, float(r.total), maximum)
        for a, r in rows
        if r.status == "submitted" and a.status == "submitted"
    ]


@cache
def _application_reviews_statement():
    """Every active assignment of an application with its review's status and total (none
    without a review), in assignment order."""
    return (
        select(Assignment.section_id, Assignment.expert_id, Assignment.status,
               Review.status.label("review_status"), Review.total)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(
            Assignment.application_id == bindparam("application_id"),
            # not ``in_``: its expanding parameter would render the statement at each run
            or_(*(Assignment.status == s for s in ACTIVE_ASSIGNMENT_STATUSES)),
        )
        .order_by(Assignment.id)  # the order the stored aggregates add them up in
    )  # fmt: skip


def after_submit(section: Section, rubric=None) -> None:
    """Aggregate a fully reviewed section; flag it when reviewers disagree; complete the
    application when nothing is missing. While a review of the section is still out there is
    nothing to aggregate and the application cannot be complete: nothing more is asked.
    ``rubric``: the application's, when the caller has it.

    One query reads the application's active assignments and reviews: the section's give its
    reviews (as ``section_reviews``); while one of the application's reviews is not submitted
    the transition table is not asked (its guard ``all_reviews_submitted`` would refuse)."""
    # Plain rows, no ORM loading and no autoflush: the save has flushed what this reads (only
    # its audit event may be pending).
    rows = db.session.connection().execute(
        _application_reviews_statement(), {"application_id": section.application_id}
    ).all()  # fmt: skip
    mine = [r for r in rows if r.section_id == section.id]
    if not mine or any(r.status != "submitted" for r in mine):
        return
    if rubric is None:
        rubric = _app_rubric(section.application)
    settings = rubric.aggregation
    maximum = rubric.section(section.key).max
    reviews = [
        SectionReview(r.expert_id, section.key, section.application_id, float(r.total), maximum)
        for r in mine
        if r.review_status == "submitted"
    ]
    result = aggregate_section(
        reviews,
        trim_when_at_least=settings.trim_when_at_least,
        dispersion_range=settings.dispersion_range,
        dispersion_deviation=settings.dispersion_deviation,
    )
    if result.flagged:
        _raise_flag(section, result)
    if all(r.review_status == "submitted" for r in rows):
        maybe_complete(section.application)


def _raise_flag(section: Section, result) -> None:
    existing = db.session.execute(
        select(DispersionFlag).where(
            DispersionFlag.section_id == section.id, DispersionFlag.status == "open"
        )
    ).scalar_one_or_none()
    if existing is not None:
        return
    flag = DispersionFlag(
        application_id=section.application_id, section_id=section.id,
        spread=round(result.range, 2),
        threshold=_app_rubric(section.application).aggregation.dispersion_range,
        status="open", resolution="；".join(result.reasons),
    )  # fmt: skip
    db.session.add(flag)
    db.session.flush()
    audit.record(
        "review.dispersion_flag", "application", section.application_id, actor=SYSTEM_ACTOR,
        after={"section": section.key, "range": flag.spread, "reasons": result.reasons},
    )  # fmt: skip


def maybe_complete(app: Application) -> bool:
    """Fire complete_scoring as the system actor when the transition table allows it (its
    state, its roles and its guards: the machine is asked, nothing is restated here)."""
    if refusal(app, "complete_scoring", SYSTEM_ACTOR):
        return False
    fire(app, "complete_scoring", SYSTEM_ACTOR)
    return True


def reopen(review: Review, reason: str, actor) -> None:
    """The coordinator reopens a submitted review (audited); a scored application goes back."""
    require(can_reopen_review(actor), "只有省厅协调员可以重新开放评分。")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("重新开放评分必须填写理由。")
    if review.status != "submitted":
        raise InvalidInput("只有已提交的评分可以重新开放。")
    app = review.assignment.application
    if app.state == "scored":
        fire(app, "reopen_scoring", actor, reason=reason)
    elif app.state != "expert_assigned":
        raise InvalidInput("该申报已进入后续环节，不能重新开放评分。")
    review.status = "draft"
    review.assignment.status = "reopened"
    db.session.flush()
    audit.record("review.reopen", "review", review.id, actor=actor, reason=reason)


def resolve_flag(flag: DispersionFlag, mode: str, reason: str, reviewer_ids: list[int],
                 actor) -> None:  # fmt: skip
    """复议: either reopen the chosen reviewers' reviews for re-scoring, or record a consensus."""
    require(can_resolve_flag(actor), "只有省厅协调员可以处理复议。")
    reason = (reason or "").strip()
    if flag.status != "open":
        raise InvalidInput("该复议已处理。", "resolved")
    if not reason:
        raise InvalidInput("请填写复议说明。", "reason")
    if mode == "rescore":
        reviews = db.session.execute(
            select(Review).join(Assignment).where(
                Assignment.section_id == flag.section_id,
                Assignment.expert_id.in_(reviewer_ids),
                Review.status == "submitted",
            )
        ).scalars().all()  # fmt: skip
        if not reviews:
            raise InvalidInput("请选择需要重新评分的专家。", "reviewers")
        for review in reviews:
            review.status = "draft"
            review.assignment.status = "reopened"
        flag.status = "rescored"
    elif mode == "consensus":
        flag.status = "consensus"
    else:
        raise InvalidInput("无效的复议方式。", "mode")
    flag.resolution = reason
    db.session.flush()
    audit.record(
        f"review.flag_{mode}", "application", flag.application_id, actor=actor, reason=reason,
        after={"section_id": flag.section_id, "reviewers": reviewer_ids},
    )  # fmt: skip
    maybe_complete(flag.application)


def application_breakdown(app: Application) -> dict:
    """Per scored section: each reviewer's total and the aggregate; the weighted score. With
    calibration the aggregates, scores and biases are the track's stored ones
    (``track_results``: no refit per request); without, the application's own sections are
    aggregated (the same figures: ``tests/scoring/test_stored.py``)."""
    rubric = rubric_for(app.track_code, app.program)
    settings = rubric.aggregation
    weights = {s.key: s.weight for s in rubric.sections}
    maxima = {s.key: s.max for s in rubric.sections}
    if not settings.calibration:
        # No bias needed: this application's sections alone, as stored (reading the track's
        # stored figures costs more than aggregating a dozen sections).
        total, calibrated, biases = _own_score(app, rubric, weights, maxima), None, None
    else:
        results = track_results(app.program_id, app.track_code)
        empty = application_score({}, weights, maxima, application_id=app.id)
        total, calibrated = results.scores.get(app.id, (empty, None))
        if calibrated is None:  # no submitted review yet
            calibrated = application_score({}, weights, maxima, application_id=app.id,
                                           calibrated=True)  # fmt: skip
        biases = results.biases
    aggregates = total.sections
    sections = []
    for spec in scored_sections(app.track_code):
        section = app.section(spec.key)
        if section is None:
            continue
        rows = db.session.execute(
            select(Assignment, Review)
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.section_id == section.id)
            .order_by(Assignment.id)
        ).all()
        sections.append(
            {"section": section, "rubric": rubric.section(spec.key), "rows": rows,
             "aggregate": aggregates.get(spec.key)}
        )  # fmt: skip
    return {"sections": sections, "score": total, "calibrated": calibrated,
            "biases": biases}  # fmt: skip


def _own_score(app: Application, rubric, weights: dict, maxima: dict):
    """The application's raw score from its own sections' submitted reviews (no calibration),
    computed as the stored aggregates are (reviews by assignment id)."""
    settings = rubric.aggregation
    aggregates = {}
    for spec in scored_sections(app.track_code):
        section = app.section(spec.key)
        reviews = section_reviews(section) if section is not None else []
        if reviews:
            aggregates[spec.key] = aggregate_section(
                reviews, trim_when_at_least=settings.trim_when_at_least,
                dispersion_range=settings.dispersion_range,
                dispersion_deviation=settings.dispersion_deviation,
            )  # fmt: skip
    return application_score(aggregates, weights, maxima, application_id=app.id)


def track_results(program_id: int, track_code: str) -> stored.TrackResults:
    """The track's aggregates and biases, stored (recomputed first when a review changed)."""
    return stored.track_results(program_id, track_code, rubric_for(track_code, program_id))


def track_reviews(program_id: int, track_code: str) -> dict[str, list[SectionReview]]:
    """Every submitted review of a program's track, by panel (section group), in one query."""
    return stored.track_reviews(program_id, track_code, rubric_for(track_code, program_id))


def fit_biases(by_group: dict[str, list[SectionReview]], track_code: str, program_id: int):
    return stored.fit_biases(by_group, rubric_for(track_code, program_id))


def panel_biases(app: Application) -> dict[str, dict[int, float]]:
    """Leniency per reviewer, fitted by least squares within each panel (section group) of the
    application's track over every submitted review of the program (stored)."""
    return track_results(app.program_id, app.track_code).biases


def track_scores(program_id: int, track_code: str) -> dict[int, tuple]:
    """Every application of a track with submitted reviews: ``(raw, calibrated)`` as
    ``ApplicationScore`` pairs, from the stored aggregates (the decision run needs both to try
    calibration on and off)."""
    return track_results(program_id, track_code).scores


def recomputed_track_scores(program_id: int, track_code: str) -> dict[int, tuple]:
    """``track_scores`` computed from the reviews now, ignoring what is stored."""
    return stored.compute_track(program_id, track_code, rubric_for(track_code, program_id)).scores


def sheet_tasks(expert) -> list:
    """The expert's assignments that can still be scored, for the offline sheet."""
    rows = db.session.execute(
        select(Assignment)
        .where(Assignment.expert_id == expert.id, Assignment.status.in_(("assigned", "reopened")))
        .order_by(Assignment.id)
    ).scalars().all()  # fmt: skip
    tasks = []
    for a in rows:
        if expert_refusal(a.section):
            continue  # hidden while its anonymisation is under review
        review = review_of(a)
        points = {}
        if review is not None:
            points = {s.criterion_code: (None if s.points is None else float(s.points),
                                         s.not_applicable) for s in review.scores}  # fmt: skip
        tasks.append(SheetTask(a.id, a.application.anon_code, a.section.title,
                               list(rubric_section(a.section).criteria), points,
                               review.comment if review else ""))  # fmt: skip
    return tasks


class SheetRejected(DomainError):
    """An uploaded score sheet with errors: nothing of it is applied; ``errors`` lists them."""

    status = 400

    def __init__(self, errors: list[str]):
        super().__init__(f"评分表有{len(errors)}处错误，未保存任何内容。", code="sheet")
        self.errors = errors


def apply_sheet(expert, data: bytes, actor, *, submit: bool) -> int:
    """Apply an uploaded sheet: every task saved (or submitted), or, on any error, SheetRejected
    (the caller rolls back, so nothing is kept). Returns the number of tasks applied."""
    tasks = {t.assignment_id: t for t in sheet_tasks(expert)}
    parsed = read_sheet(data, tasks)
    if not parsed.errors:  # every comment that can leave the panel: no identifier in it
        parsed.errors += comment_leaks(parsed, tasks)
    if parsed.errors:
        raise SheetRejected(parsed.errors)
    errors, applied = [], 0
    for task_id in sorted(set(parsed.values) | set(parsed.comments)):
        assignment = db.session.get(Assignment, task_id)
        values = parsed.values.get(task_id, {})
        comment = parsed.comments.get(task_id, tasks[task_id].comment)
        if not values and not comment:
            continue
        try:
            save(assignment, values, comment, version=None, actor=actor, submit=submit)
            applied += 1
        except DomainError as err:
            errors.append(
                f"任务{task_id}（{tasks[task_id].code} {tasks[task_id].section_title}）：{err.message}"
            )
    if errors:
        raise SheetRejected(errors)
    return applied
