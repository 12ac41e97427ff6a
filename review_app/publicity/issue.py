"""递补, 正式发文 and 复核.

递补 fills a place freed by a revocation with the next eligible application of the confirmed
ranking (by the same rules, see ``rules.next_eligible``); it needs its own 审定 and 公示.
正式发文 issues the final list once every 公示 period is over and every objection closed: the
proposed admissions in 公示 become admitted, the others rejected; the 入库名单 notice is built
(GB/T 9704) and the result letters are generated (drafts, released by the coordinator). Issuing
twice does nothing. 复核 changes a final result only with a recorded reconsideration."""

import hashlib
from datetime import date, datetime

from sqlalchemy import select

from ..applications.models import Application
from ..audit import service as audit
from ..clock import china_date, utcnow
from ..decision import notices
from ..decision.service import entry_for
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..programs.models import Program
from ..workflow.service import fire, load_for_transition
from ..workflow.states import PROPOSAL_STATES
from .docx import Listed, final_notice_docx
from .models import OPEN_OBJECTION_STATUSES, FinalIssue, Objection, Reconsideration
from .permissions import require_manage_publicity
from .rules import next_eligible
from .service import periods

DEFAULT_ADDRESSEES = "各省辖市、济源示范区、航空港区工业和信息化主管部门"


def doc_number_help(program: Program) -> str:
    """An example 发文字号 for the program's year (机关代字〔年份〕序号)."""
    return f"如：豫工信装〔{program.year}〕12号"


def backfill(program: Program, track: str, reason: str, actor) -> Application:
    """递补 the next eligible application of the track (it then awaits 审定 and 公示)."""
    require_manage_publicity(actor)
    entry, why = next_eligible(program.id, track)
    if entry is None:
        raise DomainError(why, "no_backfill")
    application = load_for_transition(entry.application_id)
    text = (reason or "").strip()
    fire(
        application,
        "backfill",
        actor,
        reason=f"{text}（{why}）" if text else "",
        via_publicity=True,
    )
    entry.explanation = f"{entry.explanation}\n递补拟入库：{why}"
    db.session.flush()
    return application


def issued(program: Program) -> FinalIssue | None:
    return db.session.execute(
        select(FinalIssue).where(FinalIssue.program_id == program.id)
    ).scalar_one_or_none()


def blockers(program: Program, now: datetime | None = None) -> list[str]:
    """What stops 正式发文 now, each named: open objections, unpublished proposals, periods
    not over. Empty when the list may be issued."""
    today = china_date(now or utcnow())
    out = []
    for o in db.session.execute(
        select(Objection)
        .where(Objection.program_id == program.id,
               Objection.status.in_(sorted(OPEN_OBJECTION_STATUSES)))
        .order_by(Objection.id)
    ).scalars():  # fmt: skip
        out.append(f"第{o.id}号异议（{o.subject or '未指明企业'}，{o.status_name}）尚未办结")
    waiting = db.session.execute(
        select(Application)
        .where(Application.program_id == program.id, Application.state == "proposed")
        .order_by(Application.id)
    ).scalars().all()  # fmt: skip
    for a in waiting:
        out.append(f"{a.enterprise.name}已拟入库但尚未审定公示")
    for p in periods(program):
        if p.end_on >= today:
            out.append(f"{p.kind_name}（{p.start_on:%m月%d日}至{p.end_on:%m月%d日}）尚未结束")
    return out


def issue(program: Program, *, doc_number: str, addressees: str, copied_to: str, actor,
          issued_on: date | None = None, now: datetime | None = None) -> FinalIssue | None:  # fmt: skip
    """正式发文. Returns None when the list was issued before (nothing changes)."""
    require_manage_publicity(actor)
    if issued(program) is not None:
        return None
    doc_number = (doc_number or "").strip()
    if not doc_number or len(doc_number) > 60:
        raise InvalidInput(f"请填写发文字号（{doc_number_help(program)}）。", "doc_number")
    addressees = (addressees or "").strip() or DEFAULT_ADDRESSEES
    copied_to = (copied_to or "").strip()
    if len(addressees) > 500 or len(copied_to) > 500:
        raise InvalidInput("主送机关和抄送机关均不能超过500字。", "too_long")
    now = now or utcnow()
    stops = blockers(program, now)
    if stops:
        raise DomainError("暂不能正式发文：" + "；".join(stops) + "。", "issue_blocked")
    apps = db.session.execute(
        select(Application)
        .where(Application.program_id == program.id,
               Application.state.in_(sorted(PROPOSAL_STATES)))
        .order_by(Application.id)
    ).scalars().all()  # fmt: skip
    if not apps:
        raise DomainError("没有待正式发文的申报（入库决定尚未确认）。", "nothing_to_issue")
    for a in apps:
        fire(load_for_transition(a.id), "issue", actor, now=now, via_publicity=True)
    issued_on = issued_on or china_date(now)
    tracks = []
    for t in program.tracks:
        admitted = sorted(
            (a for a in apps if a.track_code == t.code and a.state == "admitted"),
            key=lambda a: (a.prefecture.sort_order, a.enterprise.name),
        )
        if admitted:
            tracks.append((t.name, [Listed(a.enterprise.name, a.prefecture.name, t.name)
                                    for a in admitted]))  # fmt: skip
    title = f"关于公布{program.name}入库企业名单的通知"
    data = final_notice_docx(
        program_name=program.name, doc_number=doc_number, title=title, addressees=addressees,
        tracks=tracks, issued_on=issued_on, copied_to=copied_to,
    )  # fmt: skip
    record = FinalIssue(
        program_id=program.id, doc_number=doc_number, title=title, addressees=addressees,
        issued_on=issued_on, filename=f"{doc_number}{title}.docx", data=data,
        sha256=hashlib.sha256(data).hexdigest(), issued_by_id=getattr(actor, "id", None),
        summary={t.code: sum(1 for a in apps if a.track_code == t.code and a.state == "admitted")
                 for t in program.tracks},
    )  # fmt: skip
    db.session.add(record)
    db.session.flush()
    audit.record(
        "publicity.issue", "program", program.id, actor=actor,
        after={"doc_number": doc_number, "sha256": record.sha256, "admitted_by_track": record.summary,
               "rejected_count": sum(1 for a in apps if a.state == "rejected")},
    )  # fmt: skip
    notices.generate(program, actor, issued_on)
    return record


def reconsider(application: Application, *, reason: str, approval_record: str,
               actor) -> Reconsideration:  # fmt: skip
    """复核 of a final result (admitted ⇄ rejected), recorded with its reason and approval."""
    require_manage_publicity(actor)
    approval_record = (approval_record or "").strip()
    if len(approval_record) > 2000:
        raise InvalidInput("审批记录不能超过2000字。", "approval_record")
    application = load_for_transition(application.id)
    record = Reconsideration(
        application_id=application.id, from_state=application.state,
        to_state="rejected" if application.state == "admitted" else "admitted",
        reason=(reason or "").strip(), approval_record=approval_record,
        recorded_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    fire(
        application,
        "reconsider",
        actor,
        reason=record.reason,
        reconsideration=record,
        via_publicity=True,
    )
    db.session.add(record)
    entry = entry_for(application)
    if entry is not None:
        entry.explanation = f"{entry.explanation}\n复核改为{'入库' if record.to_state == 'admitted' else '不予入库'}：{record.reason}"
    db.session.flush()
    audit.record(
        "publicity.reconsider", "reconsideration", record.id, actor=actor,
        after={"application_id": application.id, "from": record.from_state,
               "to": record.to_state, "approval_record": approval_record},
        reason=record.reason,
    )  # fmt: skip
    return record
