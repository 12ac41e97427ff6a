"""Intake verbs: import a 申报书, re-run the format check, correct fields, order priorities.

Each verb changes rows, writes its audit events and flushes; the caller commits once.
"""

import hashlib
from dataclasses import asdict, dataclass

from sqlalchemy import select

from ..anonymise import service as anonymise
from ..applications.models import Application, ApplicationFigure, SourceFile
from ..applications.service import submit_application
from ..audit import service as audit
from ..clock import before_deadline, utcnow
from ..enterprises.models import Enterprise
from ..errors import DomainError, InvalidInput, PermissionDenied
from ..extensions import db
from ..programs import service as programs
from ..programs.models import Prefecture, Program
from ..programs.years import figure_years
from ..similarity.report import similarity_problems
from ..workflow.states import PRIORITY_ORDERED_STATES, STATE_NAMES
from .filecheck import check_docx
from .parsed import BLOCKING, WARNING, ParsedApplication, Problem, UnreadableFile
from .parser import parse_docx
from .permissions import EDITABLE_STATES, can_recommend, edit_refusal
from .records import (
    application_fields,
    enterprise_fields,
    figures_dict,
    parsed_from_records,
    replace_content,
)
from .refusals import attempt, check_scope, duplicate, normalise_uscc
from .validate import validate

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Applications a prefecture puts in its priority order (附件2 按优先次序排名).
ORDERED_STATES = PRIORITY_ORDERED_STATES


def existing_usccs(program: Program, exclude_id: int | None = None) -> set[str]:
    query = (
        select(Enterprise.uscc)
        .join(Application, Application.enterprise_id == Enterprise.id)
        .where(Application.program_id == program.id, Application.state != "withdrawn")
    )
    if exclude_id is not None:
        query = query.where(Application.id != exclude_id)
    return set(db.session.execute(query).scalars())


def prefecture_problems(parsed: ParsedApplication, prefecture: Prefecture) -> list[Problem]:
    """The document's own prefecture against the recommending unit."""
    declared = parsed.enterprise.prefecture
    if declared and declared != prefecture.name:
        return [
            Problem(
                "prefecture_mismatch",
                WARNING,
                "enterprise.prefecture",
                f"申报书填写的所在地市为“{declared}”，推荐单位为“{prefecture.name}”，请核实。",
            )
        ]
    return []


def format_report(
    parsed: ParsedApplication, program: Program, prefecture: Prefecture, exclude_id=None
) -> list[dict]:
    """Parser findings, the notice's checks and the prefecture check, without duplicates."""
    track = parsed.track or "excellent"
    min_level = program.track(track).min_maturity_level
    problems = list(parsed.problems)
    problems += validate(
        parsed, min_maturity_level=min_level, existing_usccs=existing_usccs(program, exclude_id)
    )
    problems += prefecture_problems(parsed, prefecture)
    if exclude_id is not None:  # a stored application: the pairs marked 雷同 (similarity)
        problems += similarity_problems(exclude_id)
    return merge_problems(problems)


def merge_problems(problems: list[Problem]) -> list[dict]:
    """Problems as dicts, one per (code, field), blocking ones first."""
    seen, report = set(), []
    for p in problems:
        if (p.code, p.field) not in seen:
            seen.add((p.code, p.field))
            report.append(asdict(p))
    report.sort(key=lambda p: (p["severity"] != BLOCKING, p["field"]))
    return report


@dataclass(frozen=True)
class ReadUpload:
    """An uploaded 申报书 checked and parsed (``read_upload``), ahead of its import."""

    sha256: str
    filename: str
    years: tuple[int, ...]
    parsed: ParsedApplication


def read_upload(data: bytes, filename: str, years) -> ReadUpload:
    """The safety check and the parse of an upload (pure: a worker process may run it,
    parallel.py). Raises UnreadableFile."""
    check_docx(data, filename)
    parsed = parse_docx(data, years)
    return ReadUpload(hashlib.sha256(data).hexdigest(), filename, tuple(years), parsed)


