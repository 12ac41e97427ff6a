"""Inspection verbs (实地抽查): draw the sample, adjust it, assign inspectors with the conflict
check, record checklist findings and evidence, and record the verdict (which fires
``record_inspection``). Each verb flushes and audits; the caller commits."""

import hashlib
import re
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath

from sqlalchemy import func, select

from ..applications.models import Application
from ..applications.service import provisional_ranking, track_applications
from ..assignment.conflict_service import enterprise_facts, expert_facts
from ..assignment.conflicts import ExpertFacts, detect
from ..audit import service as audit
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, InvalidInput, NotFound, PermissionDenied
from ..experts.service import expert_of
from ..extensions import db
from ..forms_numeric import NumberError, parse_decimal
from ..programs.models import Program
from ..scoring.models import DispersionFlag
from ..scoring.service import rubric_for
from ..workflow.service import fire
from ..workflow.states import DECIDABLE_STATES
from .models import FINDINGS, VERDICTS, EvidenceFile, Inspection, InspectionInspector
from .models import InspectionItem as Item
from .permissions import (
    can_assign_inspectors,
    can_record_inspection,
    can_remove_inspection,
    can_view_inspections,
    require_manage_inspections,
)
from .sampling import RULES, SampleCandidate, SampleParams, draw_sample

# Format-check codes that cast doubt on the declared figures (the 申报数据存疑 rule).
FIGURE_CODES = re.compile(r"^(figure_|size_|maturity_)")
SEVERITY = {"true": 0, "mostly_true": 1, "untrue": 2}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_PER_ITEM = 12
EVIDENCE_KINDS = (
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"%PDF-", "application/pdf", (".pdf",)),
)
WEBP = ("image/webp", (".webp",))


def sample_query(program: Program, track: str):
    """The track's 抽查名单 (a query joined to the application), by anonymous code."""
    return (
        select(Inspection)
        .join(Application, Application.id == Inspection.application_id)
        .where(Application.program_id == program.id, Application.track_code == track)
        .order_by(Application.anon_code)
    )


def inspections_of(program: Program, track: str) -> list[Inspection]:
    return list(db.session.execute(sample_query(program, track)).scalars())


def provisional_ranks(program: Program, track: str) -> dict[int, int]:
    """Place of each scored application in the track by its raw score (1 = best)."""
    ranking = provisional_ranking(program, track, DECIDABLE_STATES)
    return {a.id: i for i, (a, _) in enumerate(ranking, start=1)}


def candidates(program: Program, track: str) -> list[SampleCandidate]:
    apps = track_applications(program, track, ("scored",))
    ranks = provisional_ranks(program, track)
    flags = dict(
        db.session.execute(
            select(DispersionFlag.application_id, func.count(DispersionFlag.id)).group_by(
                DispersionFlag.application_id
            )
        ).all()
    )
    return [
        SampleCandidate(
            application_id=a.id,
            anon_code=a.anon_code,
            prefecture=a.prefecture.name,
            rank=ranks.get(a.id),
            dispersion_flags=flags.get(a.id, 0),
            figure_flags=tuple(
                p["message"] for p in a.format_report or () if FIGURE_CODES.match(p["code"])
            ),
        )
        for a in apps
    ]


def _touched(inspection: Inspection) -> bool:
    return (
        inspection.verdict is not None
        or bool(inspection.inspectors)
        or any(i.finding or i.note or i.evidence for i in inspection.items)
    )


def _new_inspection(app: Application, rules: str, detail: str, seed: str, actor) -> Inspection:
    rubric = rubric_for(app.track_code, app.program)
    inspection = Inspection(
        application=app, sample_rule=rules, sample_detail=detail, sample_seed=seed,
        sampled_by_id=getattr(actor, "id", None), deduction=0,
        items=[Item(code=c.code, title=c.title) for c in rubric.inspection.checklist],
    )  # fmt: skip
    db.session.add(inspection)
    return inspection


def draw(program: Program, track: str, params: SampleParams, actor) -> list[Inspection]:
    """Draw the sample of a track. A redraw replaces the earlier draw while nothing has been
    done on it (no inspector, finding or verdict); manual additions are kept."""
    require_manage_inspections(actor)
    existing = inspections_of(program, track)
    if any(_touched(i) for i in existing if i.sample_rule != "manual"):
        raise DomainError(
            "本赛道已有抽查任务开始核查（已派核查人员或已记录结论），不能重新抽取；"
            "请逐个增减抽查对象。",
            "sample_started",
        )
    pool = candidates(program, track)
    chosen = draw_sample(pool, params)
    kept = {i.application_id for i in existing if i.sample_rule == "manual"}
    for inspection in existing:
        if inspection.application_id not in kept:
            db.session.delete(inspection)
    db.session.flush()
    apps = {a.id: a for a in track_applications(program, track, ("scored",))}
    created = [
        _new_inspection(apps[s.application_id], ",".join(s.rules), s.detail, params.seed, actor)
        for s in chosen
        if s.application_id not in kept
    ]
    db.session.flush()
    audit.record(
        "inspection.draw", "program", program.id, actor=actor,
        after={"track": track, "seed": params.seed, "params": asdict(params),
               "sample": {s.anon_code: list(s.rules) for s in chosen},
               "candidates": len(pool)},
    )  # fmt: skip
    return created


