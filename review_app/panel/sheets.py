"""Signed sheets (.docx): each expert's 评分表 for the program and each panel's 评审意见汇总表.
Generated on demand from the database; kept as signed (``SignedSheet``, with its SHA-256) when
the expert, or the 组长, signs it off."""

import hashlib
import threading
from copy import deepcopy
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import docx_fast
from ..applications.models import Application, Section
from ..assignment.models import Assignment
from ..audit import service as audit
from ..auth.permissions import require
from ..clock import china_date, utcnow
from ..decision import office
from ..errors import InvalidInput
from ..experts.models import Expert, Panel
from ..experts.service import expert_of
from ..extensions import db
from ..programs.models import Program
from ..scoring.in_force import rubric_for
from ..scoring.models import Review, ReviewScore
from . import record, roles
from .models import STANCES, PanelOpinion, SignedSheet
from .permissions import is_panel_lead

SCORE_COLUMNS = (("匿名编号", 3, "centre"), ("评审章节", 4, "text"), ("评分项", 6, "text"),
                 ("得分", 2, "score"))  # fmt: skip
SUMMARY_COLUMNS = (("匿名编号", 3, "centre"), ("项目", 3, "centre"), ("内容", 12, "text"))


def _tasks(expert: Expert, program: Program):
    return (
        select(Assignment, Review)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .join(Application, Application.id == Assignment.application_id)
        .where(Assignment.expert_id == expert.id, Application.program_id == program.id,
               Assignment.status != "declined_conflict")
    )  # fmt: skip


class _Task(NamedTuple):
    """One task of the expert as the 评分表 shows it (columns, not ORM objects: an expert has
    dozens of tasks, each with its scores)."""

    status: str
    anon_code: str
    track_code: str
    section_key: str
    section_title: str
    review_id: int | None
    review_status: str | None
    total: object
    comment: str | None


def _sheet_tasks(expert: Expert, program: Program) -> tuple[list[_Task], dict[int, dict]]:
    """The expert's tasks in the program (by anonymous code) and the scores of their reviews
    (review id -> criterion code -> (points, not applicable)): two queries."""
    tasks = [
        _Task(*row)
        for row in db.session.execute(
            select(Assignment.status, Application.anon_code, Application.track_code, Section.key,
                   Section.title, Review.id, Review.status, Review.total, Review.comment)
            .join(Application, Application.id == Assignment.application_id)
            .join(Section, Section.id == Assignment.section_id)
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.expert_id == expert.id, Application.program_id == program.id,
                   Assignment.status != "declined_conflict")
            .order_by(Application.anon_code, Assignment.id)
        )
    ]  # fmt: skip
    scores: dict[int, dict] = {t.review_id: {} for t in tasks if t.review_id is not None}
    if scores:
        for review_id, code, points, not_applicable in db.session.execute(
            select(ReviewScore.review_id, ReviewScore.criterion_code, ReviewScore.points,
                   ReviewScore.not_applicable)
            .where(ReviewScore.review_id.in_(list(scores)))
        ):  # fmt: skip
            scores[review_id][code] = (points, not_applicable)
    return tasks, scores


def score_sheet_docx(expert: Expert, program: Program, *, signed: bool = False) -> bytes:
    """专家评分表: every task of the expert in the program, criterion by criterion, with the
    comment, the total, the date and a signature line."""
    return _score_sheet(expert, program, *_sheet_tasks(expert, program), signed)


def _score_sheet(expert: Expert, program: Program, tasks: list[_Task], scores: dict,
                 signed: bool) -> bytes:  # fmt: skip
    """The 评分表 of ``tasks`` and ``scores`` (``_sheet_tasks``)."""
    doc, holder = _kept_document(f"{program.name}专家评分表")
    office.paragraph(doc, f"评审专家：{expert.name}　　工作单位：{expert.employer}")
    rows = []
    comments = []
    rubrics = {}
    for t in tasks:
        code, title = t.anon_code, t.section_title
        points = scores.get(t.review_id, {})
        rubric = rubrics.get(t.track_code)
        if rubric is None:
            rubric = rubrics[t.track_code] = rubric_for(t.track_code, program)
        for c in rubric.section(t.section_key).criteria:
            s = points.get(c.code)  # (points, not applicable)
            value = "不适用" if s is not None and s[1] else (
                float(s[0]) if s is not None and s[0] is not None else None)  # fmt: skip
            rows.append((code, title, f"{c.code} {c.title}（满分{c.max:g}）", value))
        total = float(t.total) if t.total is not None else None
        rows.append((code, title, "章节得分" + ("" if t.review_status == "submitted"
                                              else "（未提交）"), total))  # fmt: skip
        comments.append((code, title, t.comment if t.review_id is not None else ""))
    office.table(doc, SCORE_COLUMNS, rows)
    office.heading(doc, "评审意见")
    office.table(doc, (("匿名编号", 3, "centre"), ("评审章节", 4, "text"), ("评审意见", 12, "text")),
                 comments)  # fmt: skip
    _signature(doc, "专家签名", signed)
    return docx_fast.save(doc, holder)


_KEPT = threading.local()
_KEPT_TITLES = 8  # documents kept per thread (one per program and kind)


