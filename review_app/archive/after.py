"""What the archive holds of the dossier and of the stages after the decision, track by track:
the dossier's files (attachments, the stamped 申报书, the outside checks' files) with the checks
and the 地市审核意见, each application's 专家组意见 as recorded, each 会议评审's record (seed,
order, attendance), the 审定 records with their uploaded minutes, each 公示's text (.docx, as
the 厅's website shows it) and list, each objection's record with its files, findings and
conclusion, and the 复核 records; for the program as a whole, the prefectures' 推荐函 and the
正式发文 notice (入库名单, GB/T 9704) once issued. Stored files go in with their stored bytes."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..applications.models import Application
from ..dossier.kinds import BY_CODE as DOSSIER_KINDS
from ..dossier.models import Attachment, DossierCheck, EndorsementLetter, PrefectureOpinion
from ..extensions import db
from ..meeting.models import Meeting
from ..panel import roles
from ..panel.models import PanelOpinion
from ..programs.models import TRACK_NAMES, Program
from ..publicity import issue, service
from ..publicity.models import FILE_KINDS, Objection, Reconsideration
from .names import Entry, clean_name, json_bytes


def _codes(ids) -> list[dict]:
    """Applications by id as the records name them: code and enterprise (the archive is the
    厅's own record, not a packet for experts)."""
    apps = {a.id: a for a in db.session.execute(
        select(Application).where(Application.id.in_(list(ids)))).scalars()}  # fmt: skip
    return [{"id": i, "anon_code": apps[i].anon_code, "enterprise": apps[i].enterprise.name}
            for i in ids if i in apps]  # fmt: skip


def _dossier(base: str, app: Application) -> list[Entry]:
    folder = f"{base}/申报材料/{app.anon_code}"
    files = db.session.execute(
        select(Attachment).where(Attachment.application_id == app.id).order_by(Attachment.id)
    ).scalars()
    out: list[Entry] = []
    names: dict[int, str] = {}
    for n, f in enumerate(files, start=1):
        kind = DOSSIER_KINDS[f.kind].name if f.kind in DOSSIER_KINDS else f.kind
        names[f.id] = clean_name(f"{n}-{kind}-{f.filename}")
        out.append((f"{folder}/{names[f.id]}", lambda d=f.data: d))
    checks = db.session.execute(
        select(DossierCheck).where(DossierCheck.application_id == app.id).order_by(DossierCheck.id)
    ).scalars()
    opinion = db.session.execute(
        select(PrefectureOpinion).where(PrefectureOpinion.application_id == app.id)
    ).scalar_one_or_none()
    record = {
        "prefecture_opinion": None if opinion is None else {
            "text": opinion.text, "written_at": opinion.written_at},
        "checks": [{"kind": c.kind, "result": c.result, "checked_by": c.checked_by,
                    "checked_on": c.checked_on, "source": c.source, "note": c.note,
                    "file": names.get(c.file_id), "recorded_at": c.recorded_at}
                   for c in checks],
        "files": [{"file": names[f_id]} for f_id in names],
    }  # fmt: skip
    if opinion is not None or record["checks"] or names:
        out.append((f"{folder}/核查与审核意见.json", json_bytes(record)))
    return out


def _opinions(base: str, apps: list[Application]) -> list[Entry]:
    """Each application's 专家组意见 per panel as recorded (text, status, the members' answers
    by code and name); the panels' 汇总表 (.docx) hold the signed text as signed. The votes
    come with the opinions and each panel's members in one query (``members_by_application``,
    the same lists as ``member_ids`` one application at a time)."""
    by_id = {a.id: a for a in apps}
    rows = db.session.execute(
        select(PanelOpinion).where(PanelOpinion.application_id.in_(list(by_id)))
        .options(selectinload(PanelOpinion.votes))
        .order_by(PanelOpinion.application_id, PanelOpinion.panel_id)
    ).scalars().all()  # fmt: skip
    panels = {o.panel_id: o.panel for o in rows}
    members = {
        panel_id: roles.members_by_application(
            [by_id[i] for i in dict.fromkeys(o.application_id for o in rows
                                             if o.panel_id == panel_id)], panel)
        for panel_id, panel in panels.items()
    }  # fmt: skip
    out: list[Entry] = []
    for o in rows:
        app = by_id[o.application_id]
        codes = roles.codes(members[o.panel_id][app.id])
        out.append((f"{base}/专家组意见/{app.anon_code}-{clean_name(o.panel.name)}.json", json_bytes({
            "anon_code": app.anon_code, "panel": o.panel.name, "status": o.status_name,
            "strengths": o.strengths, "problems": o.problems,
            "recommendation": o.recommendation, "in_letter": o.in_letter,
            "lead": o.lead.name if o.lead is not None else None, "signed_at": o.signed_at,
            "answers": [{"member": codes.get(v.expert_id, ""), "expert": v.expert.name,
                         "stance": v.stance, "reason": v.reason, "at": v.created_at}
                        for v in o.votes]})))  # fmt: skip
    return out


def _approvals(base: str, program: Program, track: str) -> list[Entry]:
    out: list[Entry] = []
    for a in service.approvals(program, track):
        stem = f"{base}/审定/审定{a.id}-{clean_name(a.meeting_name)}-{a.meeting_date.isoformat()}"
        minutes = f"{stem}-会议纪要-{clean_name(a.minutes_filename)}"
        out.append((minutes, lambda d=a.minutes_data: d))
        out.append((f"{stem}.json", json_bytes({
            "id": a.id, "track": a.track_code, "run_id": a.run_id, "run_hash": a.run_hash,
            "list_hash": a.list_hash, "listed": _codes(a.listed or []),
            "meeting": a.meeting_name, "meeting_date": a.meeting_date, "attendees": a.attendees,
            "minutes": minutes.rsplit("/", 1)[1], "minutes_sha256": a.minutes_sha256,
            "recorded_at": a.created_at})))  # fmt: skip
    return out


def _periods(base: str, program: Program, track: str) -> list[Entry]:
    out: list[Entry] = []
    for p in service.periods(program, track):
        name = f"公示{p.id}"
        out.append((f"{base}/公示/{name}-{clean_name(service.period_filename(program, p))}",
                    lambda p=p: service.period_document(program, p)[1]))  # fmt: skip
        out.append((f"{base}/公示/{name}.json", json_bytes({
            "id": p.id, "kind": p.kind_name, "approval_id": p.approval_id,
            "start_on": p.start_on, "end_on": p.end_on, "working_days": p.working_days,
            "explanation": p.explanation, "contact": p.contact, "published_at": p.created_at,
            "listed": _codes([listing.application_id for listing in p.listings])})))  # fmt: skip
    return out


def _objection_track(o: Objection) -> str | None:
    if o.period is not None:
        return o.period.track_code
    return o.application.track_code if o.application is not None else None


def _objection(folder: str, o: Objection) -> list[Entry]:
    out: list[Entry] = []
    files = []
    for n, f in enumerate(o.files, start=1):
        name = clean_name(f"{FILE_KINDS.get(f.kind, f.kind)}-{n}-{f.filename}")
        files.append({"file": name, "kind": FILE_KINDS.get(f.kind, f.kind), "sha256": f.sha256,
                      "uploaded_at": f.uploaded_at})  # fmt: skip
        out.append((f"{folder}/{name}", lambda d=f.data: d))
    out.append((f"{folder}/异议记录.json", json_bytes({
        "id": o.id, "channel": o.channel, "received_at": o.received_at,
        "period_id": o.period_id, "application": _codes([o.application_id])[0]
        if o.application_id else None, "subject": o.subject,
        "objector": {"name": o.objector_name, "unit": o.objector_unit,
                     "phone": o.objector_phone, "email": o.objector_email},
        "content": o.content, "status": o.status_name, "decision_reason": o.decision_reason,
        "checker": o.checker.username if o.checker is not None else None,
        "findings": o.findings, "closed_at": o.closed_at, "files": files})))  # fmt: skip
    return out


def _objections(program: Program) -> list[tuple[str | None, Objection]]:
    rows = db.session.execute(
        select(Objection).where(Objection.program_id == program.id).order_by(Objection.id)
    ).scalars()
    return [(_objection_track(o), o) for o in rows]


def _reconsiderations(base: str, program: Program, track: str) -> list[Entry]:
    rows = db.session.execute(
        select(Reconsideration).join(Application)
        .where(Application.program_id == program.id, Application.track_code == track)
        .order_by(Reconsideration.id)
    ).scalars()  # fmt: skip
    return [(f"{base}/复核/复核{r.id}-{r.application.anon_code}.json", json_bytes({
        "id": r.id, "application": _codes([r.application_id])[0], "from": r.from_state,
        "to": r.to_state, "reason": r.reason, "approval_record": r.approval_record,
        "recorded_at": r.created_at})) for r in rows]  # fmt: skip


def _meetings(base: str, program: Program, track: str) -> list[Entry]:
    """Each 会议评审 of the track: date, place, the seed and list hash its 答辩 order was drawn
    with, the slots in order and who signed in when."""
    meetings = db.session.execute(
        select(Meeting).where(Meeting.program_id == program.id, Meeting.track_code == track)
        .order_by(Meeting.id)
    ).scalars()  # fmt: skip
    out: list[Entry] = []
    for m in meetings:
        codes = {c["id"]: c for c in _codes([s.application_id for s in m.slots])}
        record = {
            "held_on": m.held_on, "place": m.place, "video_link": m.video_link,
            "panel": m.panel.name, "seed": m.seed, "input_hash": m.input_hash,
            "slots": [{**codes.get(s.application_id, {}), "position": s.position,
                       "starts_at": s.starts_at, "minutes": s.minutes, "status": s.status}
                      for s in sorted(m.slots, key=lambda s: s.position)],
            "attendance": [{"expert": a.expert.name, "signed_in_at": a.signed_in_at}
                           for a in sorted(m.attendance, key=lambda a: a.signed_in_at)],
        }  # fmt: skip
        out.append((f"{base}/会议评审/会议{m.id}.json", json_bytes(record)))
    return out


def track_entries(program: Program, track: str, apps: list[Application]) -> list[Entry]:
    """The track's dossier files, 专家组意见 records, 会议评审, 审定, 公示, objections and 复核."""
    base = clean_name(TRACK_NAMES.get(track, track))
    out: list[Entry] = []
    for app in apps:
        out += _dossier(base, app)
    out += _opinions(base, apps)
    out += _meetings(base, program, track)
    out += _approvals(base, program, track)
    out += _periods(base, program, track)
    for where, o in _objections(program):
        if where == track:
            out += _objection(f"{base}/异议/异议{o.id}", o)
    out += _reconsiderations(base, program, track)
    return out


def program_entries(program: Program) -> list[Entry]:
    """The program-wide files: 推荐函 per prefecture, objections about no listed application,
    and the 正式发文 notice with its record."""
    out: list[Entry] = []
    letters = db.session.execute(
        select(EndorsementLetter).where(EndorsementLetter.program_id == program.id)
        .order_by(EndorsementLetter.prefecture_id)
    ).scalars()  # fmt: skip
    for letter in letters:
        name = clean_name(f"{letter.prefecture.name}-{letter.filename}")
        out.append((f"推荐函/{name}", lambda d=letter.data: d))
    tracks = {t.code for t in program.tracks}
    for where, o in _objections(program):
        if where not in tracks:
            out += _objection(f"异议/异议{o.id}", o)
    final = issue.issued(program)
    if final is not None:
        out.append((f"正式发文/{clean_name(final.filename)}", lambda d=final.data: d))
        out.append(("正式发文/发文记录.json", json_bytes({
            "doc_number": final.doc_number, "title": final.title,
            "addressees": final.addressees, "issued_on": final.issued_on,
            "file": clean_name(final.filename), "sha256": final.sha256,
            "summary": final.summary})))  # fmt: skip
    return out
