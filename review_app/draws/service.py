"""Drawing panels from the expert pool, invitations with backups, and the pledge.

Verbs flush and audit; the caller commits (one transaction per request). The draw itself is
``experts.draw`` (pure): here the pool is read into candidates, the run is recorded with its
snapshot, and the invitations follow it.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from ..applications.catalogue import GROUP_NAMES
from ..assignment import conflict_service
from ..assignment.models import Assignment
from ..audit import service as audit
from ..audit.models import AuditEvent
from ..clock import CHINA_TZ, utcnow
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..experts import draw as drawing
from ..experts.models import (
    RELATION_KINDS,
    Expert,
    ExpertAvailability,
    ExpertRelation,
    Panel,
    PanelMember,
)
from ..experts.service import expert_of
from ..extensions import db
from ..outbox import service as outbox
from ..programs.models import TRACK_NAMES, Program
from ..programs.service import current_program_id
from .models import OPEN_INVITATIONS, DrawRun, Invitation, Pledge
from .permissions import can_answer_invitation, can_sign_pledge, require_manage_draws

USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
DEFAULT_ANSWER_HOURS = 48


def panel_label(panel: Panel) -> str:
    """The panel's name, which already says its track (e.g. 卓越级智能工厂培育 · 工厂建设组)."""
    track = TRACK_NAMES.get(panel.track_code, panel.track_code)
    return panel.name if panel.name.startswith(track) else f"{track} · {panel.name}"


# -- the pool -------------------------------------------------------------------------------


def availability(program: Program) -> dict[int, ExpertAvailability]:
    rows = db.session.execute(
        select(ExpertAvailability).where(ExpertAvailability.program_id == program.id)
    ).scalars()
    return {r.expert_id: r for r in rows}


def set_availability(program: Program, expert: Expert, available: bool, note: str, actor) -> None:
    require_manage_draws(actor)
    row = availability(program).get(expert.id)
    if row is None:
        row = ExpertAvailability(expert_id=expert.id, program_id=program.id)
        db.session.add(row)
    before = row.available if row.id else True
    row.available = bool(available)
    row.note = (note or "").strip()[:200]
    db.session.flush()
    if before != row.available:
        audit.record(
            "expert.availability", "expert", expert.id, actor=actor,
            before={"available": before}, after={"available": row.available, "program": program.code},
            reason=row.note,
        )  # fmt: skip


def history(expert_ids=None) -> dict[int, list[tuple[Program, Panel]]]:
    """Programs and panels each expert served on (panel membership), newest first."""
    query = (
        select(PanelMember.expert_id, Program, Panel)
        .join(Panel, Panel.id == PanelMember.panel_id)
        .join(Program, Program.id == Panel.program_id)
        .order_by(Program.year.desc(), Program.id.desc(), Panel.id)
    )
    if expert_ids is not None:
        query = query.where(PanelMember.expert_id.in_(list(expert_ids)))
    out: dict[int, list] = {}
    for expert_id, program, panel in db.session.execute(query).all():
        out.setdefault(expert_id, []).append((program, panel))
    return out


def _earlier_programs(program: Program, k: int) -> list[int]:
    if k <= 0:
        return []
    rows = db.session.execute(
        select(Program.id)
        .where(
            (Program.year < program.year)
            | ((Program.year == program.year) & (Program.id < program.id))
        )
        .order_by(Program.year.desc(), Program.id.desc())
        .limit(k)
    ).scalars()
    return list(rows)


