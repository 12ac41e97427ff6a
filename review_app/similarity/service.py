"""雷同检测 over the database: detect a program's findings, and the coordinator's verdict.

``detect`` compares every section of the program's applications (withdrawn ones left out) with
every other application's sections and with the sections of the earlier years' programs, and
reconciles the findings: a pending finding is replaced by what this run finds (or deleted when
the pair is no longer found, e.g. after a section changed); a marked finding (正常 or 雷同) is
the coordinator's verdict on the texts it keeps, and no run changes or deletes it.

Each verb flushes and writes its audit event; the caller commits.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..applications.models import Application, Section
from ..audit import service as audit
from ..clock import utcnow
from ..enterprises.models import Enterprise
from ..errors import InvalidInput
from ..extensions import db
from ..paging import like_pattern
from ..programs.models import Program
from . import report
from .candidates import Doc
from .detect import find_pairs, settings_from
from .models import KINDS, STATUSES, SimilarityFinding
from .permissions import require_review_similarity

MAX_REASON = 500


@dataclass
class DetectReport:
    sections: int
    found: int
    created: int
    updated: int
    removed: int
    kept_marked: int


def _sections(programs: list[int]) -> list[tuple[Section, Application]]:
    rows = db.session.execute(
        select(Section, Application)
        .join(Application, Section.application_id == Application.id)
        .where(Application.program_id.in_(programs), Application.state != "withdrawn")
        .order_by(Application.id, Section.id)
    ).all()  # fmt: skip
    return [(section, application) for section, application in rows]


def _kind(a: Application, b: Application, earlier: bool) -> str:
    if earlier:
        return "own_earlier" if a.enterprise_id == b.enterprise_id else "earlier_other"
    return "same_prefecture" if a.prefecture_id == b.prefecture_id else "cross_prefecture"


def detect(program: Program, actor=None) -> DetectReport:
    """Find and store the program's findings (see the module's docstring); audited."""
    earlier_ids = list(
        db.session.execute(select(Program.id).where(Program.year < program.year)).scalars()
    )
    current = _sections([program.id])
    earlier = _sections(earlier_ids) if earlier_ids else []
    rows = current + earlier
    docs = [Doc(s.text or "", app.id, k >= len(current)) for k, (s, app) in enumerate(rows)]
    found = find_pairs(docs, settings_from(program.settings))
    existing = {
        (f.section_a_id, f.section_b_id): f
        for f in db.session.execute(
            select(SimilarityFinding).where(SimilarityFinding.program_id == program.id)
        ).scalars()
    }
    seen, created, updated = set(), 0, 0
    for pair in found:
        (sa, aa), (sb, ab) = rows[pair.a], rows[pair.b]
        is_earlier = pair.b >= len(current)
        if not is_earlier and sb.id < sa.id:
            (sa, aa), (sb, ab) = (sb, ab), (sa, aa)
            passages = [[p.start_b, p.start_a, p.length_b, p.length_a]
                        for p in pair.comparison.passages]  # fmt: skip
        else:
            passages = [[p.start_a, p.start_b, p.length_a, p.length_b]
                        for p in pair.comparison.passages]  # fmt: skip
        key = (sa.id, sb.id)
        seen.add(key)
        finding = existing.get(key)
        if finding is not None and finding.status != "pending":
            continue
        values = {
            "kind": _kind(aa, ab, is_earlier), "score": pair.comparison.score,
            "shared_chars": pair.comparison.shared_chars, "passages": passages,
            "text_a": sa.text or "", "text_b": sb.text or "",
        }  # fmt: skip
        if finding is None:
            db.session.add(SimilarityFinding(
                program_id=program.id, application_a_id=aa.id, application_b_id=ab.id,
                section_a_id=sa.id, section_b_id=sb.id, status="pending", reason="", **values,
            ))  # fmt: skip
            created += 1
        elif any(getattr(finding, k) != v for k, v in values.items()):
            for name, value in values.items():
                setattr(finding, name, value)
            updated += 1
    removed = kept = 0
    for key, finding in existing.items():
        if key in seen:
            continue
        if finding.status == "pending":
            db.session.delete(finding)
            removed += 1
        else:
            kept += 1
    db.session.flush()
    result = DetectReport(len(current), len(found), created, updated, removed, kept)
    audit.record("similarity.detect", "program", program.id, actor=actor,
                 after=result.__dict__)  # fmt: skip
    return result


def mark(finding: SimilarityFinding, status: str, reason: str, actor) -> SimilarityFinding:
    """The coordinator marks a finding 正常 or 雷同 with a reason; 雷同 becomes a warning in the
    format report of this program's application(s) of the pair. Audited."""
    require_review_similarity(actor)
    reason = (reason or "").strip()
    if status not in ("normal", "similar"):
        raise InvalidInput("请选择“正常”或“雷同”。", "status")
    if not reason:
        raise InvalidInput("请填写判断理由。", "reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"判断理由不能超过{MAX_REASON}字。", "reason")
    before = {"status": finding.status, "reason": finding.reason}
    finding.status, finding.reason = status, reason
    finding.marked_by_id, finding.marked_at = actor.id, utcnow()
    db.session.flush()
    for application in {finding.application_a, finding.application_b}:
        if application.program_id == finding.program_id:
            report.refresh(application)
    db.session.flush()
    audit.record("similarity.mark", "similarity_finding", finding.id, actor=actor, before=before,
                 after={"status": status, "reason": reason, "kind": finding.kind,
                        "sections": [finding.section_a_id, finding.section_b_id]})  # fmt: skip
    return finding


FINDING_SORTS = {"score": "相似度（高在前）", "shared": "共同字数（多在前）", "newest": "最新在前"}


def findings(
    program: Program, status: str | None = None, kind: str | None = None, q: str = "",
    sort: str = "score",
):  # fmt: skip
    """The program's findings (filters: status, kind, an enterprise's name on either side),
    highest score first unless ``sort`` says otherwise (FINDING_SORTS)."""
    query = select(SimilarityFinding).where(SimilarityFinding.program_id == program.id)
    if status in STATUSES:
        query = query.where(SimilarityFinding.status == status)
    if kind in KINDS:
        query = query.where(SimilarityFinding.kind == kind)
    if q:
        names = (
            select(Application.id)
            .join(Enterprise, Enterprise.id == Application.enterprise_id)
            .where(Enterprise.name.like(like_pattern(q), escape="\\"))
        )
        query = query.where(or_(SimilarityFinding.application_a_id.in_(names),
                                SimilarityFinding.application_b_id.in_(names)))  # fmt: skip
    order = {
        "shared": (SimilarityFinding.shared_chars.desc(), SimilarityFinding.id),
        "newest": (SimilarityFinding.id.desc(),),
    }.get(sort, (SimilarityFinding.score.desc(), SimilarityFinding.id))
    return query.order_by(*order)


def marked_pairs(program: Program, track: str | None = None) -> list[SimilarityFinding]:
    """The pairs the coordinator marked (for the decision page), 雷同 first."""
    query = (
        select(SimilarityFinding)
        .join(Application, SimilarityFinding.application_a_id == Application.id)
        .where(SimilarityFinding.program_id == program.id,
               SimilarityFinding.status.in_(("normal", "similar")))
    )  # fmt: skip
    if track:
        query = query.where(Application.track_code == track)
    rows = db.session.execute(query.order_by(SimilarityFinding.id)).scalars().all()
    return sorted(rows, key=lambda f: (f.status != "similar", -f.score, f.id))
