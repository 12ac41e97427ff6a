"""Reminders the queue schedules (DESIGN.md section 9): reviews due within 48 hours and
overdue ones, one message per expert, kind and day; invitations past their deadline expire."""

from datetime import datetime, timedelta

from sqlalchemy import select

from ..applications.models import Application, Section
from ..assignment.models import Assignment
from ..clock import china_date, utcnow
from ..experts.models import Expert
from ..extensions import db
from ..programs.models import Program
from . import service
from .models import OutboxMessage


def schedule_reminders(now: datetime | None = None) -> dict[str, int]:
    """Compose today's reminders (a day's reminder is composed once, whenever this runs)."""
    now = now or utcnow()
    today = china_date(now)
    rows = db.session.execute(
        select(Assignment.due_date, Expert, Application.anon_code, Section.title, Program)
        .join(Expert, Expert.id == Assignment.expert_id)
        .join(Application, Application.id == Assignment.application_id)
        .join(Section, Section.id == Assignment.section_id)
        .join(Program, Program.id == Application.program_id)
        .where(Assignment.status.in_(("assigned", "reopened")), Assignment.due_date.is_not(None),
               Assignment.due_date <= today + timedelta(days=1))
        .order_by(Expert.id, Assignment.due_date, Application.anon_code)
    ).all()  # fmt: skip
    grouped: dict[tuple, list] = {}
    experts, programs = {}, {}
    for due, expert, code, title, program in rows:
        kind = "review_overdue" if due < today else "review_due"
        grouped.setdefault((expert.id, program.id, kind), []).append(
            {"code": code, "section": title, "due": due.isoformat()}
        )
        experts[expert.id], programs[program.id] = expert, program
    made = {"review_due": 0, "review_overdue": 0}
    for (expert_id, program_id, kind), items in grouped.items():
        expert, program = experts[expert_id], programs[program_id]
        key = f"{kind}:{program_id}:{expert_id}:{today.isoformat()}"
        before = db.session.execute(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        ).first()
        service.compose(
            kind, key=key, template=kind, recipient=expert.user, program=program,
            to_name=expert.name, to_address=expert.email,
            context={"expert_name": expert.name, "program_name": program.name, "items": items},
        )  # fmt: skip
        if before is None:
            made[kind] += 1
    return made