def candidates(program: Program, panel: Panel, recent_programs: int = 0) -> list[drawing.Candidate]:
    """Every expert of the pool as a draw candidate for this panel.

    Not available: marked unavailable for the program, already holding (or invited to) a seat
    on another panel of the same track, or drawn for this panel before (a new draw for the
    same panel is a supplementary draw)."""
    experts = list(
        db.session.execute(
            select(Expert).options(selectinload(Expert.prefecture)).order_by(Expert.id)
        ).scalars()
    )
    avail = availability(program)
    taken = set(
        db.session.execute(
            select(Invitation.expert_id)
            .join(Panel, Panel.id == Invitation.panel_id)
            .where(Panel.program_id == program.id, Panel.track_code == panel.track_code,
                   Panel.id != panel.id, Invitation.status.in_(OPEN_INVITATIONS))
        ).scalars()
    )  # fmt: skip
    taken |= set(
        db.session.execute(
            select(PanelMember.expert_id)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .where(Panel.program_id == program.id, Panel.track_code == panel.track_code,
                   Panel.id != panel.id)
        ).scalars()
    )  # fmt: skip
    drawn_before = set(
        db.session.execute(
            select(Invitation.expert_id).where(Invitation.panel_id == panel.id)
        ).scalars()
    )
    drawn_before |= set(
        db.session.execute(
            select(PanelMember.expert_id).where(PanelMember.panel_id == panel.id)
        ).scalars()
    )
    earlier = _earlier_programs(program, recent_programs)
    recent: dict[int, int] = {}
    if earlier:
        rows = db.session.execute(
            select(PanelMember.expert_id, Panel.program_id)
            .join(Panel, Panel.id == PanelMember.panel_id)
            .where(Panel.program_id.in_(earlier), Panel.section_group == panel.section_group,
                   Panel.track_code == panel.track_code)
        ).all()  # fmt: skip
        for expert_id, _ in set(rows):
            recent[expert_id] = recent.get(expert_id, 0) + 1
    out = []
    for e in experts:
        row = avail.get(e.id)
        is_available = (
            (row is None or row.available) and e.id not in taken and e.id not in drawn_before
        )
        out.append(
            drawing.Candidate(
                expert_id=e.id,
                unit=e.employer or "",
                prefecture=e.prefecture.name if e.prefecture else None,
                specialties=tuple(sorted(set(e.specialties or []) | set(e.industries or []))),
                recent_panels=recent.get(e.id, 0),
                available=is_available,
            )
        )
    return out


# -- the draw -------------------------------------------------------------------------------


def limits_from(values: dict) -> drawing.DrawLimits:
    return drawing.DrawLimits(
        count=int(values["count"]),
        backups=int(values.get("backups") or 0),
        specialties=tuple(values.get("specialties") or ()),
        max_per_unit=values.get("max_per_unit") or None,
        max_per_prefecture=values.get("max_per_prefecture") or None,
        excluded_prefectures=tuple(values.get("excluded_prefectures") or ()),
        exclude_recent=bool(values.get("exclude_recent")),
    )


