"""专家组意见: the 组长 (the coordinator's choice, else the first drawn expert who accepted), the
draft assembled from the section comments, the 800-字 limit, the leak scan before it leaves the
panel, the members' agreement or objection, the sign-off with an objection kept, the status on
the coordinator's page, the letter choice."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from review_app.assignment.models import Conflict
from review_app.audit.models import AuditEvent
from review_app.clock import utcnow
from review_app.draws.models import DrawRun, Invitation
from review_app.errors import DomainError, InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from review_app.panel import opinions, roles
from review_app.panel.models import OpinionVote, PanelOpinion

from .. import factories as f
from . import world as wmod


def _with_lead():
    w = wmod.build()
    tasks = wmod.panel_tasks(w)
    lead = tasks[0].expert
    opinions.set_lead(w.panel, lead, w.actors.coordinator)
    for a in tasks:
        a.expert.email = f"{a.expert.user.username}@example.invalid"
    db.session.commit()
    return w, tasks, lead


def _state(opinion_id=None):
    rows = (PanelOpinion, OpinionVote, OutboxMessage, AuditEvent)
    counts = tuple(db.session.scalar(select(func.count()).select_from(t)) for t in rows)
    if opinion_id is None:
        return counts
    db.session.expire_all()
    o = db.session.get(PanelOpinion, opinion_id)
    return counts, (o.status, o.strengths, o.problems, o.recommendation, o.version)


def test_the_lead_is_the_first_drawn_expert_who_accepted_until_the_coordinator_names_one(app):
    w = wmod.build()
    tasks = wmod.panel_tasks(w)
    first, second = tasks[1].expert, tasks[0].expert
    run = DrawRun(program_id=w.program.id, panel_id=w.panel.id, seed="7", limits={},
                  snapshot=[], snapshot_hash="0" * 64, drawn=[], backups=[],
                  answer_by=utcnow())  # fmt: skip
    db.session.add(run)
    db.session.flush()
    now = utcnow()
    for pos, (e, when) in enumerate(((second, now), (first, now - timedelta(hours=1))), 1):
        db.session.add(Invitation(draw_run_id=run.id, panel_id=w.panel.id, expert_id=e.id,
                                  position=pos, role="drawn", status="accepted",
                                  answered_at=when))  # fmt: skip
    db.session.flush()
    assert roles.lead_of(w.panel).id == first.id and roles.lead_source(w.panel) == "accepted"
    opinions.set_lead(w.panel, second, w.actors.coordinator)
    assert roles.lead_of(w.panel).id == second.id and roles.lead_source(w.panel) == "coordinator"
    stranger = f.expert()
    with pytest.raises(InvalidInput, match="不是本组专家"):
        opinions.set_lead(w.panel, stranger, w.actors.coordinator)
    with pytest.raises(PermissionDenied):
        opinions.set_lead(w.panel, first, first.user)


def test_sign_off_with_a_members_objection_end_to_end_in_the_browser(app):
    w, tasks, lead = _with_lead()
    member_a, member_b = tasks[1].expert, tasks[2].expert
    url = f"/panel/opinions/{w.app.id}/{w.panel.id}"
    lead_client = wmod.signed_in(app, lead.user.username)
    # A member cannot start the draft; the lead can, from the comments.
    member_client = wmod.signed_in(app, member_a.user.username)
    assert member_client.get(url).status_code == 200  # a member reads (nothing drafted yet)
    wmod.post(member_client, url, {"action": "start"})
    assert db.session.scalar(select(func.count(PanelOpinion.id))) == 0
    assert wmod.post(lead_client, url, {"action": "start"}).status_code == 302
    opinion = db.session.execute(select(PanelOpinion)).scalar_one()
    assert wmod.PRAISE.rstrip("。") in opinion.strengths
    assert wmod.FAULT.rstrip("。") in opinion.problems
    assert wmod.ADVICE.rstrip("。") in opinion.recommendation
    html = lead_client.get(url).get_data(as_text=True)
    assert wmod.NAME not in html and member_a.name not in html and "专家B" in html
    # Too long: refused, nothing changed.
    before = _state(opinion.id)
    text = {"strengths": "优" * 300, "problems": "问" * 300, "recommendation": "建" * 201}
    wmod.post(lead_client, url, {"action": "save", "version": opinion.version, **text})
    assert _state(opinion.id) == before
    # A leak: saved as a draft, shown to the lead, refused when circulated.
    leaky = {"strengths": f"{wmod.NAME}基础扎实。", "problems": "数据分析不足。",
             "recommendation": "建议加强能耗管理。"}  # fmt: skip
    wmod.post(lead_client, url, {"action": "save", "version": opinion.version, **leaky})
    html = lead_client.get(url).get_data(as_text=True)
    assert "opinion-leaks" in html
    before = _state(opinion.id)
    wmod.post(lead_client, url, {"action": "circulate", "version": before[1][4], **leaky})
    assert _state(opinion.id)[1][0] == "draft"
    db.session.expire_all()
    good = {"strengths": "数据采集覆盖主要产线。", "problems": "能耗数据分析不足。",
            "recommendation": "建议打通计划与排产系统，推荐入库。"}  # fmt: skip
    version = db.session.get(PanelOpinion, opinion.id).version
    wmod.post(lead_client, url, {"action": "circulate", "version": version, **good})
    db.session.expire_all()
    opinion = db.session.get(PanelOpinion, opinion.id)
    assert opinion.status == "circulated"
    asked = db.session.execute(
        select(OutboxMessage.to_address).where(OutboxMessage.kind == "panel_opinion")
    ).scalars().all()  # fmt: skip
    assert sorted(asked) == sorted(e.email for e in (member_a, member_b))
    # Sign-off waits for every member; an objection needs a reason.
    before = _state(opinion.id)
    wmod.post(lead_client, url, {"action": "sign"})
    wmod.post(member_client, url, {"action": "object", "reason": ""})
    assert _state(opinion.id) == before
    wmod.post(member_client, url, {"action": "object", "reason": "推荐意见过高，应为待定。"})
    other = wmod.signed_in(app, member_b.user.username)
    wmod.post(other, url, {"action": "agree"})
    assert wmod.post(lead_client, url, {"action": "sign"}).status_code == 302
    db.session.expire_all()
    opinion = db.session.get(PanelOpinion, opinion.id)
    assert opinion.status == "signed" and opinion.lead_expert_id == lead.id
    assert [(v.expert_id, v.stance) for v in opinion.votes] == [
        (member_a.id, "object"), (member_b.id, "agree")]  # fmt: skip
    assert "推荐意见过高" in lead_client.get(url).get_data(as_text=True)
    # Signed: no more edits or answers.
    with pytest.raises(PermissionDenied):
        opinions.save(opinion, "x", "y", "z", lead.user, version=None)
    with pytest.raises(PermissionDenied):
        opinions.vote(opinion, "agree", "", member_b.user)
    # The coordinator's page: status and objections; the letter choice.
    coordinator = wmod.signed_in(app, w.actors.coordinator.username)
    page = coordinator.get("/panel/opinions?track=excellent").get_data(as_text=True)
    assert "组长已签发" in page and lead.name in page and "共 1 项申报" in page
    wmod.post(coordinator, url, {"action": "letter_on"})
    db.session.expire_all()
    assert db.session.get(PanelOpinion, opinion.id).in_letter is True


def test_editing_a_circulated_opinion_clears_the_answers(app):
    w, tasks, lead = _with_lead()
    opinion = opinions.start(w.app, w.panel, lead.user)
    opinions.save(opinion, "优点。", "问题不足。", "建议改进。", lead.user, version=None)
    opinions.circulate(opinion, lead.user)
    opinions.vote(opinion, "agree", "", tasks[1].expert.user)
    opinions.save(opinion, "优点更新。", "问题不足。", "建议改进。", lead.user, version=None)
    assert opinion.status == "draft" and opinion.votes == []
    with pytest.raises(DomainError, match="其他窗口"):
        opinions.save(opinion, "a", "b", "c", lead.user, version=opinion.version - 1)


def test_strangers_cannot_read_an_opinion(app):
    w, tasks, lead = _with_lead()
    opinions.start(w.app, w.panel, lead.user)
    db.session.commit()
    url = f"/panel/opinions/{w.app.id}/{w.panel.id}"
    stranger = f.expert()
    db.session.commit()
    assert wmod.signed_in(app, stranger.user.username).get(url).status_code == 404
    assert wmod.signed_in(app, w.actors.prefecture.username).get(url).status_code == 403


def test_where_the_lead_has_a_conflict_the_first_member_leads_the_opinion(app):
    w, tasks, lead = _with_lead()
    db.session.add(Conflict(expert_id=lead.id, enterprise_id=w.app.enterprise_id,
                            rule="declared_relation", source="declared", evidence="曾提供咨询",
                            status="active"))  # fmt: skip
    db.session.flush()
    first = db.session.get(type(lead), roles.acting_lead_id(w.app, w.panel))
    assert first.id == next(e for e in roles.member_ids(w.app, w.panel) if e != lead.id)
    with pytest.raises(PermissionDenied):
        opinions.start(w.app, w.panel, lead.user)
    opinion = opinions.start(w.app, w.panel, first.user)
    opinions.circulate(opinion, first.user)
    assert first.id not in opinions.waiting_for(opinion)
    for expert_id in opinions.waiting_for(opinion):
        opinions.vote(opinion, "agree", "", db.session.get(type(lead), expert_id).user)
    with pytest.raises(PermissionDenied):
        opinions.sign(opinion, lead.user)
    opinions.sign(opinion, first.user)
    assert opinion.status == "signed" and opinion.lead_expert_id == first.id
