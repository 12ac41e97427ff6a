"""异议: objections to a 公示 list. Recorded by the coordinator (letter, phone, e-mail) or filed
on the public page; 受理 or 不予受理 (anonymous, out of the period, not about a listed enterprise:
with the reason); 核查 by an assigned coordinator or inspector (findings and files); 成立 or
不成立 with the reasoning. An upheld objection revokes the proposed admission. The objector gets
a reply through the outbox. Verbs flush and audit; the caller commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..clock import china_date, utcnow
from ..decision.service import entry_for
from ..errors import DomainError, InvalidInput, NotFound, PermissionDenied
from ..extensions import db
from ..outbox import service as outbox
from ..programs.models import Program
from ..workflow.service import fire, load_for_transition
from ..workflow.states import REVOCABLE_STATES
from .models import CHANNELS, Objection, ObjectionFile, PublicityPeriod
from .permissions import (
    CHECKER_ROLES,
    can_accept_objection,
    can_assign_checker,
    can_conclude_objection,
    can_record_findings,
    require_manage_publicity,
)
from .service import listed_applications
from .uploads import MAX_FILES, Upload, checked

ANONYMOUS = "匿名异议（未署真实姓名、工作单位和联系电话）不予受理。"
OUT_OF_PERIOD = "异议不在公示期内提出，不予受理。"
NOT_LISTED = "异议未指向本次公示名单中的企业，不予受理。"


@dataclass
class Filing:
    """What an objector says: who, about which listed application, and why."""

    name: str = ""
    unit: str = ""
    phone: str = ""
    email: str = ""
    application_id: int | None = None
    subject: str = ""
    content: str = ""


def _clean(filing: Filing) -> Filing:
    out = Filing(**{k: (v.strip() if isinstance(v, str) else v) for k, v in vars(filing).items()})
    for field, limit, label in (("name", 100, "姓名"), ("unit", 200, "工作单位"),
                                ("phone", 40, "联系电话"), ("email", 200, "电子邮箱"),
                                ("subject", 200, "异议对象"), ("content", 5000, "异议内容")):  # fmt: skip
        if len(getattr(out, field) or "") > limit:
            raise InvalidInput(f"{label}不能超过{limit}字。", "too_long")
    if not out.content:
        raise InvalidInput("请填写异议内容和理由。", "content")
    return out


def _refusal(period: PublicityPeriod | None, filing: Filing, moment: datetime) -> str:
    """The rules' reason not to accept, or "" when the objection may be accepted."""
    if not (filing.name and filing.unit and filing.phone):
        return ANONYMOUS
    if period is None or not (period.start_on <= china_date(moment) <= period.end_on):
        return OUT_OF_PERIOD
    listed = {a.id for a in listed_applications(period)}
    if filing.application_id not in listed:
        return NOT_LISTED
    return ""


def _store(program: Program, period, filing: Filing, channel: str, actor, moment: datetime,
           files: list[Upload]) -> tuple[Objection, list[str]]:  # fmt: skip
    refused = _refusal(period, filing, moment)
    listed = {a.id: a for a in listed_applications(period)} if period is not None else {}
    application = listed.get(filing.application_id)
    objection = Objection(
        program_id=program.id, period_id=getattr(period, "id", None),
        application_id=application.id if application else None, channel=channel,
        objector_name=filing.name, objector_unit=filing.unit, objector_phone=filing.phone,
        objector_email=filing.email,
        subject=application.enterprise.name if application else filing.subject,
        content=filing.content, received_at=moment,
        status="not_accepted" if refused else "received", decision_reason=refused,
        recorded_by_id=getattr(actor, "id", None), closed_at=moment if refused else None,
    )  # fmt: skip
    db.session.add(objection)
    db.session.flush()
    notes = _attach(objection, files, "attachment", actor, moment)
    audit.record(
        "objection.receive", "objection", objection.id, actor=actor,
        after={"channel": channel, "period_id": objection.period_id,
               "application_id": objection.application_id, "status": objection.status,
               "reason": refused, "files": [f.sha256 for f in objection.files],
               "refused_files": notes},
    )  # fmt: skip
    return objection, notes