def run_draw(program: Program, panel: Panel, values: dict, seed: str, actor) -> DrawRun:
    """Draw the panel's experts and backups, record the run, invite the drawn experts.

    ``values``: count, backups, specialties, max_per_unit, max_per_prefecture,
    excluded_prefectures, exclude_recent, recent_programs, answer_hours."""
    require_manage_draws(actor)
    if panel.program_id != program.id:
        raise NotFound("没有这个专家组。")
    seed = (seed or "").strip()
    if not seed:
        raise InvalidInput("请填写抽取种子（例如现场宣读的随机数）。")
    answer_hours = int(values.get("answer_hours") or DEFAULT_ANSWER_HOURS)
    if not 1 <= answer_hours <= 24 * 14:
        raise InvalidInput("答复期限应在1小时到14天之间。")
    recent_programs = int(values.get("recent_programs") or 0)
    pool = candidates(program, panel, recent_programs if values.get("exclude_recent") else 0)
    try:
        limits = limits_from(values)
        result = drawing.draw(pool, limits, seed)
    except drawing.DrawShortfall as err:
        # the reason once: the shortfalls themselves, not the exception's own preamble
        reasons = "；".join(short.message for short in err.shortfalls)
        raise InvalidInput(f"无法按所设条件抽取：{reasons}。") from err
    except ValueError as err:
        raise InvalidInput(str(err)) from err
    now = utcnow()
    stored_limits = {
        "count": limits.count, "backups": limits.backups, "specialties": list(limits.specialties),
        "max_per_unit": limits.max_per_unit, "max_per_prefecture": limits.max_per_prefecture,
        "excluded_prefectures": list(limits.excluded_prefectures),
        "exclude_recent": limits.exclude_recent, "recent_programs": recent_programs,
        "answer_hours": answer_hours,
    }  # fmt: skip
    run = DrawRun(
        program_id=program.id, panel_id=panel.id, seed=seed, limits=stored_limits,
        snapshot=drawing.canonical_snapshot(pool), snapshot_hash=result.snapshot_hash,
        drawn=list(result.drawn), backups=list(result.backups), eligible=result.eligible,
        excluded=dict(result.excluded), answer_by=now + timedelta(hours=answer_hours),
        created_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    db.session.add(run)
    db.session.flush()
    order = [(e, "drawn") for e in result.drawn] + [(e, "backup") for e in result.backups]
    for position, (expert_id, role) in enumerate(order, start=1):
        db.session.add(
            Invitation(
                draw_run_id=run.id,
                panel_id=panel.id,
                expert_id=expert_id,
                position=position,
                role=role,
                status="standby",
            )  # fmt: skip
        )
    db.session.flush()
    audit.record(
        "draw.run", "draw_run", run.id, actor=actor,
        after={"panel": panel.id, "seed": seed, "snapshot_hash": run.snapshot_hash,
               "limits": stored_limits, "drawn": run.drawn, "backups": run.backups},
    )  # fmt: skip
    for invitation in run.invitations:
        if invitation.role == "drawn":
            _invite(invitation, now)
    return run


def _invite(invitation: Invitation, now: datetime, replaces: Invitation | None = None) -> None:
    run = invitation.run
    hours = int(run.limits.get("answer_hours") or DEFAULT_ANSWER_HOURS)
    invitation.status = "pending"
    invitation.invited_at = now
    invitation.deadline = (
        max(run.answer_by, now + timedelta(hours=hours)) if replaces else run.answer_by
    )
    invitation.replaces_id = replaces.id if replaces else None
    db.session.flush()
    expert = invitation.expert
    program = db.session.get(Program, run.program_id)
    outbox.compose(
        "invitation", key=f"invitation:{invitation.id}", template="invitation",
        recipient=expert.user, program=program, to_name=expert.name, to_address=expert.email,
        context={"expert_name": expert.name, "program_name": program.name,
                 "panel_name": panel_label(invitation.panel), "role": invitation.role,
                 "deadline": _beijing(invitation.deadline), "invitation_id": invitation.id},
    )  # fmt: skip
    audit.record(
        "invitation.send", "invitation", invitation.id, actor=None,
        after={"expert": expert.id, "panel": invitation.panel_id, "deadline": invitation.deadline,
               "replaces": invitation.replaces_id},
    )  # fmt: skip


def _beijing(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _next_backup(invitation: Invitation) -> Invitation | None:
    """The first backup not yet invited, over the panel's runs in order."""
    return db.session.execute(
        select(Invitation)
        .join(DrawRun, DrawRun.id == Invitation.draw_run_id)
        .where(Invitation.panel_id == invitation.panel_id, Invitation.status == "standby",
               Invitation.role == "backup")
        .order_by(DrawRun.id, Invitation.position)
        .limit(1)
    ).scalar_one_or_none()  # fmt: skip


def _replace(invitation: Invitation, now: datetime) -> Invitation | None:
    backup = _next_backup(invitation)
    if backup is None:
        audit.record("draw.backups_exhausted", "panel", invitation.panel_id, actor=None,
                     after={"vacated_by": invitation.id})  # fmt: skip
        return None
    _invite(backup, now, replaces=invitation)
    return backup


def own_invitation(invitation_id: int, actor) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    expert = expert_of(actor) if can_answer_invitation(actor) else None
    if (
        invitation is None
        or expert is None
        or invitation.expert_id != expert.id
        or invitation.status == "standby"
    ):
        raise NotFound("没有这份邀请。")
    return invitation


def answer(
    invitation: Invitation, accept: bool, reason: str, actor, now: datetime | None = None
) -> None:
    """The invited expert accepts (joins the panel) or declines (the next backup is invited)."""
    own_invitation(invitation.id, actor)
    now = now or utcnow()
    if not can_answer_invitation(actor, invitation):
        raise InvalidInput(f"这份邀请已{invitation.status_name}，不能再答复。")
    if invitation.deadline and now > invitation.deadline:
        raise InvalidInput("已超过答复期限，邀请已失效。")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise InvalidInput("谢绝邀请请简要说明原因。")
    invitation.status = "accepted" if accept else "declined"
    invitation.answered_at = now
    invitation.reason = reason[:500]
    if accept:
        member = db.session.execute(
            select(PanelMember).where(PanelMember.panel_id == invitation.panel_id,
                                      PanelMember.expert_id == invitation.expert_id)
        ).scalar_one_or_none()  # fmt: skip
        if member is None:
            db.session.add(
                PanelMember(panel_id=invitation.panel_id, expert_id=invitation.expert_id)
            )
    db.session.flush()
    audit.record(
        "invitation.accept" if accept else "invitation.decline", "invitation", invitation.id,
        actor=actor, after={"status": invitation.status}, reason=invitation.reason,
    )  # fmt: skip
    if not accept:
        _replace(invitation, now)


def expire_overdue(now: datetime | None = None) -> int:
    """Pending invitations past their deadline expire; a backup is invited for each."""
    now = now or utcnow()
    overdue = list(
        db.session.execute(
            select(Invitation)
            .where(Invitation.status == "pending", Invitation.deadline < now)
            .order_by(Invitation.id)
        ).scalars()
    )
    for invitation in overdue:
        invitation.status = "expired"
        invitation.answered_at = now
        db.session.flush()
        audit.record("invitation.expire", "invitation", invitation.id, actor=None,
                     after={"status": "expired", "deadline": invitation.deadline})  # fmt: skip
        _replace(invitation, now)
    return len(overdue)


def panel_status(panel: Panel) -> dict:
    rows = list(
        db.session.execute(select(Invitation).where(Invitation.panel_id == panel.id)).scalars()
    )
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    runs = list(
        db.session.execute(
            select(DrawRun).where(DrawRun.panel_id == panel.id).order_by(DrawRun.id)
        ).scalars()
    )
    wanted = sum(r.limits.get("count", 0) for r in runs)
    seated = counts.get("accepted", 0) + counts.get("pending", 0)
    return {
        "counts": counts,
        "wanted": wanted,
        "accepted": counts.get("accepted", 0),
        "pending": counts.get("pending", 0),
        "standby": counts.get("standby", 0),
        "short": max(0, wanted - seated - counts.get("standby", 0)),
        "runs": runs,
    }


# -- verification ---------------------------------------------------------------------------


def _candidate(row: dict) -> drawing.Candidate:
    return drawing.Candidate(
        expert_id=int(row["expert_id"]),
        unit=row.get("unit", ""),
        prefecture=row.get("prefecture"),
        specialties=tuple(row.get("specialties") or ()),
        recent_panels=int(row.get("recent_panels", 0)),
        available=bool(row.get("available", True)),
    )


def verify_run(run: DrawRun) -> list[str]:
    """Recompute a recorded draw from its snapshot and seed; differences in Chinese (empty:
    the draw is reproduced exactly and matches what the audit chain recorded)."""
    pool = [_candidate(row) for row in run.snapshot]
    problems = list(
        drawing.verify(pool, limits_from(run.limits), run.seed,
                       drawing.DrawResult(drawn=list(run.drawn), backups=list(run.backups),
                                          snapshot_hash=run.snapshot_hash, eligible=run.eligible,
                                          excluded=dict(run.excluded or {})))
    )  # fmt: skip
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "draw.run", AuditEvent.object_type == "draw_run",
                                 AuditEvent.object_id == str(run.id))
    ).scalar_one_or_none()  # fmt: skip
    if event is None:
        problems.append("审计链中没有这次抽取的记录。")
    else:
        recorded = event.after or {}
        if recorded.get("snapshot_hash") != run.snapshot_hash:
            problems.append("抽取记录的快照哈希与审计链记录不一致。")
        if recorded.get("seed") != run.seed:
            problems.append("抽取记录的种子与审计链记录不一致。")
        if list(recorded.get("drawn", [])) != list(run.drawn) or list(
            recorded.get("backups", [])
        ) != list(run.backups):
            problems.append("抽取结果与审计链记录不一致。")
    return problems


