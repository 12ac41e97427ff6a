"""Who is who in a panel: its 组长, the members of one opinion (the experts who reviewed the
application's sections of that panel), the experts of a 复议 thread, and the codes that name
them to one another (专家A, 专家B … in assignment order: never a name to another expert)."""

from string import ascii_uppercase

from sqlalchemy import select

from .. import txmemo
from ..applications.catalogue import BY_KEY
from ..applications.models import Application, Section
from ..assignment.conflict_service import BLOCKING_STATUSES
from ..assignment.models import ACTIVE_ASSIGNMENT_STATUSES, Assignment, Conflict
from ..draws.models import Invitation
from ..experts.models import Expert, Panel
from ..experts.service import expert_of
from ..extensions import db
from ..scoring.in_force import MEETING_PANEL_GROUP, is_meeting_review
from .models import PanelLead


def lead_of(panel: Panel) -> Expert | None:
    """The 组长: the coordinator's choice, else the first drawn expert who accepted the
    panel's invitation (by the time of the answer), else nobody yet (memoised in the
    transaction, ``txmemo``)."""
    lead_id = txmemo.get("panel_lead", panel.id, lambda: _lead_id(panel))
    return db.session.get(Expert, lead_id) if lead_id is not None else None


def _lead_id(panel: Panel) -> int | None:
    row = db.session.execute(
        select(PanelLead).where(PanelLead.panel_id == panel.id)
    ).scalar_one_or_none()
    if row is not None:
        return row.expert.id  # loaded with it: the caller's get needs no query
    first = db.session.execute(
        select(Invitation)
        .where(Invitation.panel_id == panel.id, Invitation.role == "drawn",
               Invitation.status == "accepted")
        .order_by(Invitation.answered_at, Invitation.id)
        .limit(1)
    ).scalar_one_or_none()  # fmt: skip
    return first.expert.id if first is not None else None


def lead_source(panel: Panel) -> str | None:
    row = db.session.execute(
        select(PanelLead.source).where(PanelLead.panel_id == panel.id)
    ).scalar_one_or_none()
    if row is not None:
        return row
    return "accepted" if lead_of(panel) is not None else None


def panel_sections(application: Application, panel: Panel) -> list[Section]:
    """The application's sections that ``panel`` scores. In a 会议评审 the meeting's panel
    (综合组) scores every section and the other panels of the track none."""
    if is_meeting_review(application):
        if panel.section_group != MEETING_PANEL_GROUP:
            return []
        return [
            s
            for s in sorted(application.sections, key=lambda s: s.id)
            if s.key in BY_KEY and BY_KEY[s.key].group is not None
        ]
    return [
        s
        for s in sorted(application.sections, key=lambda s: s.id)
        if s.key in BY_KEY and BY_KEY[s.key].group == panel.section_group
    ]


def panel_of(application: Application, group: str) -> Panel | None:
    return db.session.execute(
        select(Panel).where(
            Panel.program_id == application.program_id,
            Panel.track_code == application.track_code,
            Panel.section_group == group,
        )
    ).scalar_one_or_none()


def opinion_assignments(application: Application, panel: Panel) -> list[Assignment]:
    """The active assignments of the application's sections in ``panel``, in assignment order."""
    ids = [s.id for s in panel_sections(application, panel)]
    if not ids:
        return []
    return list(
        db.session.execute(
            select(Assignment)
            .where(Assignment.section_id.in_(ids),
                   Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES))
            .order_by(Assignment.id)
        ).scalars()
    )  # fmt: skip


def member_ids(application: Application, panel: Panel) -> list[int]:
    """The experts who reviewed the application in ``panel`` (assignment order, once each;
    memoised in the transaction)."""
    return list(txmemo.get("panel_members", (application.id, panel.id), lambda: tuple(
        dict.fromkeys(a.expert_id for a in opinion_assignments(application, panel))
    )))  # fmt: skip


def members_by_application(applications, panel: Panel) -> dict[int, list[int]]:
    """``member_ids`` of each of ``applications`` (its id → the list, empty when nobody), in
    one query instead of one per application."""
    ids = [a.id for a in applications]
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    keys = {a.id: _panel_keys(a, panel) for a in applications}
    memo = txmemo.reading()
    rows = db.session.execute(
        select(Assignment.application_id, Assignment.expert_id, Section.key)
        .join(Section, Section.id == Assignment.section_id)
        .where(Section.application_id.in_(ids), Section.key.in_(set().union(*keys.values())),
               Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES))
        .order_by(Assignment.id)
    )  # fmt: skip
    for application_id, expert_id, key in rows:
        if key in keys[application_id] and expert_id not in out[application_id]:
            out[application_id].append(expert_id)
    # what ``member_ids`` would read of each, for the rest of the transaction
    txmemo.prime("panel_members", {(i, panel.id): tuple(found) for i, found in out.items()}, memo)
    return out


def _panel_keys(application: Application, panel: Panel) -> set[str]:
    """The keys of the sections of ``application`` that ``panel`` scores, as ``panel_sections``
    chooses them (in a 会议评审 the meeting's panel every scored section, other panels none)."""
    if is_meeting_review(application):
        if panel.section_group != MEETING_PANEL_GROUP:
            return set()
        return {k for k, spec in BY_KEY.items() if spec.group is not None}
    return {k for k, spec in BY_KEY.items() if spec.group == panel.section_group}


