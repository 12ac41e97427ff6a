"""Where the program stands after the decision, for the dashboards (DESIGN.md section 10): the
stage and what is left (审定, 公示 days left, open objections, letters to release and their
mail as the outbox counts it, the archive written or not)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..applications.models import Application
from ..audit.models import AuditEvent
from ..clock import china_date, utcnow
from ..decision.models import DecisionRun, ResultNotice
from ..extensions import db
from ..outbox.tally import letters_sent
from ..programs.models import Program
from ..workflow.states import PROPOSAL_STATES
from .issue import issued
from .models import OPEN_OBJECTION_STATUSES, Objection
from .service import periods


@dataclass
class Stage:
    name: str  # the stage in Chinese
    awaiting_approval: int = 0  # proposed, not yet published (审定 and 公示 to do)
    running: list = field(default_factory=list)  # (track, kind, end, days left)
    open_objections: int = 0
    letters_draft: int = 0
    letters_released: int = 0
    issued_number: str = ""
    decided: bool = False  # a decision is confirmed: the dashboards show what is left
    mail_sent: int = 0  # the result letters' mail, counted as the 发件箱 counts (outbox.tally)
    mail_total: int = 0
    archived: bool = False  # an archive of the program has been written


def stage_of(program: Program, now: datetime | None = None) -> Stage:
    today = china_date(now or utcnow())

    def count(*states) -> int:
        return db.session.scalar(
            select(func.count(Application.id)).where(
                Application.program_id == program.id, Application.state.in_(states)
            )
        )

    in_proposal = count(*sorted(PROPOSAL_STATES))
    awaiting = count("proposed")
    running = [
        (p.track_code, p.kind_name, p.end_on, (p.end_on - today).days + 1)
        for p in periods(program)
        if p.start_on <= today <= p.end_on
    ]
    open_objections = db.session.scalar(
        select(func.count(Objection.id)).where(
            Objection.program_id == program.id,
            Objection.status.in_(sorted(OPEN_OBJECTION_STATUSES)),
        )
    )
    letters = dict(
        db.session.execute(
            select(ResultNotice.status, func.count(ResultNotice.id))
            .where(ResultNotice.program_id == program.id)
            .group_by(ResultNotice.status)
        ).all()
    )
    record = issued(program)
    if record is not None:
        name = "已正式发文" + ("，结果通知待发出" if letters.get("draft") else "，结果通知已发出")
    elif running:
        name = "公示中"
    elif awaiting:
        name = "待审定、公示"
    elif in_proposal:
        name = "待正式发文"
    else:
        name = "评审中"
    mail_sent, mail_total = letters_sent(program)
    return Stage(name, awaiting, running, open_objections, letters.get("draft", 0),
                 letters.get("released", 0), record.doc_number if record else "",
                 decided=_decided(program), mail_sent=mail_sent, mail_total=mail_total,
                 archived=_archived(program))  # fmt: skip


def _decided(program: Program) -> bool:
    return (
        db.session.scalar(
            select(func.count(DecisionRun.id)).where(
                DecisionRun.program_id == program.id, DecisionRun.status == "confirmed"
            )
        )
        > 0
    )


def _archived(program: Program) -> bool:
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "archive.write", AuditEvent.object_type == "program",
            AuditEvent.object_id == str(program.id),
        )
    ) > 0  # fmt: skip
