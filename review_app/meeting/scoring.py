"""整体评分: an expert present at the meeting scores the whole application on one page. Each
section stays one review of one assignment (so aggregation, 复议 and the decision work as for
section review); the page saves all of the expert's open reviews of the application at once,
through the scoring verb, in the caller's one transaction: any section refused, nothing kept."""

from dataclasses import dataclass

from ..applications.catalogue import scored_sections
from ..applications.models import Application
from ..assignment.models import Assignment
from ..auth.permissions import require
from ..errors import DomainError, InvalidInput
from ..scoring import service as scoring
from ..scoring.models import Review
from . import people
from .models import MeetingSlot
from .permissions import can_score_in_meeting


@dataclass
class SectionTask:
    assignment: Assignment
    review: Review | None
    rubric: object  # SectionRubric

    @property
    def locked(self) -> bool:
        return self.review is not None and self.review.status == "submitted"


def section_tasks(slot: MeetingSlot, expert_id: int) -> list[SectionTask]:
    """The expert's sections of the slot's application in the catalogue's order."""
    app: Application = slot.application
    by_section = {a.section_id: a for a in people.tasks(expert_id, app.id)}
    reviews = scoring.reviews_of(by_section.values())
    out = []
    for spec in scored_sections(app.track_code):
        section = app.section(spec.key)
        if section is None or section.id not in by_section:
            continue
        a = by_section[section.id]
        out.append(SectionTask(a, reviews.get(a.id), scoring.rubric_section(section)))
    return out


def save_application(slot: MeetingSlot, entries: dict, comment: str, *, submit: bool,
                     actor) -> int:  # fmt: skip
    """Save (or submit) every open section of the expert's sheet: ``entries`` maps a section
    key to (values, note); a section without its own note takes ``comment``. Raises one
    InvalidInput listing every section's problem (the caller rolls back: nothing is kept).
    Returns the number of sections saved."""
    require(can_score_in_meeting(actor, slot), "只有签到的本组专家可以为该申报评分。")
    if slot.application.state != "expert_assigned":
        raise InvalidInput("该申报尚未开始评分（或评分已结束）。")
    comment = (comment or "").strip()
    tasks = [t for t in section_tasks(slot, people.expert_id_of(actor)) if not t.locked]
    if not tasks:
        raise InvalidInput("您对该申报的评分均已提交并锁定。")
    problems, saved = [], 0
    for task in tasks:
        values, note = entries.get(task.rubric.key, ({}, ""))
        try:
            scoring.save(task.assignment, values, note or comment, version=None, actor=actor,
                         submit=submit, review=task.review)  # fmt: skip
            saved += 1
        except DomainError as err:
            problems.append(f"【{task.rubric.title}】{err.message}")
    if problems:
        raise InvalidInput("未保存任何评分：" + "".join(problems), code="criteria")
    return saved
