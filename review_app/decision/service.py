"""Decision verbs: gather the candidates of a track with every number behind them, stage a run,
try what-if parameters, confirm (every application of the track admitted or rejected in one
transaction; the run frozen), and build the rows the exports and letters are made of."""

import re
from dataclasses import asdict, replace

from sqlalchemy import select

from ..applications.models import Application
from ..applications.service import track_applications
from ..audit import service as audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..forms_numeric import NumberError, parse_decimal, parse_int
from ..inspection.models import VERDICTS, Inspection
from ..programs.models import Program
from ..scoring.service import rubric_for, track_scores
from ..workflow.service import fire
from ..workflow.states import ENDORSED_STATES, IN_REVIEW_STATES, RESULT_STATES
from .engine import Candidate, DecisionParams, Result, compare, decide
from .exports import ResultRow, RunSummary
from .models import DecisionEntry, DecisionRun
from .permissions import require_decide

HONOUR_SPLIT = re.compile(r"[、，,；;/／\n]+")
NO_HONOURS = {"无", "没有", "否", "-", "—"}


def honours_of(text: str | None) -> tuple[str, ...]:
    parts = (p.strip() for p in HONOUR_SPLIT.split(text or ""))
    return tuple(p for p in parts if p and p not in NO_HONOURS)


def gather(program: Program, track: str) -> tuple[list[Candidate], dict[int, Application]]:
    """The track's candidates as the engine sees them, and the applications by id."""
    apps = [
        a
        for a in track_applications(program, track, ENDORSED_STATES)
        if a.state in IN_REVIEW_STATES
    ]
    scores = track_scores(program.id, track)
    inspections = {
        i.application_id: i
        for i in db.session.execute(
            select(Inspection).where(Inspection.application_id.in_([a.id for a in apps]))
        ).scalars()
    }
    out = []
    for a in apps:
        raw, calibrated = scores.get(a.id, (None, None))
        inspection = inspections.get(a.id)
        out.append(
            Candidate(
                application_id=a.id,
                anon_code=a.anon_code,
                prefecture=a.prefecture.name,
                priority_rank=a.priority_rank,
                raw_score=raw.score if raw is not None and not raw.missing else None,
                calibrated_score=(
                    calibrated.score if calibrated is not None and not calibrated.missing else None
                ),
                honours=honours_of(a.honours),
                maturity_level=a.maturity_level,
                inspection=(None if inspection is None else inspection.verdict or "pending"),
                deduction=float(inspection.deduction or 0) if inspection else 0.0,
                state=a.state,
                section_scores=(
                    {k: round(v.raw_mean, 2) for k, v in raw.sections.items()} if raw else {}
                ),
            )
        )
    return out, {a.id: a for a in apps}


def default_params(program: Program, track: str) -> DecisionParams:
    rubric = rubric_for(track, program)
    t = program.track(track)
    settings = (program.settings or {}).get("decision", {}).get(track, {})
    return DecisionParams(
        capacity=int(settings.get("capacity", t.capacity)),
        min_score=float(settings.get("min_score", t.min_score or 0)),
        use_calibration=bool(settings.get("use_calibration", rubric.aggregation.calibration)),
        honours_mode=rubric.honours.mode,
        honours_bonus=rubric.honours.bonus_points,
        deduction_mode=rubric.inspection.deduction_mostly_true,
        max_deduction=rubric.inspection.max_deduction,
        veto_untrue=rubric.inspection.veto_untrue,
        track_name=t.name,
    )


def params_with(base: DecisionParams, form: dict) -> DecisionParams:
    """``base`` with the what-if fields a coordinator may change (capacity, minimum score,
    calibration); a bad number gets a Chinese error."""
    changes: dict = {}
    try:
        capacity = parse_int(form.get("capacity"))
    except NumberError:
        raise InvalidInput("入库名额须为整数。") from None
    try:
        min_score = parse_decimal(form.get("min_score"))  # NaN, Infinity, 1e309: refused
    except NumberError:
        raise InvalidInput("最低分数线须为有限的数字。") from None
    if capacity is not None:
        changes["capacity"] = capacity
    if min_score is not None:
        changes["min_score"] = float(min_score)
    if "use_calibration" in form:
        changes["use_calibration"] = str(form["use_calibration"]) in ("1", "true", "on", "y")
    return replace(base, **changes)


