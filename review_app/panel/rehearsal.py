"""The panel's record in the headless simulation (``review-app simulate``): the same verbs the
pages call. Every open 复议 flag gets a post from one of its experts before it is resolved;
every panel gets its 组长 (the coordinator names the first member); every application's
专家组意见 is drafted, edited, circulated, answered (now and then with an objection) and
signed; the 组长s sign their 评审意见汇总表 and the experts their 评分表."""

import random

from sqlalchemy import func, select

from ..experts.models import Expert, Panel
from ..extensions import db
from ..programs.models import Program
from ..scoring.models import DispersionFlag
from . import opinions, record, roles, sheets, threads
from .models import FlagPost, OpinionVote, PanelOpinion, SignedSheet

POST = "本章节评分分歧较大，我的评分依据是各项指标的佐证材料，请其他专家说明依据。"
STRENGTHS = "建设基础较好，关键环节已实现数字化，成效有数据支撑。"
PROBLEMS = "投入产出量化不足，部分场景的持续改进机制不够明确。"
OBJECTION = "对推荐意见有保留：数据佐证仍不充分。"


def discuss(program: Program, rng: random.Random) -> int:
    """One post by a flagged section's expert in each open 复议 thread of the program."""
    posted = 0
    flags = db.session.execute(
        select(DispersionFlag).where(DispersionFlag.status == "open").order_by(DispersionFlag.id)
    ).scalars()
    for flag in flags:
        if flag.application.program_id != program.id:
            continue
        experts = roles.flag_expert_ids(flag)
        if experts:
            expert = db.session.get(Expert, rng.choice(experts))
            threads.post(flag, POST, expert.user)
            posted += 1
    return posted


def _lead(panel: Panel, coordinator) -> Expert | None:
    lead = roles.lead_of(panel)
    if lead is None:
        members = opinions.panel_expert_ids(panel)
        if not members:
            return None
        opinions.set_lead(panel, db.session.get(Expert, members[0]), coordinator)
        lead = roles.lead_of(panel)
    return lead


def _opinion(application, panel: Panel, lead: Expert, rng: random.Random) -> None:
    # The 组长, or the 代组长 where the 组长 has a conflict with the enterprise.
    lead = db.session.get(Expert, roles.acting_lead_id(application, panel, lead))
    opinion = opinions.start(application, panel, lead.user)
    advice = opinion.recommendation  # the draft's, assembled from the comments by ``start``
    recommendation = (advice.split("\n")[0] if advice else "建议持续推进智能化升级。")[:300]
    opinions.save(opinion, STRENGTHS, PROBLEMS, recommendation, lead.user, version=None)
    opinions.circulate(opinion, lead.user)
    for expert_id in opinions.waiting_for(opinion):
        member = db.session.get(Expert, expert_id)
        if rng.random() < 0.1:
            opinions.vote(opinion, "object", OBJECTION, member.user)
        else:
            opinions.vote(opinion, "agree", "", member.user)
    opinions.sign(opinion, lead.user)


def sign_off(program: Program, coordinator, rng: random.Random) -> None:
    """Every panel's 组长 named (the coordinator, before the 组长s start), then every panel's
    opinions signed and its summary; every expert's 评分表 signed."""
    panels = [(p, track) for track in (t.code for t in program.tracks)
              for p in record.track_panels(program, track)]  # fmt: skip
    # All the 组长s first: naming one writes a row every lookup of the transaction's memo may
    # depend on (``txmemo``), so naming them panel by panel made each panel read again who its
    # members are, the applications' identities and every account's expert.
    leads = {panel.id: _lead(panel, coordinator) for panel, _ in panels}
    for panel, track in panels:
        lead = leads[panel.id]
        if lead is None:
            continue
        reviewed = record.reviewed_applications(program, track)
        members = roles.members_by_application(reviewed, panel)  # kept for ``member_ids``
        apps = [a for a in reviewed if members[a.id]]
        roles.read_conflicts(lead.id, apps)  # who leads each opinion, in one query
        for application in apps:
            _opinion(application, panel, lead, rng)
        if apps:
            sheets.sign_summary(panel, program, lead.user)
    with_tasks = sheets.experts_with_tasks(program)
    for expert in db.session.execute(select(Expert).order_by(Expert.id)).scalars():
        if expert.id in with_tasks:
            sheets.sign_score_sheet(program, expert.user)


def counts(program: Program) -> dict:
    """What the simulation reports of the panel's record."""

    def count(model, *where) -> int:
        return db.session.scalar(select(func.count(model.id)).where(*where))

    signed = PanelOpinion.status == "signed"
    objected = select(OpinionVote.opinion_id).where(OpinionVote.stance == "object")
    return {
        "thread_posts": count(FlagPost),
        "opinions_signed": count(PanelOpinion, signed),
        # signed although a member objected (the objection and its reason kept with it)
        "signed_with_objections": count(PanelOpinion, signed, PanelOpinion.id.in_(objected)),
        "objections": count(OpinionVote, OpinionVote.stance == "object"),
        "in_letter": count(PanelOpinion, signed, PanelOpinion.in_letter.is_(True)),
        "signed_sheets": count(SignedSheet, SignedSheet.program_id == program.id),
    }