def _kept_document(title: str) -> tuple[object, SimpleNamespace]:
    """A new ``office.document(title, draft=False)`` and its ``docx_fast`` holder. The first
    of a title (in this thread) is made by ``office.document``; the next reuse its package (the
    template parsed, the styles set: most of a small document's time) with the main part's XML
    replaced by a copy of the first one's as it was made. Its bytes: ``docx_fast.save(doc,
    holder)``: the members ``office.to_bytes`` writes, the parts other than the main one
    serialised and deflated once. (The body is replaced rather than emptied: lxml walks every
    node of a subtree it removes, longer than building the sheet.)"""
    kept = getattr(_KEPT, "docs", None)
    if kept is None:
        kept = _KEPT.docs = {}
    entry = kept.pop(title, None)
    if entry is None:
        doc = office.document(title, draft=False)
        entry = (doc.part, deepcopy(doc.element), SimpleNamespace())
    else:
        part = entry[0]
        part._element = deepcopy(entry[1])  # noqa: SLF001 - the part's XML, as parsed or built
        doc = part.document  # python-docx's Document over that XML
    kept[title] = entry  # the most recently used last
    while len(kept) > _KEPT_TITLES:
        kept.pop(next(iter(kept)))
    return doc, entry[2]


def summary_docx(panel: Panel, program: Program, *, signed: bool = False) -> bytes:
    """评审意见汇总表: the panel's opinion on each application it reviewed (status, strengths,
    problems, recommendation, the members' objections with their reasons), signed by the 组长."""
    doc, holder = _kept_document(f"{program.name}评审意见汇总表")
    lead = roles.lead_of(panel)
    office.paragraph(doc, f"专家组：{panel.name}　　组长：{lead.name if lead else '—'}")
    reviewed = record.reviewed_applications(program, panel.track_code)
    members = roles.members_by_application(reviewed, panel)
    apps = [a for a in reviewed if members[a.id]]
    found = record.opinions_by_key((a.id for a in apps), selectinload(PanelOpinion.votes))
    rows = []
    for app in apps:
        o = found.get((app.id, panel.id))
        if o is None:
            rows.append((app.anon_code, "状态", "未起草"))
            continue
        codes = roles.codes(members[app.id])
        votes = "；".join(
            f"{codes.get(v.expert_id, '专家')}{STANCES[v.stance]}" + (f"：{v.reason}" if v.reason else "")
            for v in o.votes
        ) or "—"  # fmt: skip
        rows += [(app.anon_code, "状态", o.status_name), (app.anon_code, "主要优点", o.strengths),
                 (app.anon_code, "主要问题", o.problems),
                 (app.anon_code, "改进建议", o.recommendation), (app.anon_code, "组员表态", votes)]  # fmt: skip
    office.table(doc, SUMMARY_COLUMNS, rows)
    _signature(doc, "组长签名", signed)
    return docx_fast.save(doc, holder)


def _signature(doc, label: str, signed: bool) -> None:
    day = china_date(utcnow())
    when = f"{day.year}年{day.month}月{day.day}日" if signed else "　　年　　月　　日"
    office.paragraph(doc, "")
    office.paragraph(doc, f"{label}：＿＿＿＿＿＿＿＿　　日期：{when}")


def _store(program: Program, kind: str, data: bytes, filename: str, actor, **owner) -> SignedSheet:
    sheet = SignedSheet(program_id=program.id, kind=kind, filename=filename, data=data,
                        sha256=hashlib.sha256(data).hexdigest(), signed_by_id=actor.id, **owner)  # fmt: skip
    db.session.add(sheet)
    db.session.flush()
    audit.record("sheet.sign", "signed_sheet", sheet.id, actor=actor,
                 after={"kind": kind, "sha256": sheet.sha256, **owner})  # fmt: skip
    return sheet


def sign_score_sheet(program: Program, actor) -> SignedSheet:
    """The expert signs its 评分表 once every task of the program is submitted."""
    expert = expert_of(actor)
    require(expert is not None, "只有评审专家可以签署本人评分表。")
    tasks, scores = _sheet_tasks(expert, program)  # read once: checked, then written out
    if not tasks:
        raise InvalidInput("您在本批次没有评审任务。", code="no_tasks")
    if any(t.status != "submitted" for t in tasks):
        raise InvalidInput("尚有未提交的评审任务，全部提交后才能签署评分表。", code="open_tasks")
    data = _score_sheet(expert, program, tasks, scores, signed=True)
    return _store(program, "score_sheet", data, f"专家评分表-{expert.name}.docx", actor,
                  expert_id=expert.id)  # fmt: skip


def sign_summary(panel: Panel, program: Program, actor) -> SignedSheet:
    """The 组长 signs the panel's 评审意见汇总表 once every opinion of the panel is signed."""
    require(is_panel_lead(actor, panel), "只有本组组长可以签署评审意见汇总表。")
    reviewed = record.reviewed_applications(program, panel.track_code)
    members = roles.members_by_application(reviewed, panel)
    apps = [a for a in reviewed if members[a.id]]
    found = record.opinions_by_key(a.id for a in apps)
    open_ = [a for a in apps if (o := found.get((a.id, panel.id))) is None or o.status != "signed"]
    if not apps or open_:
        raise InvalidInput(f"尚有{len(open_)}份专家组意见未签发，暂不能签署汇总表。", code="open")
    data = summary_docx(panel, program, signed=True)
    return _store(program, "opinion_summary", data, f"评审意见汇总表-{panel.name}.docx", actor,
                  panel_id=panel.id)  # fmt: skip


def stored(program: Program) -> list[SignedSheet]:
    return list(
        db.session.execute(
            select(SignedSheet).where(SignedSheet.program_id == program.id).order_by(SignedSheet.id)
        ).scalars()
    )


def has_tasks(expert: Expert, program: Program) -> bool:
    return db.session.execute(_tasks(expert, program).limit(1)).first() is not None


def experts_with_tasks(program: Program) -> set[int]:
    """The experts for whom ``has_tasks`` is true, in one query (a list of every expert)."""
    return set(
        db.session.execute(
            select(Assignment.expert_id)
            .join(Application, Application.id == Assignment.application_id)
            .where(Application.program_id == program.id,
                   Assignment.status != "declined_conflict")
            .distinct()
        ).scalars()
    )  # fmt: skip