def _attach(objection: Objection, files: list[Upload], kind: str, actor,
            moment: datetime) -> list[str]:  # fmt: skip
    """Keep the acceptable files; a hostile or oversized one is refused with its reason (the
    objection itself stays recorded)."""
    notes = []
    for upload in [u for u in files if u is not None and (u.data or u.filename)]:
        if len(objection.files) >= MAX_FILES:
            notes.append(f"最多上传{MAX_FILES}个文件，“{upload.filename}”未保存。")
            continue
        try:
            file = checked(upload)
        except InvalidInput as err:
            notes.append(err.message + "该文件未保存。")
            continue
        objection.files.append(ObjectionFile(
            kind=kind, filename=file.filename, content_type=file.content_type,
            size=len(file.data), sha256=file.sha256, data=file.data,
            uploaded_by_id=getattr(actor, "id", None), uploaded_at=moment,
        ))  # fmt: skip
    db.session.flush()
    return notes


def file_public(period: PublicityPeriod, filing: Filing, files: list[Upload],
                now: datetime | None = None) -> tuple[Objection, list[str]]:  # fmt: skip
    """An objection filed on the public page (no account): recorded whatever it says; one that
    the rules do not accept is recorded as 不予受理 with the reason."""
    program = db.session.get(Program, period.program_id)
    return _store(program, period, _clean(filing), "web", None, now or utcnow(), files)


def record(program: Program, period: PublicityPeriod | None, filing: Filing, channel: str,
           actor, files: list[Upload] = (), received_at: datetime | None = None,
           ) -> tuple[Objection, list[str]]:  # fmt: skip
    """An objection received by letter, phone or e-mail, recorded by the coordinator."""
    require_manage_publicity(actor)
    if channel not in CHANNELS or channel == "web":
        raise InvalidInput("请选择异议的收到方式（来信、来电或电子邮件）。", "channel")
    if period is not None and period.program_id != program.id:
        raise NotFound("未找到该公示。")
    return _store(program, period, _clean(filing), channel, actor, received_at or utcnow(),
                  list(files))  # fmt: skip


def _status(objection: Objection, allowed: bool, message: str) -> None:
    if not allowed:
        raise DomainError(message, "objection_state")


def accept(objection: Objection, actor) -> None:
    """受理."""
    require_manage_publicity(actor)
    _status(objection, can_accept_objection(actor, objection), "该异议已受理或已办结。")
    objection.status = "accepted"
    db.session.flush()
    audit.record("objection.accept", "objection", objection.id, actor=actor,
                 before={"status": "received"}, after={"status": "accepted"})  # fmt: skip


def not_accept(objection: Objection, reason: str, actor) -> None:
    """不予受理, with the reason; the objector gets a reply."""
    require_manage_publicity(actor)
    _status(objection, can_accept_objection(actor, objection), "该异议已受理或已办结。")
    reason = _reason(reason)
    objection.status, objection.decision_reason = "not_accepted", reason
    objection.closed_at = utcnow()
    db.session.flush()
    audit.record("objection.not_accept", "objection", objection.id, actor=actor,
                 before={"status": "received"}, after={"status": "not_accepted"},
                 reason=reason)  # fmt: skip
    reply(objection)


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写理由。", "reason")
    if len(text) > 2000:
        raise InvalidInput("理由不能超过2000字。", "reason")
    return text


