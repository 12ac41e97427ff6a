"""The world of ``world.build()`` plus one target object for each action button whose showing
depends on the object's state: an application being staffed (a task to remove, a review to
reopen, an open task of the world's expert to declare a conflict on), a conflict, a 复议 flag,
a result for the world's job and a panel with a member. The tests put each target through its states."""

from sqlalchemy import select

from review_app.applications.catalogue import BY_KEY, scored_sections
from review_app.assignment.models import Assignment, Conflict
from review_app.assignment.service import ensure_panels
from review_app.auth.models import User
from review_app.experts.models import PanelMember
from review_app.extensions import db
from review_app.jobs.models import Job
from review_app.panel import roles
from review_app.panel.models import PanelLead, PanelOpinion
from review_app.programs.service import current_program
from review_app.scoring.models import DispersionFlag, Review
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from . import world as wmod


def _user(w, role: str) -> User:
    return db.session.execute(select(User).filter_by(username=w.users[role])).scalar_one()


def build():
    w = wmod.build()
    coordinator, officer = _user(w, "coordinator"), _user(w, "prefecture")
    staffing = f.application(pref="郑州市", name="本市测试分配装备有限公司")
    fire(staffing, "endorse", officer, now=BEFORE_DEADLINE)
    fire(staffing, "pass_format_check", coordinator, now=BEFORE_DEADLINE)
    needed = 3 * len(scored_sections("excellent"))
    experts = [f.expert() for _ in range(needed - 1)] + [w.my_expert]  # staff() pops the last
    f.staff(staffing, experts)
    fire(staffing, "assign", coordinator, now=AFTER_DEADLINE)
    tasks = db.session.execute(
        select(Assignment).where(Assignment.application_id == staffing.id).order_by(Assignment.id)
    ).scalars().all()  # fmt: skip
    own_task = next(a for a in tasks if a.expert_id == w.my_expert.id)
    removable, reviewed = [a for a in tasks if a.expert_id != w.my_expert.id][:2]
    reviewed.status = "submitted"
    review = Review(assignment=reviewed, status="submitted", total=80)
    db.session.add(review)
    conflict = Conflict(
        expert_id=experts[0].id,
        enterprise_id=staffing.enterprise_id,
        rule="same_employer",
        source="detected",
        evidence="测试",
        status="pending",
    )
    flagged = w.own_app.section(scored_sections("excellent")[0].key)
    flag = DispersionFlag(application_id=w.own_app.id, section_id=flagged.id, spread=30,
                          threshold=20, status="open")  # fmt: skip
    db.session.add_all([conflict, flag])
    job = db.session.get(Job, w.mine["job_id"])
    job.result_url = f"/jobs/{job.id}/file"
    db.session.flush()
    as_member, as_lead, panel = *_opinions(w), _panel_of(experts)
    w.targets = {
        "staffing_app": staffing.id, "own_task": own_task.id, "removable": removable.id,
        "review": review.id, "conflict": conflict.id, "flag": flag.id,
        "admin": _user(w, "admin").id, "thread": w.mine["flag_id"],
        "opinion_member": as_member.id, "opinion_lead": as_lead.id,
        "panel": panel.id, "panel_member": experts[0].id, "panel_outsider": experts[1].id,
        "panel_search": experts[1].name,
    }  # fmt: skip
    db.session.commit()
    return w


def _panel_of(experts):
    """The leading track's 综合组 with one member (the first expert; the second is not one)."""
    panel = next(p for p in ensure_panels(current_program(), None)
                 if p.track_code == "leading" and p.section_group == "general")  # fmt: skip
    db.session.add(PanelMember(panel_id=panel.id, expert_id=experts[0].id))
    db.session.flush()
    return panel


def _opinions(w):
    """Two 专家组意见 of the own application: one of the panel the world's expert reviews it in
    (another reviewer leads it, so the world's expert is a member), and one of a panel the world's
    expert leads (written directly: it reviews nothing there)."""
    program = current_program()
    mine = db.session.get(Assignment, w.mine["assignment_id"])
    group = BY_KEY[mine.section.key].group
    panels = {
        p.section_group: p for p in ensure_panels(program, None) if p.track_code == "excellent"
    }
    member_panel = panels[group]
    other = next(g for g in panels if g != group)
    colleague = next(e for e in roles.member_ids(w.own_app, member_panel) if e != w.my_expert.id)
    db.session.add_all([
        PanelLead(panel_id=member_panel.id, expert_id=colleague, source="coordinator"),
        PanelLead(panel_id=panels[other].id, expert_id=w.my_expert.id, source="coordinator"),
    ])  # fmt: skip
    made = [
        PanelOpinion(application_id=w.own_app.id, panel_id=p.id, status="draft",
                     strengths="基础扎实。", problems="分析不足。", recommendation="建议加强。")
        for p in (member_panel, panels[other])
    ]  # fmt: skip
    db.session.add_all(made)
    db.session.flush()
    return made
