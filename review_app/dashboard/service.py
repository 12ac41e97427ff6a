"""What each role's dashboard shows, read in a few grouped queries (no per-row queries)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..applications.catalogue import GROUP_NAMES
from ..applications.models import Application, Section
from ..applications.service import provisional_ranking
from ..assignment.models import Assignment
from ..clock import china_date
from ..decision.models import ResultNotice
from ..decision.service import latest_run
from ..draws.service import notice_statements
from ..experts.models import Expert, Panel
from ..extensions import db
from ..inspection.models import Inspection, InspectionInspector
from ..programs.models import TRACK_NAMES, TRACKS, Prefecture, Program
from ..scoring import service as scoring
from ..scoring.models import DispersionFlag, Review
from ..workflow.states import (
    BEFORE_ENDORSEMENT_STATES,
    ENDORSED_STATES,
    SCORING_STATES,
    STATE_NAMES,
)


def state_counts(
    program: Program, prefecture_id: int | None = None, state=Application.state
) -> dict[str, dict[str, int]]:
    """Applications per track and state (``{"excellent": {"scored": 12, …}, …}``); ``state`` is
    the column counted (``decision.visibility.state_column`` for a viewer who may not see
    results yet)."""
    query = (
        select(Application.track_code, state, func.count(Application.id))
        .where(Application.program_id == program.id)
        .group_by(Application.track_code, state)
    )
    if prefecture_id is not None:
        query = query.where(Application.prefecture_id == prefecture_id)
    out: dict[str, dict[str, int]] = {t: {} for t in TRACKS}
    for track, state, n in db.session.execute(query).all():
        out.setdefault(track, {})[state] = n
    return out


@dataclass
class QuotaRow:
    prefecture: Prefecture
    track: str
    quota: int | None
    endorsed: int  # counted against the quota: endorsed or beyond
    waiting: int  # submitted or returned, not yet endorsed


def quota_rows(
    program: Program, prefecture_id: int | None = None, every: bool = False
) -> list[QuotaRow]:
    """Quota use per prefecture and track; ``every``: also the pairs with no quota and nothing
    submitted (the API lists every prefecture and track)."""
    query = (
        select(Application.prefecture_id, Application.track_code, Application.state,
               func.count(Application.id))
        .where(Application.program_id == program.id)
        .group_by(Application.prefecture_id, Application.track_code, Application.state)
    )  # fmt: skip
    if prefecture_id is not None:
        query = query.where(Application.prefecture_id == prefecture_id)
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for pid, track, state, n in db.session.execute(query).all():
        if state in ENDORSED_STATES:
            counts[(pid, track)][0] += n
        elif state in BEFORE_ENDORSEMENT_STATES:
            counts[(pid, track)][1] += n
    prefectures = db.session.execute(
        select(Prefecture).order_by(Prefecture.sort_order)
    ).scalars()  # fmt: skip
    rows = []
    for p in prefectures:
        if prefecture_id is not None and p.id != prefecture_id:
            continue
        for track in TRACKS:
            endorsed, waiting = counts.get((p.id, track), (0, 0))
            quota = program.quota_for(p.id, track)
            if quota is None and not (endorsed or waiting) and not every:
                continue
            rows.append(QuotaRow(p, track, quota, endorsed, waiting))
    return rows


@dataclass
class PanelProgress:
    name: str
    track: str
    counts: dict[str, int] = field(default_factory=lambda: {"submitted": 0, "draft": 0,
                                                             "assigned": 0})  # fmt: skip
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def panel_progress(program: Program, today: date) -> list[PanelProgress]:
    """Per panel: submitted, started (a draft saved), not started; overdue tasks."""
    rows = db.session.execute(
        select(Panel.name, Application.track_code, Assignment.status, Review.status,
               Assignment.due_date)
        .join(Application, Application.id == Assignment.application_id)
        .outerjoin(Panel, Panel.id == Assignment.panel_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Application.program_id == program.id,
               Assignment.status.in_(("assigned", "submitted", "reopened")))
    ).all()  # fmt: skip
    panels: dict[str, PanelProgress] = {}
    for name, track, status, review_status, due in rows:
        name = name or "（未编组）"
        entry = panels.setdefault(f"{track}:{name}", PanelProgress(name, track))
        key = ("submitted" if status == "submitted"
               else "draft" if review_status == "draft" else "assigned")  # fmt: skip
        entry.counts[key] += 1
        if key != "submitted" and due is not None and due < today:
            entry.overdue += 1
    return sorted(panels.values(), key=lambda p: (TRACKS.index(p.track), p.name))


def open_flags(program: Program) -> int:
    return db.session.scalar(
        select(func.count(DispersionFlag.id))
        .join(Application, Application.id == DispersionFlag.application_id)
        .where(Application.program_id == program.id, DispersionFlag.status == "open")
    )


def inspections_pending(program: Program, inspector_id: int | None = None) -> list[Inspection]:
    query = (
        select(Inspection)
        .join(Application, Application.id == Inspection.application_id)
        .where(Application.program_id == program.id, Inspection.verdict.is_(None))
        .order_by(Application.anon_code)
    )
    if inspector_id is not None:
        query = query.join(InspectionInspector).where(InspectionInspector.user_id == inspector_id)
    return list(db.session.execute(query).scalars())


@dataclass
class ExpertWork:
    expert: Expert | None
    open: list[Assignment]
    done: int
    overdue: int
    next_due: date | None


@cache
def _expert_work_statements():
    """Built once (building the alias and the eager-load options costs more than the query)."""
    submitted = aliased(Assignment)
    done = (
        select(func.count(submitted.id))
        .where(submitted.expert_id == Expert.id, submitted.status == "submitted")
        .scalar_subquery()
    )
    tasks = (
        select(Assignment, done)
        .join(Expert, Expert.id == Assignment.expert_id)
        .where(Expert.user_id == bindparam("user_id"),
               Assignment.status.in_(("assigned", "reopened")))
        .options(
            contains_eager(Assignment.expert),
            joinedload(Assignment.application).load_only(
                Application.anon_code, Application.track_code, Application.state,
                Application.version,
            ),
            joinedload(Assignment.section).load_only(
                Section.application_id, Section.key, Section.title, Section.leak_status
            ),
        )
        .order_by(Assignment.due_date, Assignment.id)
    )  # fmt: skip
    expert = select(Expert, done).where(Expert.user_id == bindparam("user_id"))
    return tasks, expert


def expert_work(user_id: int, today: date) -> ExpertWork:
    """The expert's open tasks in one query: the expert joined in, the number of submitted tasks
    counted alongside, and for each open task the anonymous code of its application and the
    title of its section (not their texts)."""
    tasks, expert_only = _expert_work_statements()
    rows = db.session.execute(tasks, {"user_id": user_id}).all()
    if rows:
        expert, n_done = rows[0][0].expert, rows[0][1]
    else:  # nothing open: is there an expert profile at all, and what has it submitted?
        found = db.session.execute(expert_only, {"user_id": user_id}).first()
        if found is None:
            return ExpertWork(None, [], 0, 0, None)
        expert, n_done = found
    open_ = [a for a, _ in rows]
    dues = [a.due_date for a in open_ if a.due_date is not None]
    return ExpertWork(
        expert, open_, n_done,
        sum(1 for d in dues if d < today), min(dues) if dues else None,
    )  # fmt: skip


def expert_notices(user_id: int) -> tuple[int, bool]:
    """(invitations waiting for the expert's answer, whether the expert signed the current
    program's pledge), in one statement."""
    _, notices = notice_statements()
    pending, signed = db.session.execute(notices, {"user_id": user_id}).one()
    return pending, signed > 0


STATE_ORDER = tuple(STATE_NAMES)


# ------------------------------------------------------------------------------- analysis


def score_distribution(program: Program, track: str) -> dict[str, list[float]]:
    """Every submitted review's section total on the 0–100 scale, by panel name."""
    return {
        GROUP_NAMES.get(group, group): [round(r.percent, 2) for r in reviews]
        for group, reviews in sorted(scoring.track_reviews(program.id, track).items())
    }


def reviewer_leniency(
    program: Program, track: str, group: str
) -> list[tuple[str, list[float], float]]:
    """Per reviewer of one panel: their scores (0–100) and the fitted leniency bias, most lenient
    first. The bias is the additive least-squares estimate the calibration uses."""
    reviews = scoring.track_reviews(program.id, track).get(group, [])
    biases = scoring.track_results(program.id, track).biases.get(group, {})  # stored
    names = dict(
        db.session.execute(
            select(Expert.id, Expert.name).where(Expert.id.in_({r.reviewer_id for r in reviews}))
        ).all()
    )
    per: dict[int, list[float]] = defaultdict(list)
    for r in reviews:
        per[r.reviewer_id].append(round(r.percent, 2))
    rows = [(names.get(rid, str(rid)), scores, round(biases.get(rid, 0.0), 2))
            for rid, scores in per.items()]  # fmt: skip
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def review_progress(program: Program) -> list[tuple[str, list[tuple[str, float]]]]:
    """Cumulative submitted reviews per day (Beijing dates), one series per track."""
    rows = db.session.execute(
        select(Application.track_code, Review.submitted_at)
        .join(Assignment, Assignment.id == Review.assignment_id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Application.program_id == program.id, Review.status == "submitted",
               Review.submitted_at.is_not(None))
    ).all()  # fmt: skip
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for track, moment in rows:
        per_day[track][china_date(moment).isoformat()] += 1
    series = []
    for track in TRACKS:
        days = sorted(per_day.get(track, {}))
        total, points = 0, []
        for day in days:
            total += per_day[track][day]
            points.append((day, float(total)))
        if points:
            series.append((TRACK_NAMES[track], points))
    return series


def ranking_points(program: Program, track: str):
    """(code, score, admitted) by rank and the cut line: from the track's latest decision run,
    else a provisional ranking of the scored applications by raw score against the capacity."""
    run = latest_run(program, track)
    if run is not None:
        entries = [e for e in run.entries_in_order if e.score is not None and e.rank]
        points = [(e.application.anon_code, float(e.score), e.outcome == "admitted")
                  for e in entries]  # fmt: skip
        summary = run.summary or {}
        label = "已确认" if run.status == "confirmed" else "暂存"
        return points, summary.get("cut_rank"), summary.get("cut_score"), label
    ranked = [
        (a.anon_code, score) for a, score in provisional_ranking(program, track, SCORING_STATES)
    ]
    capacity = program.track(track).capacity
    points = [(code, round(score, 2), rank <= capacity)
              for rank, (code, score) in enumerate(ranked, start=1)]  # fmt: skip
    cut = points[capacity - 1][1] if len(points) >= capacity > 0 else None
    return points, (capacity if cut is not None else None), cut, "按评审得分的临时排名"


def notice_of(program: Program, prefecture_id: int | None) -> ResultNotice | None:
    """The prefecture's released result notice (a draft is the 厅's, not yet theirs)."""
    return db.session.execute(
        select(ResultNotice).where(
            ResultNotice.program_id == program.id, ResultNotice.prefecture_id == prefecture_id,
            ResultNotice.status == "released",
        )
    ).scalar_one_or_none()  # fmt: skip