def assign_checker(objection: Objection, checker_id: int | None, actor) -> User:
    """核查: assign a coordinator or an inspector to check the objection."""
    require_manage_publicity(actor)
    _status(objection, can_assign_checker(actor, objection), "该异议未受理或已办结，不能指派核查。")
    checker = db.session.get(User, checker_id or 0)
    if checker is None or checker.role not in CHECKER_ROLES or not checker.is_active_account:
        raise InvalidInput("核查人须为在用的省厅协调员或核查员账号。", "checker")
    before = objection.status
    objection.checker_id, objection.status = checker.id, "checking"
    db.session.flush()
    audit.record("objection.assign", "objection", objection.id, actor=actor,
                 before={"status": before}, after={"status": "checking", "checker": checker.id})  # fmt: skip
    return checker


def record_findings(objection: Objection, findings: str, files: list[Upload], actor) -> list[str]:
    """The checker's findings (and files); refused files are named, the rest kept."""
    if not can_record_findings(actor, objection):
        raise PermissionDenied("只有被指派的核查人可以在核查期间记录核查情况。")
    findings = (findings or "").strip()
    if not findings:
        raise InvalidInput("请填写核查情况。", "findings")
    if len(findings) > 5000:
        raise InvalidInput("核查情况不能超过5000字。", "findings")
    objection.findings = findings
    notes = _attach(objection, list(files), "finding", actor, utcnow())
    audit.record("objection.findings", "objection", objection.id, actor=actor,
                 after={"findings": findings[:200], "refused_files": notes})  # fmt: skip
    return notes


def conclude(objection: Objection, upheld: bool, reasoning: str, actor) -> None:
    """成立 or 不成立 with the reasoning. 成立 revokes the proposed admission (the reason goes
    into the audit chain and the decision's explanation); the objector gets a reply."""
    require_manage_publicity(actor)
    _status(objection, can_conclude_objection(actor, objection),
            "须先由核查人记录核查情况，才能作出异议是否成立的结论。")  # fmt: skip
    reasoning = _reason(reasoning)
    objection.status = "upheld" if upheld else "dismissed"
    objection.decision_reason = reasoning
    objection.closed_at = utcnow()
    db.session.flush()
    audit.record("objection.conclude", "objection", objection.id, actor=actor,
                 before={"status": "checking"}, after={"status": objection.status},
                 reason=reasoning)  # fmt: skip
    if upheld and objection.application_id is not None:
        application = load_for_transition(objection.application_id)
        if application.state in REVOCABLE_STATES:
            why = f"第{objection.id}号异议经核查成立：{reasoning}"
            fire(application, "revoke", actor, reason=why, via_publicity=True)
            entry = entry_for(application)
            if entry is not None:
                entry.explanation = f"{entry.explanation}\n撤销拟入库：{why}"
    reply(objection)


def reply(objection: Objection) -> None:
    """The answer to the objector, into the outbox (held for the coordinator's release)."""
    if not objection.objector_email:
        return
    program = db.session.get(Program, objection.program_id)
    outcome = {
        "not_accepted": "不予受理。", "upheld": "经核查，异议成立。",
        "dismissed": "经核查，异议不成立。",
    }[objection.status]  # fmt: skip
    outbox.compose(
        "objection_reply", key=f"objection_reply:{objection.id}:{objection.status}",
        template="objection_reply", program=program, to_name=objection.objector_name,
        to_address=objection.objector_email,
        context={"program_name": program.name, "objection_id": objection.id,
                 "objector_name": objection.objector_name or "异议人",
                 "received_on": f"{china_date(objection.received_at):%Y年%m月%d日}",
                 "subject_name": objection.subject or "公示名单",
                 "accepted": objection.status != "not_accepted", "outcome": outcome,
                 "reasoning": objection.decision_reason},
    )  # fmt: skip


def visible(program: Program, user=None):
    """The program's objections a user may see (a query): all for coordinators, assigned ones
    else."""
    query = select(Objection).where(Objection.program_id == program.id)
    if user is not None and getattr(user, "role", None) != "coordinator":
        query = query.where(Objection.checker_id == getattr(user, "id", -1))
    return query


def objections(program: Program, user=None) -> list[Objection]:
    """``visible`` as a list, by number."""
    return list(db.session.execute(visible(program, user).order_by(Objection.id)).scalars())
