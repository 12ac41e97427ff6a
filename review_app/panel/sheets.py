"""Signed sheets (.docx): each expert's 评分表 for the program and each panel's 评审意见汇总表.
Generated on demand from the database; kept as signed (``SignedSheet``, with its SHA-256) when
the expert, or the 组长, signs it off."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..applications.models import Application
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
from ..scoring.models import Review
from ..scoring.service import rubric_section
from . import record, roles
from .models import STANCES, SignedSheet
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


def _reviews(expert: Expert, program: Program, *options) -> list[tuple[Assignment, Review | None]]:
    """The expert's tasks in the program with their reviews (``options``: what the caller reads
    of them, loaded with them instead of one query per task)."""
    query = _tasks(expert, program).order_by(Application.anon_code, Assignment.id)
    return list(db.session.execute(query.options(*options)).all())


def score_sheet_docx(expert: Expert, program: Program, *, signed: bool = False) -> bytes:
    """专家评分表: every task of the expert in the program, criterion by criterion, with the
    comment, the total, the date and a signature line."""
    doc = office.document(f"{program.name}专家评分表", draft=False)
    office.paragraph(doc, f"评审专家：{expert.name}　　工作单位：{expert.employer}")
    rows = []
    comments = []
    loaded = (joinedload(Assignment.application), joinedload(Assignment.section),
              selectinload(Review.scores))  # fmt: skip
    for a, review in _reviews(expert, program, *loaded):
        code, title = a.application.anon_code, a.section.title
        points = {s.criterion_code: s for s in (review.scores if review else [])}
        for c in rubric_section(a.section).criteria:
            s = points.get(c.code)
            value = "不适用" if s is not None and s.not_applicable else (
                float(s.points) if s is not None and s.points is not None else None)  # fmt: skip
            rows.append((code, title, f"{c.code} {c.title}（满分{c.max:g}）", value))
        total = float(review.total) if review and review.total is not None else None
        rows.append((code, title, "章节得分" + ("" if review and review.status == "submitted"
                                              else "（未提交）"), total))  # fmt: skip
        comments.append((code, title, review.comment if review else ""))
    office.table(doc, SCORE_COLUMNS, rows)
    office.heading(doc, "评审意见")
    office.table(doc, (("匿名编号", 3, "centre"), ("评审章节", 4, "text"), ("评审意见", 12, "text")),
                 comments)  # fmt: skip
    _signature(doc, "专家签名", signed)
    return office.to_bytes(doc)


def summary_docx(panel: Panel, program: Program, *, signed: bool = False) -> bytes:
    """评审意见汇总表: the panel's opinion on each application it reviewed (status, strengths,
    problems, recommendation, the members' objections with their reasons), signed by the 组长."""
    doc = office.document(f"{program.name}评审意见汇总表", draft=False)
    lead = roles.lead_of(panel)
    office.paragraph(doc, f"专家组：{panel.name}　　组长：{lead.name if lead else '—'}")
    reviewed = record.reviewed_applications(program, panel.track_code)
    members = roles.members_by_application(reviewed, panel)
    apps = [a for a in reviewed if members[a.id]]
    found = record.opinions_by_key(a.id for a in apps)
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
    return office.to_bytes(doc)


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
    rows = _reviews(expert, program)
    if not rows:
        raise InvalidInput("您在本批次没有评审任务。", code="no_tasks")
    if any(a.status != "submitted" for a, _ in rows):
        raise InvalidInput("尚有未提交的评审任务，全部提交后才能签署评分表。", code="open_tasks")
    data = score_sheet_docx(expert, program, signed=True)
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