def import_docx(
    program: Program,
    prefecture: Prefecture,
    data: bytes,
    filename: str,
    actor,
    read: ReadUpload | None = None,
) -> Application:
    """Store one uploaded 申报书 as an application of ``prefecture`` (new, or replacing a
    submitted or returned one of the same enterprise). Raises UnreadableFile or InvalidInput;
    nothing is stored then. A prefecture officer files only their prefecture's enterprises, an
    enterprise of another prefecture's filing is a neutral refusal (``refusals``: both raise
    ``ImportRefused``, which the caller records after rolling back). ``read``: this upload
    already checked and parsed by ``read_upload`` (in a worker), used when it was made from
    these very bytes, name and figure years; the upload is read here otherwise."""
    if can_recommend(actor) and actor.prefecture_id != prefecture.id:
        raise PermissionDenied("只能为本地市上传申报书。")
    digest = hashlib.sha256(data).hexdigest()
    years = tuple(figure_years(program.year))
    if read is None or (read.sha256, read.filename, read.years) != (digest, filename, years):
        read = read_upload(data, filename, years)
    parsed = read.parsed
    if parsed.track not in ("excellent", "leading"):
        raise InvalidInput("申报书未勾选申报类别（卓越级或领航级），或两者都勾选了，无法受理。")
    uscc = parsed.enterprise.uscc = normalise_uscc(parsed.enterprise.uscc)
    if not uscc or not (parsed.enterprise.name or "").strip():
        raise InvalidInput("申报书缺少企业名称或统一社会信用代码，无法受理。")
    details = attempt(actor, prefecture, uscc, parsed.enterprise.prefecture, filename)
    check_scope(uscc, parsed.enterprise.prefecture, prefecture, actor, details)
    existing = db.session.execute(
        select(Application)
        .join(Enterprise)
        .where(Application.program_id == program.id, Enterprise.uscc == uscc)
    ).scalar_one_or_none()
    if existing is not None and existing.prefecture_id != prefecture.id:
        raise duplicate(details, existing.prefecture.name)
    source_file = SourceFile(
        filename=filename[:255],
        content_type=DOCX_TYPE,
        size=len(data),
        sha256=digest,
        data=data,
        uploaded_by_id=actor.id,
        uploaded_at=utcnow(),
    )
    if existing is not None:
        app = _replace(existing, parsed, prefecture, actor)
        app.format_report = format_report(parsed, program, prefecture, exclude_id=app.id)
        app.files.append(source_file)
        db.session.flush()
    else:
        # The report before the application exists: no application of the program has this
        # USCC (that would be ``existing``), so it is the report the stored application would
        # get, and the application, its rows and the file are written by one flush.
        app = submit_application(
            program,
            parsed.track,
            prefecture,
            enterprise_fields(parsed, _prefecture_id(parsed, prefecture)),
            sections=parsed.sections,
            figures=figures_dict(parsed),
            files=[source_file],
            actor=actor,
            format_report=format_report(parsed, program, prefecture),
            **application_fields(parsed),
        )
    audit.record(
        "application.import",
        "application",
        app.id,
        actor=actor,
        after={
            "file": filename,
            "sha256": digest,
            "blocking": sum(1 for p in app.format_report if p["severity"] == BLOCKING),
            "warnings": sum(1 for p in app.format_report if p["severity"] == WARNING),
        },
    )
    return app


def _prefecture_id(parsed: ParsedApplication, fallback: Prefecture) -> int:
    if parsed.enterprise.prefecture == fallback.name:  # the usual case (names are unique)
        return fallback.id
    if parsed.enterprise.prefecture:
        found = db.session.execute(
            select(Prefecture.id).where(Prefecture.name == parsed.enterprise.prefecture)
        ).scalar_one_or_none()
        if found is not None:
            return found
    return fallback.id


def _replace(app: Application, parsed: ParsedApplication, prefecture: Prefecture, actor):
    if app.state not in EDITABLE_STATES:
        raise InvalidInput(
            f"该企业已有申报，当前状态为“{STATE_NAMES[app.state]}”，不能再替换申报书。"
        )
    if parsed.track != app.track_code:
        raise InvalidInput("新申报书的申报类别与已有申报不同；请先撤回原申报。")
    fields = enterprise_fields(parsed, _prefecture_id(parsed, prefecture))
    changed = anonymise.identity_changes(app.enterprise, fields)
    for name, value in fields.items():
        setattr(app.enterprise, name, value)
    confirmed = [s for s in app.sections if s.leak_status == anonymise.DISTRIBUTABLE]
    replace_content(app, parsed)  # every section back to 未处理 (pending)
    app.submitted_at = utcnow()
    db.session.flush()
    if changed:  # the old values stay identifying (anonymise.former_values reads this event)
        audit.record(anonymise.UPDATE_ACTION, "application", app.id, actor=actor, after=changed)
    anonymise.record_unconfirmed(app, confirmed, actor, anonymise.REUPLOAD_REASON)
    if changed:
        anonymise.identity_changed(app, actor)  # the enterprise's other applications
    return app


def run_format_check(app: Application, actor) -> list[dict]:
    """Re-run the format check on the stored records and keep the report (audited)."""
    before = len(app.format_report or [])
    parsed = parsed_from_records(app)
    app.format_report = [
        p
        for p in format_report(parsed, app.program, app.prefecture, exclude_id=app.id)
        # the track is fixed once imported; parser-only findings no longer apply
        if p["code"] not in ("track_missing", "track_ambiguous")
    ]
    audit.record(
        "application.format_check",
        "application",
        app.id,
        actor=actor,
        before={"problems": before},
        after={"problems": len(app.format_report)},
    )
    db.session.flush()
    return app.format_report