# -- the pledge -----------------------------------------------------------------------------

PLEDGE_ITEMS = (
    "本人对评审过程中接触的申报材料、评审意见和评审结果严格保密，不复制、不外传、不用于评审以外的任何用途。",
    "本人与本批次申报企业不存在任职、持股、咨询服务、亲属任职、协助编写申报材料等利益关系；"
    "如存在，已在下方如实申报。",
    "评审中发现与所评企业存在利益关系的，本人将立即在系统中申报回避，并停止评审该材料。",
    "本人独立、客观、公正地评分，不接受任何单位或个人的请托。",
)


def pledge_text(program: Program) -> str:
    head = f"“{program.name}”评审专家保密与回避承诺"
    return head + "\n" + "\n".join(f"{i}. {t}" for i, t in enumerate(PLEDGE_ITEMS, start=1))


def pledge_of(expert: Expert | None, program: Program) -> Pledge | None:
    if expert is None:
        return None
    return db.session.execute(
        select(Pledge).where(Pledge.expert_id == expert.id, Pledge.program_id == program.id)
    ).scalar_one_or_none()


def _expert_id_of(user_id):
    return select(Expert.id).where(Expert.user_id == user_id).scalar_subquery()


def pledges_signed(user_id):
    """How many pledges of the current program the user's expert profile signed (0 or 1), as a
    scalar subquery (an index lookup on the pledge's (expert, program) key)."""
    return (
        select(func.count(Pledge.id))
        .where(Pledge.expert_id == _expert_id_of(user_id),
               Pledge.program_id == current_program_id())
        .scalar_subquery()
    )  # fmt: skip


