"""审定 and 公示: the coordinator records the collective approval of a track's proposed list,
then publishes it for objections for N working days. Verbs flush and audit; the caller commits.

Program settings (``program.settings["publicity"]``): ``working_days`` (default 5),
``extra_holidays`` and ``extra_workdays`` (ISO dates for years ``chinese-calendar`` does not
know, or a local decision), ``contact`` (how to object, shown on the public page)."""

import hashlib
from datetime import date, datetime

from sqlalchemy import select

from ..applications.models import Application
from ..audit import service as audit
from ..clock import china_date, utcnow
from ..decision.models import DecisionRun
from ..decision.service import run_of
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..programs.models import Program
from ..workflow.service import fire, load_for_transition
from .docx import Listed, cn_date, publicity_docx
from .models import MEETING_KINDS, Approval, PublicityListing, PublicityPeriod
from .permissions import require_manage_publicity
from .rules import CheckedList, approval_refusal, awaiting_publicity, list_hash
from .uploads import Upload, checked
from .workdays import PeriodEnd, period_end

DEFAULT_WORKING_DAYS = 5
DEFAULT_CONTACT = "河南省工业和信息化厅装备工业处，联系电话：0371—65509873，邮箱：hnzbgy@126.com"


def settings(program: Program) -> dict:
    return (program.settings or {}).get("publicity", {}) or {}


def working_days(program: Program) -> int:
    return int(settings(program).get("working_days", DEFAULT_WORKING_DAYS))


def _dates(values) -> list[date]:
    out = []
    for value in values or ():
        try:
            out.append(date.fromisoformat(str(value)))
        except ValueError:
            continue  # a malformed setting is ignored rather than stopping the 公示
    return out


def end_of(program: Program, start: date) -> PeriodEnd:
    """The 公示 period starting on ``start`` by the program's settings."""
    s = settings(program)
    return period_end(
        start, working_days(program), _dates(s.get("extra_holidays")),
        _dates(s.get("extra_workdays")),
    )  # fmt: skip


def default_contact(program: Program) -> str:
    return str(settings(program).get("contact") or DEFAULT_CONTACT)


def confirmed_run(program: Program, track: str) -> DecisionRun:
    run = run_of(program, track, "confirmed")
    if run is None:
        raise DomainError(
            f"{program.track(track).name}的入库决定尚未确认。", "decision_unconfirmed"
        )
    return run


def confirmed_run_or_none(program: Program, track: str) -> DecisionRun | None:
    return run_of(program, track, "confirmed")


def run_hash(run: DecisionRun) -> str:
    """The hash of a confirmed run: its parameters and every entry's rank, score and outcome."""
    rows = sorted(
        (e.application_id, e.rank, None if e.score is None else f"{float(e.score):.2f}", e.outcome)
        for e in run.entries
    )
    text = repr((run.id, sorted((run.parameters or {}).items()), rows))
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------------ 审定