def run_of(program: Program, track: str, status: str) -> DecisionRun | None:
    return db.session.execute(
        select(DecisionRun)
        .where(
            DecisionRun.program_id == program.id,
            DecisionRun.track_code == track,
            DecisionRun.status == status,
        )
        .order_by(DecisionRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def evaluate(program: Program, track: str, params: DecisionParams) -> Result:
    candidates, _ = gather(program, track)
    return decide(candidates, params)


def what_if(program: Program, track: str, params: DecisionParams):
    """The result with ``params`` and who crosses the cut line against the staged run (or,
    without one, against the default parameters). Writes nothing."""
    candidates, _ = gather(program, track)
    staged = run_of(program, track, "staged")
    base = DecisionParams(**staged.parameters) if staged else default_params(program, track)
    before, after = decide(candidates, base), decide(candidates, params)
    return after, compare(before, after), base


def stage(program: Program, track: str, params: DecisionParams, actor) -> DecisionRun:
    """Store the ranking with ``params`` as the track's staged run (replacing an earlier one)."""
    require_decide(actor)
    if run_of(program, track, "confirmed") is not None:
        raise DomainError("本赛道的入库决定已确认，不能再暂存新的排名。", "decision_frozen")
    result = evaluate(program, track, params)
    for old in db.session.execute(
        select(DecisionRun).where(
            DecisionRun.program_id == program.id,
            DecisionRun.track_code == track,
            DecisionRun.status == "staged",
        )
    ).scalars():
        db.session.delete(old)
    db.session.flush()
    run = DecisionRun(
        program_id=program.id, track_code=track, status="staged", parameters=asdict(params),
        summary=_summary(result), created_by_id=getattr(actor, "id", None),
        entries=[
            DecisionEntry(
                application_id=e.application_id, rank=e.rank or 0, score=e.final_score,
                outcome=e.outcome, numbers={**e.numbers, "reason": e.reason,
                                            "tiebreak": e.tiebreak, "rank": e.rank},
                explanation=e.explanation,
            )
            for e in result.entries
        ],
    )  # fmt: skip
    db.session.add(run)
    db.session.flush()
    audit.record(
        "decision.stage", "decision_run", run.id, actor=actor,
        after={"track": track, "params": asdict(params), **run.summary},
    )  # fmt: skip
    return run


def _summary(result: Result) -> dict:
    return {
        "candidates": len(result.entries),
        "admitted": result.admitted,
        "cut_rank": result.cut_rank,
        "cut_score": result.cut_score,
        "blocking": list(result.blocking),
        "vetoed": sum(1 for e in result.entries if e.reason == "vetoed"),
    }


def _stored(entries: list[DecisionEntry]) -> list[tuple]:
    return sorted(
        (e.application_id, e.outcome, e.numbers.get("rank"),
         None if e.score is None else round(float(e.score), 2))
        for e in entries
    )  # fmt: skip


def _fresh(result: Result) -> list[tuple]:
    return sorted((e.application_id, e.outcome, e.rank, e.final_score) for e in result.entries)


def confirm(run: DecisionRun, actor) -> bool:
    """Propose (拟入库) or not select every application of the run in one transaction and freeze
    the run. Confirming a confirmed run does nothing (returns False)."""
    require_decide(actor)
    if run.status == "confirmed":
        return False
    program = db.session.get(Program, run.program_id)
    if run_of(program, run.track_code, "confirmed") is not None:
        raise DomainError("本赛道已有确认的入库决定。", "decision_frozen")
    result = evaluate(program, run.track_code, DecisionParams(**run.parameters))
    if result.blocking:
        raise DomainError("暂不能确认：" + "；".join(result.blocking), "decision_blocked")
    if _fresh(result) != _stored(run.entries):
        raise DomainError(
            "暂存之后评分或抽查结果有变化，排名已不同，请重新暂存后再确认。", "decision_stale"
        )
    apps = {a.id: a for a in track_applications(program, run.track_code, ENDORSED_STATES)}
    # Not selected first so that proposals never meet a full track by accident. The result is
    # a proposal (拟入库); it becomes final only at 正式发文 (publicity/issue.py).
    for entry in sorted(result.entries, key=lambda e: e.outcome != "rejected"):
        app = apps[entry.application_id]
        if entry.outcome == "admitted":
            fire(app, "propose", actor, reason=entry.explanation)
        else:
            fire(app, "not_select", actor, reason=entry.explanation)
    run.status = "confirmed"
    run.confirmed_by_id = getattr(actor, "id", None)
    run.confirmed_at = utcnow()
    db.session.flush()
    audit.record(
        "decision.confirm", "decision_run", run.id, actor=actor,
        after={"track": run.track_code, **run.summary},
    )  # fmt: skip
    return True


# ------------------------------------------------------------------------------- rows


INSPECTION_LABELS = {None: "未抽查", "pending": "待核查", **VERDICTS}


def latest_run(program: Program, track: str) -> DecisionRun | None:
    return run_of(program, track, "confirmed") or run_of(program, track, "staged")


def run_summary(program: Program, run: DecisionRun) -> RunSummary:
    p = run.parameters
    s = run.summary or {}
    confirmed_by = None
    if run.confirmed_by_id:
        user = db.session.get(User, run.confirmed_by_id)
        confirmed_by = user.display_name if user else None
    inspected = sum(1 for e in run.entries if e.numbers.get("inspection") not in (None,))
    return RunSummary(
        program_name=program.name, track=run.track_code, track_name=p.get("track_name", ""),
        capacity=p["capacity"], min_score=p["min_score"], use_calibration=p["use_calibration"],
        honours_mode=p["honours_mode"], candidates=s.get("candidates", len(run.entries)),
        admitted=s.get("admitted", 0), vetoed=s.get("vetoed", 0), inspected=inspected,
        cut_rank=s.get("cut_rank"), cut_score=s.get("cut_score"), confirmed_by=confirmed_by,
        confirmed_at=(run.confirmed_at.strftime("%Y-%m-%d %H:%M") if run.confirmed_at
                      else None),
        run_id=run.id,
    )  # fmt: skip


def result_rows(run: DecisionRun) -> list[ResultRow]:
    rows = []
    for e in run.entries:
        a, n = e.application, e.numbers
        rows.append(
            ResultRow(
                track=run.track_code,
                track_name=run.parameters.get("track_name", ""),
                rank=n.get("rank"),
                anon_code=a.anon_code,
                enterprise=a.enterprise.name,
                uscc=a.enterprise.uscc,
                prefecture=a.prefecture.name,
                prefecture_order=a.prefecture.sort_order,
                priority_rank=a.priority_rank,
                raw_score=n.get("raw"),
                calibrated_score=n.get("calibrated"),
                final_score=None if e.score is None else float(e.score),
                section_scores=n.get("section_scores", {}),
                honours=a.honours or "",
                maturity_level=a.maturity_level,
                inspection=INSPECTION_LABELS.get(n.get("inspection"), "未抽查"),
                deduction=float(n.get("deduction") or 0),
                outcome=a.state if a.state in RESULT_STATES else e.outcome,
                explanation=e.explanation,
            )  # fmt: skip
        )
    return rows


def entry_for(app: Application) -> DecisionEntry | None:
    """The application's entry in its track's confirmed run."""
    return db.session.execute(
        select(DecisionEntry)
        .join(DecisionRun, DecisionRun.id == DecisionEntry.run_id)
        .where(DecisionEntry.application_id == app.id, DecisionRun.status == "confirmed")
    ).scalar_one_or_none()