def add_manual(app: Application, reason: str, actor) -> Inspection:
    require_manage_inspections(actor)
    reason = _required(reason, "指定抽查须填写理由。")
    if app.state != "scored":
        raise DomainError("只有评分完成（已评分）的申报可以加入抽查。", "not_scored")
    if _inspection_of(app) is not None:
        raise DomainError(f"{app.anon_code} 已在抽查名单中。", "already_sampled")
    inspection = _new_inspection(app, "manual", f"{RULES['manual']}：{reason}", "", actor)
    db.session.flush()
    audit.record("inspection.add", "application", app.id, actor=actor, reason=reason)
    return inspection


def remove(inspection: Inspection, reason: str, actor) -> None:
    require_manage_inspections(actor)
    reason = _required(reason, "移出抽查名单须填写理由。")
    if not can_remove_inspection(actor, inspection):
        raise DomainError("已记录核查结论的抽查不能移出。", "inspection_done")
    app_id = inspection.application_id
    db.session.delete(inspection)
    db.session.flush()
    audit.record(
        "inspection.remove", "application", app_id, actor=actor, reason=reason,
        before={"rule": inspection.sample_rule},
    )  # fmt: skip


def _inspection_of(app: Application) -> Inspection | None:
    return db.session.execute(
        select(Inspection).where(Inspection.application_id == app.id)
    ).scalar_one_or_none()


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(message)
    return text


# ------------------------------------------------------------------------------- inspectors


def inspector_facts(user: User) -> ExpertFacts:
    """An inspector's facts for the conflict rules: the expert profile when the user has one,
    otherwise the user's own prefecture."""
    expert = expert_of(user)
    if expert is not None:
        return expert_facts(expert)
    return ExpertFacts(
        expert_id=-user.id,
        name=user.display_name,
        employer="",
        prefecture=user.prefecture.name if user.prefecture else None,
    )


def inspector_conflicts(user: User, app: Application) -> list[str]:
    program = app.program
    same_prefecture = bool((program.settings or {}).get("same_prefecture_conflict", True))
    findings = detect(
        inspector_facts(user), enterprise_facts(app), year=program.year,
        same_prefecture=same_prefecture,
    )  # fmt: skip
    return [f.evidence for f in findings]


def set_inspectors(inspection: Inspection, user_ids: list[int], actor) -> None:
    """Replace the inspection's inspectors; refuse anyone with a conflict of interest."""
    require_manage_inspections(actor)
    if not can_assign_inspectors(actor, inspection):
        raise DomainError("核查结论已记录，不能更换核查人员。", "inspection_done")
    users = [db.session.get(User, uid) for uid in dict.fromkeys(user_ids)]
    if any(u is None or u.role != "inspector" or not u.is_active_account for u in users):
        raise InvalidInput("只能指派在用的实地核查人员账号。")
    problems = [
        f"{u.display_name}：{'；'.join(found)}"
        for u in users
        if (found := inspector_conflicts(u, inspection.application))
    ]
    if problems:
        raise DomainError("以下核查人员须回避：" + " ".join(problems), "inspector_conflict")
    before = sorted(i.user_id for i in inspection.inspectors)
    inspection.inspectors = [InspectionInspector(user_id=u.id) for u in users]
    db.session.flush()
    audit.record(
        "inspection.inspectors", "application", inspection.application_id, actor=actor,
        before={"inspectors": before}, after={"inspectors": [u.id for u in users]},
    )  # fmt: skip


# ------------------------------------------------------------------------------- findings


def may_record(inspection: Inspection, actor) -> None:
    if not can_view_inspections(actor, inspection):
        raise PermissionDenied("只有被指派的核查人员可以记录核查情况。")
    if not can_record_inspection(actor, inspection):
        raise DomainError("核查结论已确认，不能再修改。", "inspection_done")