def code_at(n: int) -> str:
    """The code of the ``n``-th reviewer (from 0): 专家A … 专家Z, then 专家A1 …"""
    return "专家" + ascii_uppercase[n % 26] + (str(n // 26) if n >= 26 else "")


def codes(expert_ids) -> dict[int, str]:
    """专家A, 专家B … in the order given."""
    return {expert_id: code_at(n) for n, expert_id in enumerate(dict.fromkeys(expert_ids))}


def is_panel_lead(user, panel: Panel) -> bool:
    expert = expert_of(user)
    lead = lead_of(panel)
    return expert is not None and lead is not None and lead.id == expert.id


def conflicted(expert_id: int, application: Application) -> bool:
    """A conflict of interest (active, pinned or pending) of the expert with the enterprise
    (memoised in the transaction)."""
    key = (expert_id, application.enterprise_id)
    return txmemo.get("conflicted", key, lambda: _conflicted(expert_id, application))


def read_conflicts(expert_id: int, applications) -> None:
    """``conflicted`` of the expert with each application's enterprise, read in one query and
    kept for the transaction (a 组长 going through the panel's applications)."""
    enterprises = {a.enterprise_id for a in applications}
    if not enterprises:
        return
    memo = txmemo.reading()
    found = set(
        db.session.execute(
            select(Conflict.enterprise_id).where(
                Conflict.expert_id == expert_id,
                Conflict.enterprise_id.in_(enterprises),
                Conflict.status.in_(BLOCKING_STATUSES),
            )
        ).scalars()
    )
    txmemo.prime("conflicted", {(expert_id, e): e in found for e in enterprises}, memo)


def _conflicted(expert_id: int, application: Application) -> bool:
    return (
        db.session.execute(
            select(Conflict.id).where(
                Conflict.expert_id == expert_id,
                Conflict.enterprise_id == application.enterprise_id,
                Conflict.status.in_(BLOCKING_STATUSES),
            )
        ).first()
        is not None
    )


def acting_lead_id(
    application: Application, panel: Panel, lead: Expert | None = None
) -> int | None:
    """Who leads this application's opinion: the 组长, or, when the 组长 has a conflict with the
    enterprise, the first other member who reviewed it (代组长: assigned, so without a conflict)."""
    lead = lead if lead is not None else lead_of(panel)
    if lead is None:
        return None
    if not conflicted(lead.id, application):
        return lead.id
    return next((m for m in member_ids(application, panel) if m != lead.id), None)


def is_lead(user, opinion) -> bool:
    """``user`` leads ``opinion`` (the 组长, or the 代组长 where the 组长 has a conflict)."""
    expert = expert_of(user)
    return expert is not None and expert.id == acting_lead_id(opinion.application, opinion.panel)


def is_member(user, opinion) -> bool:
    expert = expert_of(user)
    return expert is not None and expert.id in member_ids(opinion.application, opinion.panel)


def flag_expert_ids(flag) -> list[int]:
    """The experts assigned (actively) to the flagged section, in assignment order."""
    return list(
        db.session.execute(
            select(Assignment.expert_id)
            .where(Assignment.section_id == flag.section_id,
                   Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES))
            .order_by(Assignment.id)
        ).scalars()
    )  # fmt: skip


def assigned_to_flag(user, flag) -> bool:
    expert = expert_of(user)
    return expert is not None and expert.id in flag_expert_ids(flag)


def section_codes(section_id: int) -> dict[int, str]:
    """The reviewers' codes of one section: every assignment it ever had, in assignment order
    (so a code never changes when a task is declined or added)."""
    return codes(
        db.session.execute(
            select(Assignment.expert_id)
            .where(Assignment.section_id == section_id)
            .order_by(Assignment.id)
        ).scalars()
    )


def codes_by_section(section_ids) -> dict[int, dict[int, str]]:
    """``section_codes`` of each of ``section_ids``, in one query (a page listing many)."""
    ids = list(dict.fromkeys(section_ids))
    experts: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for section_id, expert_id in db.session.execute(
            select(Assignment.section_id, Assignment.expert_id)
            .where(Assignment.section_id.in_(ids))
            .order_by(Assignment.id)
        ):
            experts[section_id].append(expert_id)
    return {section_id: codes(found) for section_id, found in experts.items()}


def panel_reviewer_ids(panel: Panel) -> list[int]:
    """The experts with an active assignment on the panel's sections in its program and track."""
    keys = [k for k, spec in BY_KEY.items() if spec.group == panel.section_group]
    return list(dict.fromkeys(
        db.session.execute(
            select(Assignment.expert_id)
            .join(Section, Section.id == Assignment.section_id)
            .join(Application, Application.id == Assignment.application_id)
            .where(Application.program_id == panel.program_id,
                   Application.track_code == panel.track_code, Section.key.in_(keys),
                   Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES))
            .order_by(Assignment.id)
        ).scalars()
    ))  # fmt: skip
