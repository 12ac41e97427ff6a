"""Comments where decisions are made, and the leak scan of text that can leave the panel.

A review's comment is read beside its scores by the coordinator; to another expert its author
is a code. Text that can leave the panel (a comment, which the 专家组意见 is drafted from, and the
opinion itself, which may go into the decision report and a result letter) is scanned, with the
anonymisation's own leak scan, for the application's identifiers and for the author's own name
and unit; the hits are shown to the author to rephrase."""

from dataclasses import dataclass

from sqlalchemy import select

from .. import txmemo
from ..anonymise.identifiers import identifiers
from ..anonymise.leakscan import scan
from ..anonymise.redaction_types import Identity
from ..anonymise.service import identity_for
from ..applications.models import Application
from ..assignment.models import Assignment
from ..errors import InvalidInput
from ..experts.models import Expert
from ..extensions import db
from ..scoring.models import Review
from . import roles

KIND_NAMES = {
    "enterprise": "企业名称或简称",
    "person": "人名",
    "code": "统一社会信用代码",
    "phone": "电话",
    "email": "邮箱",
    "url": "网址",
    "address": "地址",
    "place": "地名",
}


@dataclass(frozen=True)
class Hit:
    """One identifier found in a text: what was found, what it identifies, and its context."""

    found: str
    what: str
    context: str


def leaks(text: str, application: Application, expert: Expert | None) -> list[Hit]:
    """Every identifier of the application's enterprise, and of ``expert`` (name, unit), that
    ``text`` still carries, in text order."""
    if not (text or "").strip():
        return []
    # The application's identifiers, read and compiled once per transaction (each of its
    # panels' opinions is scanned at 征求意见: a panel's 组长 goes through the applications one
    # panel after another, more than the compiled identifiers' own cache holds at a province's
    # size); forgotten at any write they may depend on (``txmemo``).
    identity, known = txmemo.get("identity", application.id, lambda: _identity(application))
    found = [
        (leak.position, Hit(leak.found, KIND_NAMES.get(leak.kind, leak.kind), leak.context))
        for leak in scan(text, identity, known=known)
    ]
    if expert is not None:
        own = Identity(enterprise_name=expert.employer or "", people=[expert.name])
        for leak in scan(text, own):
            what = "本人姓名" if leak.kind == "person" else "本人工作单位"
            found.append((leak.position, Hit(leak.found, what, leak.context)))
    return [hit for _, hit in sorted(found, key=lambda f: f[0])]


def _identity(application: Application) -> tuple[Identity, list]:
    identity = identity_for(application)
    return identity, identifiers(identity)


def hits_message(hits: list[Hit]) -> str:
    """The hits as one Chinese sentence for the author."""
    listed = "；".join(f"“{h.found}”（{h.what}）" for h in hits[:10])
    more = f"等{len(hits)}处" if len(hits) > 10 else ""
    return f"以下内容可能暴露企业或本人身份，请改写后再提交：{listed}{more}。"


@dataclass(frozen=True)
class SectionComment:
    """One review of a section as the record shows it: code, expert, total, comment."""

    assignment: Assignment
    review: Review | None
    code: str

    @property
    def comment(self) -> str:
        return self.review.comment if self.review is not None else ""


def section_comments(section_ids: list[int]) -> dict[int, list[SectionComment]]:
    """Per section: each assignment with its review and its reviewer's code (codes per section,
    in assignment order), in one query."""
    out: dict[int, list[SectionComment]] = {}
    if not section_ids:
        return out
    rows = db.session.execute(
        select(Assignment, Review)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.section_id.in_(section_ids))
        .order_by(Assignment.id)
    ).all()
    by_section: dict[int, list] = {}
    for a, r in rows:
        by_section.setdefault(a.section_id, []).append((a, r))
    for section_id, pairs in by_section.items():
        names = roles.codes(a.expert_id for a, _ in pairs)  # every assignment: section_codes
        out[section_id] = [SectionComment(a, r, names[a.expert_id]) for a, r in pairs]
    return out


def review_comment_hits(assignment: Assignment, review: Review | None) -> list[Hit]:
    """The hits in the expert's saved comment, shown on its scoring form."""
    if review is None or not (review.comment or "").strip():
        return []
    return leaks(review.comment, assignment.application, assignment.expert)


def refuse_leaky_comment(assignment: Assignment, text: str) -> None:
    """A comment submitted for good must not carry an identifier: InvalidInput naming them."""
    hits = leaks(text, assignment.application, assignment.expert)
    if hits:
        raise InvalidInput(hits_message(hits), code="comment_leak")
