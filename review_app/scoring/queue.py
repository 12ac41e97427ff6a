"""Where a scoring task stands in the expert's list: "第 3/12 份" and the next open task
("下一份"), in the order of 我的评审任务 (due date, then id), tasks declined for a conflict
left out (the list's progress counts them out too)."""

from dataclasses import dataclass

from sqlalchemy import select

from ..assignment.models import Assignment
from ..extensions import db

OPEN_STATUSES = ("assigned", "reopened")


@dataclass(frozen=True)
class Place:
    number: int  # 1-based place of this task in the list
    total: int
    next_open: int | None  # the next open task's assignment id (after this one, wrapping)


def place_of(assignment: Assignment) -> Place:
    rows = db.session.execute(
        select(Assignment.id, Assignment.status)
        .where(
            Assignment.expert_id == assignment.expert_id,
            Assignment.status != "declined_conflict",
        )
        .order_by(Assignment.due_date, Assignment.id)
    ).all()  # fmt: skip
    ids = [r.id for r in rows]
    here = ids.index(assignment.id) if assignment.id in ids else -1
    after = rows[here + 1 :] + rows[: max(here, 0)]
    next_open = next((r.id for r in after if r.status in OPEN_STATUSES and r.id != assignment.id),
                     None)  # fmt: skip
    return Place(number=here + 1, total=len(rows), next_open=next_open)