def update_fields(app: Application, values: dict, actor) -> Application:
    """A prefecture officer (or coordinator) corrects declared fields; the check re-runs.
    Who may, and when: permissions.can_edit_application. A change of an identifying field
    redacts the sections again and voids their confirmation (anonymise.identity_changed)."""
    refusal = edit_refusal(actor, app)
    if refusal:
        raise PermissionDenied(refusal)
    if values.get("enterprise", {}).get("uscc"):
        values["enterprise"]["uscc"] = new_uscc = normalise_uscc(values["enterprise"]["uscc"])
    else:
        new_uscc = None
    if new_uscc and new_uscc != app.enterprise.uscc:
        _check_new_uscc(app, new_uscc, actor)
    changed = {}
    enterprise = app.enterprise
    for name, value in values.get("enterprise", {}).items():
        if getattr(enterprise, name) != value:
            changed[f"enterprise.{name}"] = [getattr(enterprise, name), value]
            setattr(enterprise, name, value)
    for name, value in values.get("application", {}).items():
        old = getattr(app, name)
        if (float(old) if isinstance(value, float) and old is not None else old) != value:
            changed[name] = [old, value]
            setattr(app, name, value)
    for year, figures in values.get("figures", {}).items():
        row = next((f for f in app.figures if f.year == int(year)), None)
        if row is None:
            row = ApplicationFigure(year=int(year))
            app.figures.append(row)
        for name, value in figures.items():
            old = getattr(row, name)
            if (None if old is None else float(old)) != value:
                changed[f"figures.{year}.{name}"] = [old, value]
                setattr(row, name, value)
    if not changed:
        return app
    db.session.flush()
    audit.record(anonymise.UPDATE_ACTION, "application", app.id, actor=actor, after=changed)
    if anonymise.touches_identity(changed):
        anonymise.identity_changed(app, actor, anonymise.EDIT_REASON)
    run_format_check(app, actor)
    return app


def _check_new_uscc(app: Application, uscc: str, actor) -> None:
    """A corrected credit code obeys the rules of an upload: the officer's own prefecture, and
    no enterprise that already applied in the program (the same neutral refusal)."""
    declared = app.enterprise.prefecture.name if app.enterprise.prefecture else None
    details = attempt(actor, app.prefecture, uscc, declared, f"application {app.id}")
    check_scope(uscc, declared, app.prefecture, actor, details)
    other = db.session.execute(
        select(Application)
        .join(Enterprise)
        .where(
            Application.program_id == app.program_id,
            Enterprise.uscc == uscc,
            Application.id != app.id,
        )
    ).scalar_one_or_none()
    taken = (
        other is not None
        or db.session.execute(
            select(Enterprise.id).where(Enterprise.uscc == uscc, Enterprise.id != app.enterprise_id)
        ).first()
    )
    if taken:
        raise duplicate(details, other.prefecture.name if other else "")


def set_priority_order(prefecture: Prefecture, track: str, ordered_ids: list[int], actor):
    """Rank the prefecture's submitted and endorsed applications on a track (1 is recommended
    first). The order goes to the province with the recommendation, so it is fixed after the
    deadline."""
    program = programs.current_program()  # prefectures file and rank in the program in force
    deadline = program.deadline
    if not before_deadline(deadline):
        raise InvalidInput(f"已过申报截止日期（{deadline:%Y年%m月%d日}），推荐顺序不能再调整。")
    apps = db.session.execute(
        select(Application).where(
            Application.program_id == program.id,
            Application.prefecture_id == prefecture.id,
            Application.track_code == track,
            Application.state.in_(ORDERED_STATES),
        )
    ).scalars()
    by_id = {a.id: a for a in apps}
    if sorted(ordered_ids) != sorted(by_id) or len(set(ordered_ids)) != len(ordered_ids):
        raise InvalidInput("推荐顺序须包含本地市该类别的全部申报，且每项只出现一次。")
    before = {a.id: a.priority_rank for a in by_id.values()}
    for rank, app_id in enumerate(ordered_ids, start=1):
        by_id[app_id].priority_rank = rank
    db.session.flush()
    audit.record(
        "prefecture.priority_order",
        "prefecture",
        prefecture.id,
        actor=actor,
        before={"track": track, "order": before},
        after={"track": track, "order": {a: i for i, a in enumerate(ordered_ids, start=1)}},
    )


def unreadable_message(err: Exception) -> str:
    if isinstance(err, UnreadableFile | DomainError):
        return err.message
    return "无法读取该文件。"