def invitations_pending(user_id):
    """How many invitations wait for the user's answer, as a scalar subquery."""
    return (
        select(func.count(Invitation.id))
        .where(Invitation.expert_id == _expert_id_of(user_id), Invitation.status == "pending")
        .scalar_subquery()
    )


@cache
def notice_statements():
    """(pledge signed?, (invitations pending, pledge signed)) for ``:user_id``: built once,
    since building them costs more than running them, and they run on every expert page."""
    user_id = bindparam("user_id")
    return (
        select(pledges_signed(user_id)),
        select(invitations_pending(user_id), pledges_signed(user_id)),
    )


def signed_current_pledge(user) -> bool:
    """Whether the user signed the current program's pledge, in one statement."""
    pledge, _ = notice_statements()
    return db.session.execute(pledge, {"user_id": user.id}).scalar_one() > 0


def sign_pledge(expert: Expert, program: Program, *, signed_name: str, agreed: bool,
                declared: list[dict], actor, now: datetime | None = None) -> Pledge:  # fmt: skip
    """Record the pledge; each declared relation becomes the expert's declared relation and a
    declared conflict with any application of the program it names (the expert is not told
    whether one matched: that would reveal who applied)."""
    if not can_sign_pledge(actor) or expert.user_id != actor.id:
        raise PermissionDenied("只能由专家本人签署承诺。")
    if pledge_of(expert, program) is not None:
        raise InvalidInput("您已签署本批次的保密与回避承诺。")
    if not agreed:
        raise InvalidInput("请逐条阅读并勾选“本人已阅读并承诺遵守以上各条”。")
    if (signed_name or "").strip() != expert.name:
        raise InvalidInput(f"签名应为您在专家库中登记的姓名“{expert.name}”。")
    clean = []
    for i, item in enumerate(declared, start=1):
        enterprise = (item.get("enterprise") or "").strip()
        kind = item.get("kind") or "other"
        if not enterprise:
            continue
        if kind not in RELATION_KINDS:
            raise InvalidInput(f"第{i}项申报的关系类型无效。")
        if len(enterprise) > 200:
            raise InvalidInput(f"第{i}项企业名称过长。")
        clean.append(
            {"enterprise": enterprise, "kind": kind, "note": (item.get("note") or "").strip()[:300]}
        )
    now = now or utcnow()
    for item in clean:
        uscc = item["enterprise"].upper()
        is_uscc = bool(USCC.match(uscc))
        expert.relations.append(
            ExpertRelation(
                enterprise_uscc=uscc if is_uscc else None,
                enterprise_name=None if is_uscc else item["enterprise"],
                kind=item["kind"], start_year=None, end_year=None,
                note=f"{now:%Y-%m-%d}签署保密与回避承诺时申报" + (f"：{item['note']}" if item["note"] else ""),
            )
        )  # fmt: skip
    text = pledge_text(program)
    pledge = Pledge(
        expert_id=expert.id, program_id=program.id, signed_at=now, signed_name=expert.name,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(), declared=clean,
    )  # fmt: skip
    db.session.add(pledge)
    db.session.flush()
    declined = 0
    if clean:
        conflict_service.detect_conflicts(program, actor, experts=[expert])
        declined = _decline_conflicted(expert, program, actor)
    audit.record(
        "pledge.sign", "pledge", pledge.id, actor=actor,
        after={"program": program.code, "text_sha256": pledge.text_sha256,
               "declared": len(clean), "assignments_declined": declined},
    )  # fmt: skip
    return pledge


def _decline_conflicted(expert: Expert, program: Program, actor) -> int:
    """Assignments the new declarations conflict with are declined for reassignment."""
    blocking = {a for e, a in conflict_service.blocking_pairs(program) if e == expert.id}
    rows = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id,
                                 Assignment.status.in_(("assigned", "reopened")),
                                 Assignment.application_id.in_(blocking or {-1}))
    ).scalars()  # fmt: skip
    n = 0
    for assignment in rows:
        assignment.status = "declined_conflict"
        n += 1
        db.session.flush()
        audit.record("assignment.declare_conflict", "assignment", assignment.id, actor=actor,
                     after={"status": "declined_conflict"}, reason="签署承诺时申报的关联关系")  # fmt: skip
    return n


def group_label(group: str) -> str:
    return GROUP_NAMES.get(group, group)
