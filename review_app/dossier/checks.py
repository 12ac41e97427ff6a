"""The checks the coordinator records on an application (who, when, result, source, file):
盖章版已核对 (a format-check item), the 信用中国 / 国家企业信用信息公示系统 check (严重失信主体名单,
经营异常名录) and the 较大及以上安全、环保事故 check; and the guard a 不通过 puts on the way to
入库 (入库条件（二）). Verbs flush and audit; the caller commits."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..applications.models import Application
from ..audit import service as audit
from ..clock import utcnow
from ..errors import InvalidInput, PermissionDenied
from ..extensions import db
from .attachments import add_attachment, missing_attachments
from .models import CHECK_NAMES, RESULT_NAMES, DossierCheck
from .permissions import can_add_check_file
from .service import Upload

CHECK_FILE_KIND = {"credit": "credit_evidence", "accident": "accident_evidence",
                   "stamped_copy": None}  # fmt: skip
DEFAULT_SOURCE = {"credit": "信用中国、国家企业信用信息公示系统",
                  "accident": "应急管理、生态环境部门公开信息", "stamped_copy": ""}  # fmt: skip
OUTSIDE_CHECKS = ("credit", "accident")
MAX_NOTE = 2000


@dataclass(frozen=True)
class CheckInput:
    kind: str
    result: str
    checked_by: str
    checked_on: date | None
    source: str = ""
    note: str = ""


def checks_of(app: Application) -> dict[str, DossierCheck]:
    rows = db.session.execute(
        select(DossierCheck).where(DossierCheck.application_id == app.id)
    ).scalars()
    return {row.kind: row for row in rows}


def _valid(data: CheckInput) -> CheckInput:
    if data.kind not in CHECK_NAMES:
        raise InvalidInput("核查类别无效。", code="check_kind")
    name = CHECK_NAMES[data.kind]
    if data.result not in RESULT_NAMES:
        raise InvalidInput(f"请选择{name}的结果（通过或不通过）。", code="check_result")
    who = (data.checked_by or "").strip()
    if not who:
        raise InvalidInput(f"请填写{name}的核查人。", code="check_who")
    if len(who) > 100:
        raise InvalidInput("核查人不能超过100字。", code="check_who")
    if data.checked_on is None:
        raise InvalidInput(f"请填写{name}的核查日期。", code="check_date")
    if data.checked_on > utcnow().date():
        raise InvalidInput(
            f"{name}的核查日期{data.checked_on:%Y-%m-%d}晚于今天。", code="check_date"
        )
    note, source = (data.note or "").strip(), (data.source or "").strip()
    if data.result == "fail" and not note:
        raise InvalidInput(f"{name}不通过时请在说明中写明原因。", code="check_reason")
    if len(note) > MAX_NOTE or len(source) > 200:
        raise InvalidInput("说明不能超过2000字，核查来源不能超过200字。", code="check_long")
    return CheckInput(data.kind, data.result, who, data.checked_on,
                      source or DEFAULT_SOURCE[data.kind], note)  # fmt: skip


def record_check(app: Application, data: CheckInput, actor, upload: Upload | None = None):
    """Record (or replace) one check of ``app``, with its screenshot or export file if given."""
    if not can_add_check_file(actor, app):
        raise PermissionDenied("只有省厅协调员可以记录核查结果。")
    data = _valid(data)
    file = None
    if upload is not None:
        kind = CHECK_FILE_KIND[data.kind]
        if kind is None:
            raise InvalidInput("盖章版核对无需上传文件。", code="check_file")
        file = add_attachment(app, kind, upload, actor)
    row = checks_of(app).get(data.kind)
    before = {"result": row.result, "checked_by": row.checked_by} if row else None
    if row is None:
        row = DossierCheck(application_id=app.id, kind=data.kind)
        db.session.add(row)
    row.result, row.checked_by, row.checked_on = data.result, data.checked_by, data.checked_on
    row.source, row.note = data.source, data.note
    if file is not None:
        row.file_id = file.id
    row.recorded_by_id, row.recorded_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record(
        "dossier.check", "application", app.id, actor=actor, before=before,
        after={"kind": data.kind, "result": data.result, "checked_by": data.checked_by,
               "checked_on": data.checked_on.isoformat(), "source": data.source,
               "note": data.note, "file": file.filename if file else None},
    )  # fmt: skip
    return row


def outside_check_refusal(app: Application) -> str | None:
    """Why ``app`` may not go on to 拟入库/入库: a 信用 or 事故 check recorded 不通过 (入库条件
    （二）：无不良信用记录、无较大及以上安全、环保等事故), with its reason; None otherwise.

    The decision code consults this predicate: the ``admit`` transition has it as a guard, and
    the selection of candidates should leave such applications out with this reason."""
    checks = checks_of(app)
    for kind in OUTSIDE_CHECKS:
        row = checks.get(kind)
        if row is not None and row.result == "fail":
            return (
                f"{CHECK_NAMES[kind]}不通过（{row.checked_by}，{row.checked_on:%Y-%m-%d}，"
                f"{row.source}：{row.note}），不符合入库条件（二），不能拟入库或入库。"
            )
    return None


def outside_checks_passed(ctx) -> str | None:
    """The workflow guard form of ``outside_check_refusal`` (ctx.application)."""
    return outside_check_refusal(ctx.application)


def dossier_gaps(app: Application) -> list[str]:
    """What the dossier still lacks for the format check (形式审查), one Chinese item each: the
    missing attachments (with why the form calls for them) and an unrecorded or failed
    盖章版已核对. Empty when complete. Listed on the format-check queue and 材料核对."""
    gaps = [message.rstrip("。") for _, message in missing_attachments(app)]
    stamped = checks_of(app).get("stamped_copy")
    if stamped is None:
        gaps.append("盖章版申报书尚未核对")
    elif stamped.result == "fail":
        gaps.append(f"盖章版与Word版不一致（{stamped.note}）")
    return gaps


def dossier_refusal(app: Application) -> str | None:
    """``dossier_gaps`` as one Chinese sentence; None when complete."""
    gaps = dossier_gaps(app)
    return "；".join(gaps) + "。" if gaps else None


def dossier_complete(ctx) -> str | None:
    """The guard of ``pass_format_check``: the required attachments are there and the
    coordinator has recorded 盖章版已核对 (通过); the refusal names what is missing."""
    reason = dossier_refusal(ctx.application)
    return f"申报材料不全，不能通过形式审查：{reason}" if reason else None
