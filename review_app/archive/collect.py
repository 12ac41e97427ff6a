"""What goes into a program's archive, track by track: the source 申报书 files, the anonymised
packets, the score sheets and 专家组意见 (signed copies as signed, else generated now), the
inspection records and photos, the decision runs with their parameters and entries, and the
result letters; the dossier's files and the records after the decision (审定, 公示, 异议, 复核,
推荐函, 正式发文) come from ``after``. Each entry is a relative path and a function that makes its bytes."""

from sqlalchemy import select

from ..anonymise.packet import packet_filename, section_packet
from ..applications.catalogue import BY_KEY
from ..applications.models import Application
from ..decision.models import DecisionRun, ResultNotice
from ..experts.models import Expert
from ..extensions import db
from ..inspection.models import Inspection
from ..panel import record, roles, sheets
from ..panel.models import SignedSheet
from ..programs.models import TRACK_NAMES, Program
from . import after
from .names import Entry, clean_name
from .names import json_bytes as _json


def _applications(program: Program, track: str) -> list[Application]:
    return list(
        db.session.execute(
            select(Application)
            .where(Application.program_id == program.id, Application.track_code == track)
            .order_by(Application.anon_code)
        ).scalars()
    )


def _track_entries(program: Program, track: str) -> list[Entry]:
    base = clean_name(TRACK_NAMES.get(track, track))
    out: list[Entry] = []
    apps = _applications(program, track)
    for app in apps:
        code = app.anon_code
        for n, f in enumerate(app.files, start=1):
            out.append((f"{base}/申报书/{code}/{n}-{clean_name(f.filename)}", lambda d=f.data: d))
        for s in sorted(app.sections, key=lambda s: s.id):
            if s.key in BY_KEY and BY_KEY[s.key].group and s.anonymised_text:
                out.append((
                    f"{base}/匿名材料/{code}/{clean_name(packet_filename(code, s.title))}",
                    lambda c=code, t=s.title, x=s.anonymised_text: section_packet(
                        c, TRACK_NAMES[track], t, x),
                ))  # fmt: skip
        inspection = db.session.execute(
            select(Inspection).where(Inspection.application_id == app.id)
        ).scalar_one_or_none()
        if inspection is not None:
            out += _inspection_entries(f"{base}/实地抽查/{code}", inspection)
    for panel in record.track_panels(program, track):
        signed = _latest_signed("opinion_summary", panel_id=panel.id)
        name = f"{base}/专家组意见/评审意见汇总表-{clean_name(panel.name)}"
        if signed is not None:
            out.append((f"{name}（已签署）.docx", lambda d=signed.data: d))
        elif any(roles.members_by_application(record.reviewed_applications(program, track),
                                              panel).values()):  # fmt: skip
            out.append((f"{name}（未签署）.docx",
                        lambda p=panel: sheets.summary_docx(p, program)))  # fmt: skip
    for run in db.session.execute(
        select(DecisionRun)
        .where(DecisionRun.program_id == program.id, DecisionRun.track_code == track)
        .order_by(DecisionRun.id)
    ).scalars():
        out.append((f"{base}/入库决定/决定{run.id}-{run.status}.json", _json(_run(run))))
    return out + after.track_entries(program, track, apps)


def _inspection_entries(folder: str, inspection: Inspection) -> list[Entry]:
    items = [{"code": i.code, "title": i.title, "finding": i.finding, "note": i.note,
              "evidence": [e.filename for e in i.evidence]} for i in inspection.items]  # fmt: skip
    out: list[Entry] = [(f"{folder}/核查记录.json", _json({
        "verdict": inspection.verdict, "deduction": inspection.deduction,
        "note": inspection.note, "sample_rule": inspection.sample_rule,
        "sample_seed": inspection.sample_seed, "completed_at": inspection.completed_at,
        "items": items}))]  # fmt: skip
    for item in inspection.items:
        for n, e in enumerate(item.evidence, start=1):
            out.append((f"{folder}/{clean_name(item.code)}-{n}-{clean_name(e.filename)}",
                        lambda d=e.data: d))  # fmt: skip
    return out


def _run(run: DecisionRun) -> dict:
    return {
        "id": run.id, "track": run.track_code, "status": run.status,
        "parameters": run.parameters, "summary": run.summary,
        "created_at": run.created_at, "confirmed_at": run.confirmed_at,
        "entries": [{"anon_code": e.application.anon_code, "rank": e.rank, "score": e.score,
                     "outcome": e.outcome, "explanation": e.explanation}
                    for e in run.entries],
    }  # fmt: skip


def _latest_signed(kind: str, **owner) -> SignedSheet | None:
    query = select(SignedSheet).where(SignedSheet.kind == kind)
    for key, value in owner.items():
        query = query.where(getattr(SignedSheet, key) == value)
    return db.session.execute(query.order_by(SignedSheet.id.desc()).limit(1)).scalar_one_or_none()


def _score_sheets(program: Program) -> list[Entry]:
    """Each expert with a task in the program: the signed 评分表, else one generated now."""
    out: list[Entry] = []
    experts = db.session.execute(select(Expert).order_by(Expert.id)).scalars()
    for expert in experts:
        if not sheets.has_tasks(expert, program):
            continue
        signed = _latest_signed("score_sheet", expert_id=expert.id, program_id=program.id)
        name = f"评分表/专家评分表-{expert.id}-{clean_name(expert.name)}"
        if signed is not None:
            out.append((f"{name}（已签署）.docx", lambda d=signed.data: d))
        else:
            out.append((f"{name}（未签署）.docx",
                        lambda e=expert: sheets.score_sheet_docx(e, program)))  # fmt: skip
    return out


def archive_entries(program: Program) -> list[Entry]:
    """Every file of the program's archive, in a stable order."""
    out: list[Entry] = []
    for track in program.tracks:
        out += _track_entries(program, track.code)
    out += _score_sheets(program)
    for notice in db.session.execute(
        select(ResultNotice).where(ResultNotice.program_id == program.id).order_by(ResultNotice.id)
    ).scalars():
        state = "" if notice.status == "released" else "（草稿）"
        stem = clean_name(notice.filename.removesuffix(".docx"))
        out.append((f"结果通知/{stem}{state}.docx", lambda d=notice.data: d))
    return out + after.program_entries(program)
