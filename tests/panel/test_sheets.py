"""Signed sheets: the expert's 评分表 and the panel's 评审意见汇总表 as .docx, generated on demand
and kept, with their SHA-256, when signed off; refused while something is open."""

import hashlib
import io

import docx
import pytest
from sqlalchemy import func, select

from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.panel import opinions, sheets
from review_app.panel.models import SignedSheet
from review_app.scoring.service import rubric_section

from . import world as wmod


def _text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_experts_score_sheet_lists_criteria_scores_comments_and_a_signature_line(app):
    w = wmod.build()
    a = w.assignments[0]
    client = wmod.signed_in(app, a.expert.user.username)
    response = client.get("/panel/sheets/score.docx")
    assert response.status_code == 200
    text = _text(response.data)
    first = rubric_section(a.section).criteria[0]
    assert w.app.anon_code in text and a.section.title in text and first.title in text
    assert wmod.FAULT in text and "专家签名" in text and wmod.NAME not in text
    sheet = sheets.sign_score_sheet(w.program, a.expert.user)
    assert sheet.sha256 == hashlib.sha256(sheet.data).hexdigest() and sheet.expert_id == a.expert.id


def test_signing_waits_for_every_task_and_every_opinion(app):
    w = wmod.build(submit=False)
    a = w.assignments[0]
    with pytest.raises(InvalidInput, match="未提交"):
        sheets.sign_score_sheet(w.program, a.expert.user)
    tasks = wmod.panel_tasks(w)
    lead = tasks[0].expert
    opinions.set_lead(w.panel, lead, w.actors.coordinator)
    with pytest.raises(InvalidInput, match="未签发"):
        sheets.sign_summary(w.panel, w.program, lead.user)
    with pytest.raises(PermissionDenied):
        sheets.sign_summary(w.panel, w.program, tasks[1].expert.user)
    assert db.session.scalar(select(func.count(SignedSheet.id))) == 0


def test_the_lead_signs_the_summary_once_every_opinion_is_signed(app):
    w = wmod.build()
    tasks = wmod.panel_tasks(w)
    lead = tasks[0].expert
    opinions.set_lead(w.panel, lead, w.actors.coordinator)
    opinion = opinions.start(w.app, w.panel, lead.user)
    opinions.circulate(opinion, lead.user)
    opinions.vote(opinion, "object", "建议写明数据来源。", tasks[1].expert.user)
    opinions.vote(opinion, "agree", "", tasks[2].expert.user)
    opinions.sign(opinion, lead.user)
    db.session.commit()
    client = wmod.signed_in(app, lead.user.username)
    text = _text(client.get(f"/panel/panels/{w.panel.id}/summary.docx").data)
    assert "评审意见汇总表" in text and "建议写明数据来源" in text and "组长签名" in text
    response = wmod.post(client, f"/panel/panels/{w.panel.id}/summary/sign", {}, "/panel/mine")
    assert response.status_code == 302
    sheet = db.session.execute(select(SignedSheet)).scalar_one()
    assert sheet.kind == "opinion_summary" and sheet.panel_id == w.panel.id
    assert "建议写明数据来源" in _text(sheet.data)


def test_a_kept_document_writes_the_members_a_new_one_writes(app):
    """The 评分表's document is made once per thread and title and its body replaced for each
    sheet: every member of the .docx is what ``office.document`` and ``office.to_bytes`` give."""
    import zipfile

    from review_app import docx_fast
    from review_app.decision import office

    def fill(doc, n):
        office.paragraph(doc, f"评审专家：专家{n}")
        office.table(doc, sheets.SCORE_COLUMNS, [("ZY-1", "章节", f"评分项 {n}", 1.5)] * (n + 1))
        office.heading(doc, "评审意见")

    def members(data):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i.filename, i.compress_type, z.read(i.filename)) for i in z.infolist()]

    for n in range(3):  # the first is made, the next two reuse it
        doc, holder = sheets._kept_document("测试批次专家评分表")
        fill(doc, n)
        kept = docx_fast.save(doc, holder)
        new = office.document("测试批次专家评分表", draft=False)
        fill(new, n)
        assert members(kept) == members(office.to_bytes(new))