def record_approval(
    program: Program, track: str, *, meeting_kind: str, meeting_date: date | None,
    attendees: str, minutes: Upload | None, actor, now: datetime | None = None,
) -> Approval:  # fmt: skip
    """Record the 审定 of the track's proposed list (those awaiting 公示)."""
    require_manage_publicity(actor)
    run = confirmed_run(program, track)
    listed = awaiting_publicity(program.id, track)
    if not listed:
        raise DomainError(
            "没有待审定的拟入库申报（已全部公示或尚未确认入库决定）。", "nothing_to_approve"
        )
    if meeting_kind not in MEETING_KINDS:
        raise InvalidInput("请选择会议类型（厅长办公会、党组会或专题会）。", "meeting_kind")
    if meeting_date is None:
        raise InvalidInput("请填写会议日期。", "meeting_date")
    if meeting_date > china_date(now or utcnow()):
        raise InvalidInput("会议日期不能晚于今天。", "meeting_date")
    attendees = (attendees or "").strip()
    if not attendees:
        raise InvalidInput("请填写参会人员。", "attendees")
    if len(attendees) > 2000:
        raise InvalidInput("参会人员不能超过2000字。", "attendees")
    if minutes is None:
        raise InvalidInput("请上传会议纪要（PDF 或 Word 文件）。", "minutes")
    file = checked(minutes, images=False)
    approval = Approval(
        program_id=program.id, track_code=track, run_id=run.id, run_hash=run_hash(run),
        list_hash=list_hash(run.id, listed), listed=listed, meeting_kind=meeting_kind,
        meeting_date=meeting_date, attendees=attendees, minutes_filename=file.filename,
        minutes_data=file.data, minutes_sha256=file.sha256,
        recorded_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(approval)
    db.session.flush()
    audit.record(
        "publicity.approve", "publicity_approval", approval.id, actor=actor,
        after={"track": track, "run_id": run.id, "run_hash": approval.run_hash,
               "list_hash": approval.list_hash, "applications": listed,
               "meeting": MEETING_KINDS[meeting_kind], "date": meeting_date.isoformat(),
               "minutes_sha256": file.sha256},
    )  # fmt: skip
    return approval


# ------------------------------------------------------------------------------------ 公示


def publish(
    program: Program, track: str, *, start_on: date | None, contact: str, actor,
    now: datetime | None = None,
) -> PublicityPeriod:  # fmt: skip
    """Publish the approved list (公示) from ``start_on`` for the program's working days."""
    require_manage_publicity(actor)
    run = confirmed_run(program, track)
    if start_on is None:
        raise InvalidInput("请填写公示开始日期。", "start_on")
    today = china_date(now or utcnow())
    if start_on < today:
        raise InvalidInput("公示开始日期不能早于今天。", "start_on")
    contact = (contact or "").strip() or default_contact(program)
    if len(contact) > 1000:
        raise InvalidInput("异议受理联系方式不能超过1000字。", "contact")
    why = approval_refusal(program.id, track, run.id)
    if why:
        raise DomainError(why, "approval_required")
    listed = awaiting_publicity(program.id, track)
    approval = _latest_approval(program.id, track)
    end = end_of(program, start_on)
    earlier = db.session.scalar(
        select(PublicityPeriod.id).where(
            PublicityPeriod.program_id == program.id, PublicityPeriod.track_code == track
        ).limit(1)
    )  # fmt: skip
    period = PublicityPeriod(
        program_id=program.id, track_code=track, approval_id=approval.id,
        kind="backfill" if earlier else "initial", start_on=start_on, end_on=end.end,
        working_days=end.working_days, explanation=end.explanation, contact=contact,
        created_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(period)
    db.session.flush()
    # The list is checked as a whole here, before and after, not once per application.
    checked = CheckedList(approval.id, frozenset(approval.listed or ()))
    for app_id in listed:
        application = load_for_transition(app_id)
        fire(application, "publish", actor, now=now, via_publicity=True, checked_list=checked)
        db.session.add(PublicityListing(period_id=period.id, application_id=app_id))
    db.session.flush()
    why = approval_refusal(program.id, track, run.id)  # changed meanwhile by another session
    if why:
        raise DomainError(why, "approval_required")
    audit.record(
        "publicity.publish", "publicity_period", period.id, actor=actor,
        after={"track": track, "kind": period.kind, "start": start_on.isoformat(),
               "end": end.end.isoformat(), "working_days": end.working_days,
               "applications": listed, "approval_id": approval.id},
    )  # fmt: skip
    return period


def _latest_approval(program_id: int, track: str) -> Approval:
    return db.session.execute(
        select(Approval)
        .where(Approval.program_id == program_id, Approval.track_code == track)
        .order_by(Approval.id.desc())
        .limit(1)
    ).scalar_one()


def periods(program: Program, track: str | None = None) -> list[PublicityPeriod]:
    query = select(PublicityPeriod).where(PublicityPeriod.program_id == program.id)
    if track:
        query = query.where(PublicityPeriod.track_code == track)
    return list(db.session.execute(query.order_by(PublicityPeriod.id)).scalars())


def approvals(program: Program, track: str) -> list[Approval]:
    return list(
        db.session.execute(
            select(Approval)
            .where(Approval.program_id == program.id, Approval.track_code == track)
            .order_by(Approval.id)
        ).scalars()
    )


def listed_applications(period: PublicityPeriod) -> list[Application]:
    """The applications of a 公示 list, by prefecture order then name."""
    apps = [listing.application for listing in period.listings]
    return sorted(apps, key=lambda a: (a.prefecture.sort_order, a.enterprise.name))


def period_document(program: Program, period: PublicityPeriod) -> tuple[str, bytes]:
    """The 公示 text of a period (.docx, as the 厅's website shows it) and its file name; the
    page's download and the archive (归档) both take it from here."""
    track_name = program.track(period.track_code).name
    rows = [Listed(a.enterprise.name, a.prefecture.name, track_name)
            for a in listed_applications(period)]  # fmt: skip
    data = publicity_docx(program.name, program.year, track_name, period.kind, rows, period.start_on,
                          period.end_on, period.working_days, period.contact,
                          china_date(period.created_at))  # fmt: skip
    return period_filename(program, period), data


def period_filename(program: Program, period: PublicityPeriod) -> str:
    name = program.track(period.track_code).name
    return f"{name}{period.kind_name}（{cn_date(period.start_on)}）.docx"


def days_left(period: PublicityPeriod, now: datetime | None = None) -> int:
    """Calendar days until the period ends (0 once it has)."""
    return max(0, (period.end_on - china_date(now or utcnow())).days + 1)


def in_period(period: PublicityPeriod, moment: datetime) -> bool:
    return period.start_on <= china_date(moment) <= period.end_on
