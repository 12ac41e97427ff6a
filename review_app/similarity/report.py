"""雷同 in the format-check report: a warning on each of this program's applications in a pair
the coordinator marked 雷同. The other application is not named (a prefecture officer reads the
report of its own application)."""

from sqlalchemy import or_, select

from ..extensions import db
from ..intake.parsed import WARNING, Problem
from .models import SimilarityFinding

CODE = "similar_text"


def similarity_problems(application_id: int) -> list[Problem]:
    """The warnings for ``application_id``: one per section in a pair marked 雷同."""
    rows = db.session.execute(
        select(SimilarityFinding).where(
            SimilarityFinding.status == "similar",
            or_(SimilarityFinding.application_a_id == application_id,
                SimilarityFinding.application_b_id == application_id),
        ).order_by(SimilarityFinding.id)
    ).scalars()  # fmt: skip
    problems, seen = [], set()
    for finding in rows:
        mine = (
            finding.section_a if finding.application_a_id == application_id else finding.section_b
        )
        if mine.application.program_id != finding.program_id or mine.key in seen:
            continue  # an earlier year's application keeps its report as it was
        seen.add(mine.key)
        problems.append(Problem(CODE, WARNING, mine.key,
                                f"“{mine.title}”章节与另一份申报书的内容雷同（省厅已核定）。"))  # fmt: skip
    return problems


def refresh(application) -> None:
    """Put ``application``'s 雷同 warnings in its stored format report (the rest unchanged)."""
    report = [p for p in (application.format_report or []) if p.get("code") != CODE]
    report += [
        {"code": p.code, "severity": p.severity, "field": p.field, "message": p.message}
        for p in similarity_problems(application.id)
    ]
    application.format_report = report
