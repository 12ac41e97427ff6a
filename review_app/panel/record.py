"""What the pages and reports read of the panel's record: the 专家组意见 status per application
and panel, the expert's own tasks (as 组长 and as member), and the signed opinions."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..applications.models import Application
from ..assignment.models import ACTIVE_ASSIGNMENT_STATUSES, Assignment
from ..experts.models import Expert, Panel
from ..extensions import db
from ..programs.models import Program
from ..scoring.models import DispersionFlag
from . import roles
from .models import PanelOpinion


def track_panels(program: Program, track: str) -> list[Panel]:
    return list(
        db.session.execute(
            select(Panel)
            .where(Panel.program_id == program.id, Panel.track_code == track)
            .order_by(Panel.id)
        ).scalars()
    )


def reviewed_applications(program: Program, track: str) -> list[Application]:
    """The track's applications with an expert assigned, by anonymous code."""
    ids = select(Assignment.application_id).where(Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES))
    return list(
        db.session.execute(
            select(Application)
            .where(Application.program_id == program.id, Application.track_code == track,
                   Application.id.in_(ids))
            .order_by(Application.anon_code)
        ).scalars()
    )  # fmt: skip


def opinions_by_key(application_ids, *options) -> dict[tuple[int, int], PanelOpinion]:
    """The opinions of the applications by (application, panel); ``options``: what the caller
    reads of them, loaded with them (``selectinload(PanelOpinion.votes)``)."""
    ids = list(application_ids)
    if not ids:
        return {}
    return {
        (o.application_id, o.panel_id): o
        for o in db.session.execute(
            select(PanelOpinion).where(PanelOpinion.application_id.in_(ids)).options(*options)
        ).scalars()
    }


@dataclass
class StatusRow:
    application: Application
    cells: dict  # panel id -> PanelOpinion or None
    signed: int
    objections: int


def status_table(program: Program, track: str) -> tuple[list[Panel], list[StatusRow]]:
    """专家组意见 status per application (rows) and panel (columns)."""
    panels = track_panels(program, track)
    apps = reviewed_applications(program, track)
    found = opinions_by_key((a.id for a in apps), selectinload(PanelOpinion.votes))
    rows = []
    for app in apps:
        cells = {p.id: found.get((app.id, p.id)) for p in panels}
        done = [o for o in cells.values() if o is not None and o.status == "signed"]
        rows.append(StatusRow(app, cells, len(done),
                              sum(v.stance == "object" for o in done for v in o.votes)))  # fmt: skip
    return panels, rows


@dataclass
class Task:
    application: Application
    panel: Panel
    opinion: PanelOpinion | None
    as_lead: bool


def expert_tasks(expert: Expert, program: Program) -> list[Task]:
    """The expert's 专家组意见: to draft and sign for each application of a panel it leads; to
    confirm for each circulated or signed opinion of an application it reviewed."""
    tasks: list[Task] = []
    panels = db.session.execute(select(Panel).where(Panel.program_id == program.id)).scalars()
    for panel in panels:
        lead = roles.lead_of(panel)
        if lead is None:
            continue
        apps = []
        for a in reviewed_applications(program, panel.track_code):
            members = roles.member_ids(a, panel)
            if not members or expert.id not in (lead.id, *members[:2]):
                continue  # only the 组长, or the first other member as 代组长, may lead it
            if roles.acting_lead_id(a, panel, lead) == expert.id:
                apps.append(a)
        found = opinions_by_key(a.id for a in apps)
        tasks += [Task(a, panel, found.get((a.id, panel.id)), True) for a in apps]
    mine = db.session.execute(
        select(PanelOpinion)
        .join(Application, Application.id == PanelOpinion.application_id)
        .where(Application.program_id == program.id,
               PanelOpinion.status.in_(("circulated", "signed")))
        .order_by(PanelOpinion.id)
    ).scalars()  # fmt: skip
    led = {(t.application.id, t.panel.id) for t in tasks}
    for opinion in mine:
        if (opinion.application_id, opinion.panel_id) in led:
            continue
        if expert.id in roles.member_ids(opinion.application, opinion.panel):
            tasks.append(Task(opinion.application, opinion.panel, opinion, False))
    return tasks


def signed_opinions(application_ids) -> dict[int, list[PanelOpinion]]:
    """The signed opinions of each application, by panel."""
    ids = list(application_ids)
    out: dict[int, list[PanelOpinion]] = {}
    if not ids:
        return out
    for o in db.session.execute(
        select(PanelOpinion)
        .where(PanelOpinion.application_id.in_(ids), PanelOpinion.status == "signed")
        .order_by(PanelOpinion.panel_id)
    ).scalars():
        out.setdefault(o.application_id, []).append(o)
    return out


def expert_flags(expert: Expert, program: Program) -> list:
    """The 复议 flags of the sections the expert reviews in the program, newest first."""
    sections = select(Assignment.section_id).where(
        Assignment.expert_id == expert.id, Assignment.status.in_(ACTIVE_ASSIGNMENT_STATUSES)
    )
    return list(
        db.session.execute(
            select(DispersionFlag)
            .join(Application, Application.id == DispersionFlag.application_id)
            .where(Application.program_id == program.id,
                   DispersionFlag.section_id.in_(sections))
            .order_by(DispersionFlag.id.desc())
        ).scalars()
    )  # fmt: skip


def panels_led(expert: Expert, program: Program) -> list[Panel]:
    """The panels of the program whose 组长 the expert is."""
    panels = db.session.execute(select(Panel).where(Panel.program_id == program.id)).scalars()
    return [p for p in panels if (lead := roles.lead_of(p)) is not None and lead.id == expert.id]
