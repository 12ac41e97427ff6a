"""The leak scan of an uploaded score sheet's comments: a comment can leave the panel (into the
专家组意见 and a result letter), so, as on the web form, one that carries the enterprise's
identifiers or the expert's own name or unit is refused, naming the row, the application's code
and what was found. The sheet has no place to show hits beside a draft, so a draft upload is
refused too; nothing of the sheet is saved."""

from ..assignment.models import Assignment
from ..extensions import db
from ..panel.comments import hits_message, leaks
from .sheet import SheetImport, SheetTask


def comment_leaks(parsed: SheetImport, tasks: dict[int, SheetTask]) -> list[str]:
    """One Chinese error per task whose comment (the sheet's, else the one saved) leaks."""
    errors = []
    for task_id in sorted(set(parsed.values) | set(parsed.comments)):
        task = tasks[task_id]
        comment = parsed.comments.get(task_id, task.comment)
        assignment = db.session.get(Assignment, task_id)
        hits = leaks(comment, assignment.application, assignment.expert)
        if not hits:
            continue
        row = parsed.comment_rows.get(task_id)
        where = f"评审意见!D{row}" if row else "已保存的评审意见"
        errors.append(
            f"{where}：任务{task_id}（{task.code} {task.section_title}）：{hits_message(hits)}"
        )
    return errors