def record_item(inspection: Inspection, code: str, finding: str | None, note: str,
                actor) -> Item:  # fmt: skip
    may_record(inspection, actor)
    item = next((i for i in inspection.items if i.code == code), None)
    if item is None:
        raise NotFound("核查项不存在。")
    if finding not in (None, "", *FINDINGS):
        raise InvalidInput("核查结果只能是属实、基本属实或不属实。")
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput("核查说明不能超过2000字。")
    if finding in ("mostly_true", "untrue") and not note:
        raise InvalidInput(f"“{item.title}”核查为{FINDINGS[finding]}，须写明情况。")
    before = {"finding": item.finding, "note": item.note}
    item.finding = finding or None
    item.note = note
    db.session.flush()
    audit.record(
        "inspection.item", "application", inspection.application_id, actor=actor,
        before=before, after={"code": code, "finding": item.finding, "note": note},
    )  # fmt: skip
    return item


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def _kind(data: bytes, filename: str) -> str:
    suffix = PurePosixPath(filename.lower()).suffix
    for magic, content_type, suffixes in EVIDENCE_KINDS:
        if data.startswith(magic):
            if suffix not in suffixes:
                raise InvalidInput(f"文件“{filename}”的扩展名与内容不符。")
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and suffix in WEBP[1]:
        return WEBP[0]
    raise InvalidInput(
        f"文件“{filename}”不是 JPG、PNG、WebP 图片或 PDF 文件（手机拍摄的 HEIC 照片请先转为 JPG）。"
    )


def _safe_name(filename: str) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name).strip(". ") or "evidence"
    return name[-120:]


def add_evidence(inspection: Inspection, code: str, upload: Upload, actor) -> EvidenceFile:
    may_record(inspection, actor)
    item = next((i for i in inspection.items if i.code == code), None)
    if item is None:
        raise NotFound("核查项不存在。")
    name = _safe_name(upload.filename)
    if not upload.data:
        raise InvalidInput(f"文件“{name}”是空的。")
    if len(upload.data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(f"文件“{name}”超过10MB，请压缩后再上传。")
    if len(item.evidence) >= MAX_EVIDENCE_PER_ITEM:
        raise InvalidInput(f"每个核查项最多上传{MAX_EVIDENCE_PER_ITEM}个文件。")
    content_type = _kind(upload.data, name)
    evidence = EvidenceFile(
        filename=name, content_type=content_type, size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(), data=upload.data,
        uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow(),
    )  # fmt: skip
    item.evidence.append(evidence)
    db.session.flush()
    audit.record(
        "inspection.evidence", "application", inspection.application_id, actor=actor,
        after={"code": code, "file": name, "sha256": evidence.sha256, "size": evidence.size},
    )  # fmt: skip
    return evidence


def remove_evidence(evidence: EvidenceFile, actor) -> None:
    inspection = evidence.item.inspection
    may_record(inspection, actor)
    db.session.delete(evidence)
    db.session.flush()
    audit.record(
        "inspection.evidence_removed", "application", inspection.application_id, actor=actor,
        before={"file": evidence.filename, "sha256": evidence.sha256},
    )  # fmt: skip


def record_verdict(inspection: Inspection, verdict: str, deduction, note: str, actor) -> None:
    """Record the verdict and move the application to ``spot_inspected`` (one transaction)."""
    may_record(inspection, actor)
    if verdict not in VERDICTS:
        raise InvalidInput("请选择核查结论：属实、基本属实或不属实。")
    unfinished = [i.title for i in inspection.items if not i.finding]
    if unfinished:
        raise InvalidInput("以下核查项尚未填写结果：" + "、".join(unfinished) + "。")
    worst = max(inspection.items, key=lambda i: SEVERITY[i.finding], default=None)
    if worst is not None and SEVERITY[verdict] < SEVERITY[worst.finding]:
        raise InvalidInput(
            f"“{worst.title}”核查为{FINDINGS[worst.finding]}，结论不能是{VERDICTS[verdict]}。"
        )
    note = (note or "").strip()
    if verdict != "true" and not note:
        raise InvalidInput(f"结论为{VERDICTS[verdict]}时须写明核查意见。")
    application = inspection.application
    settings = rubric_for(application.track_code, application.program).inspection
    amount = _deduction(verdict, deduction, settings)
    inspection.verdict = verdict
    inspection.deduction = amount
    inspection.note = note
    inspection.completed_at = utcnow()
    inspection.completed_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(
        "inspection.verdict", "application", inspection.application_id, actor=actor,
        after={"verdict": verdict, "deduction": amount,
               "items": {i.code: i.finding for i in inspection.items}},
        reason=note,
    )  # fmt: skip
    fire(inspection.application, "record_inspection", actor)


def _deduction(verdict: str, deduction, settings) -> float:
    if verdict != "mostly_true":
        return 0.0
    unit = "分" if settings.deduction_mostly_true == "points" else "（比例）"
    try:
        number = parse_decimal(deduction)  # the forms' one reading: NaN, Infinity refused
    except NumberError:
        number = None
    if number is None:
        raise InvalidInput(f"扣分须为数字（0 至 {settings.max_deduction:g}{unit}）。")
    amount = float(number)
    if not 0 < amount <= settings.max_deduction:
        raise InvalidInput(
            f"基本属实须扣分，扣分应大于 0 且不超过 {settings.max_deduction:g}{unit}。"
        )
    return round(amount, 2)
