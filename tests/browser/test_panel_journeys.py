"""The panel's record in a real browser: the expert discusses a 复议 and signs the 专家组意见 as
组长 after a member's objection; the coordinator names the 组长, reads the comments beside the
scores and puts the signed problems into the result letter."""

import re

from sqlalchemy import select

from review_app.experts.models import Panel
from review_app.extensions import db
from review_app.panel import opinions
from review_app.panel.models import FlagPost, PanelOpinion
from review_app.scoring.models import DispersionFlag

from ..conftest import AFTER_DEADLINE
from ..panel import world as wmod
from .conftest import nav

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests (fails under REQUIRE_BROWSER=1)
    expect = None


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_expert_discusses_a_flag_and_the_lead_signs_over_an_objection(journey, app):
    w = wmod.build()
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    tasks = wmod.panel_tasks(w)
    lead, member, other = (a.expert for a in tasks)
    opinions.set_lead(w.panel, lead, w.actors.coordinator)
    flag = DispersionFlag(application_id=w.app.id, section_id=tasks[0].section_id, spread=30,
                          threshold=20, status="open")  # fmt: skip
    db.session.add(flag)
    db.session.commit()
    code, flag_id = w.app.anon_code, flag.id
    names = (lead.user.username, member.user.username, other.user.username)

    j = journey("panel-expert")
    page = j.login(names[1])
    nav(page, "专家组意见与复议")
    page.get_by_role("link", name="讨论（0条）").click()
    expect(page.get_by_text(wmod.FAULT).first).to_be_visible()
    expect(page.get_by_text(member.name)).to_have_count(0)  # codes, never names
    page.locator("#thread-post textarea").fill("第2项佐证材料不足，我的评分偏低。")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("alert").filter(has_text="发言已发布。")).to_be_visible()
    j.shot(page, "thread")

    boss = j.login(names[0])
    nav(boss, "专家组意见与复议")
    boss.get_by_role("link", name="处理").first.click()
    boss.get_by_role("button", name="根据评审意见生成草稿").click()
    expect(boss.get_by_label("主要问题")).to_contain_text(wmod.FAULT.rstrip("。"))
    boss.get_by_label("主要优点").fill("数据采集覆盖主要产线。")
    boss.get_by_label("主要问题").fill("能耗数据分析不足。")
    boss.get_by_label("改进建议与评审建议").fill("建议打通计划与排产系统。")
    boss.get_by_role("button", name="保存并征求组员意见").click()
    expect(boss.get_by_role("alert").filter(has_text="已提交组员征求意见。")).to_be_visible()
    j.shot(boss, "circulated")

    page.goto(f"/panel/opinions/{w.app.id}/{w.panel.id}")
    page.get_by_label("理由（提出异议时必填）").fill("问题写得太轻。")
    page.get_by_role("button", name="有异议").click()
    expect(page.get_by_role("alert").filter(has_text="异议已提交。")).to_be_visible()
    third = j.login(names[2])
    third.goto(f"/panel/opinions/{w.app.id}/{w.panel.id}")
    third.get_by_role("button", name="同意", exact=True).click()
    expect(third.get_by_role("alert").filter(has_text="已表示同意。")).to_be_visible()

    boss.reload()
    boss.get_by_role("button", name="签发专家组意见").click()
    expect(boss.get_by_role("alert").filter(has_text="专家组意见已签发。")).to_be_visible()
    expect(boss.get_by_text("问题写得太轻。")).to_be_visible()
    j.shot(boss, "signed")

    opinion = db.session.execute(select(PanelOpinion)).scalar_one()
    assert fresh(PanelOpinion, opinion.id).status == "signed"
    assert db.session.execute(select(FlagPost.flag_id)).scalars().all() == [flag_id]
    assert code in boss.content()


def test_coordinator_names_the_lead_and_reads_comments_beside_scores(journey, app):
    w = wmod.build()
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    tasks = wmod.panel_tasks(w)
    chosen = tasks[2].expert
    panel_id, chosen_id, app_id = w.panel.id, chosen.id, w.app.id
    db.session.commit()

    j = journey("panel-coordinator")
    page = j.login(w.actors.coordinator.username)
    nav(page, "专家组意见")
    form = page.locator(f"#lead-{panel_id}")
    form.locator("select").select_option(str(chosen_id))
    form.get_by_role("button", name="设为组长").click()
    expect(page.get_by_role("alert").filter(has_text="组长已设定。")).to_be_visible()
    expect(page.get_by_text("协调员指定").first).to_be_visible()
    j.shot(page, "lead")
    page.goto(f"/scoring/applications/{app_id}")
    expect(page.get_by_text("各专家得分与评审意见")).to_be_visible()
    expect(page.get_by_text(wmod.FAULT).first).to_be_visible()
    j.shot(page, "breakdown")
    db.session.expire_all()
    assert opinions.roles.lead_of(db.session.get(type(w.panel), panel_id)).id == chosen_id


def test_coordinator_searches_adds_and_removes_a_panel_member(journey, app):
    """The 评审组 page: one panel's members and a search (issue 22 point 1: no checkbox per
    expert any more); 添加 puts the expert on the panel, 移出 takes the expert off."""
    from review_app.assignment.service import ensure_panels, set_members
    from review_app.programs.service import current_program

    from .. import factories as f

    coordinator = f.user("coordinator", "coord-panel", display_name="省厅协调员")
    panel = next(p for p in ensure_panels(current_program(), coordinator)
                 if p.track_code == "excellent" and p.section_group == "link.production")  # fmt: skip
    sitting = f.expert(pledge=False)
    sitting.name, sitting.employer = "周在组", "郑州大学"
    newcomer = f.expert(pledge=False)
    newcomer.name, newcomer.employer = "吴新人", "河南科技大学机械学院"
    set_members(panel, [sitting.id], coordinator)
    db.session.commit()
    panel_id, newcomer_id = panel.id, newcomer.id

    j = journey("coordinator-panel-members")
    page = j.login("coord-panel")
    nav(page, "专家分配")
    page.get_by_role("link", name="评审组", exact=True).click()
    page.get_by_role("navigation", name="评审组").get_by_role("link", name="生产作业组").click()
    expect(
        page.get_by_role("heading", name="卓越级智能工厂培育 · 生产作业组 · 成员")
    ).to_be_visible()
    members = page.locator("table").first
    expect(members).to_contain_text("周在组")
    expect(page.get_by_text("共 1 人")).to_be_visible()
    page.get_by_label("搜索专家").fill("科技大学")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=%E7%A7%91"))  # the search is in the URL
    result = page.locator("tr").filter(has_text="吴新人")
    expect(result).to_contain_text("河南科技大学机械学院")
    j.shot(page, "search")
    result.get_by_role("button", name="添加").click()
    expect(page.get_by_role("alert")).to_contain_text("已将吴新人加入")
    expect(members).to_contain_text("吴新人")
    expect(page.get_by_text("共 2 人")).to_be_visible()
    expect(page.get_by_label("搜索专家")).to_have_value("科技大学")  # back to the same search
    j.shot(page, "added")
    assert newcomer_id in {m.expert_id for m in fresh(Panel, panel_id).members}
    members.locator("tr").filter(has_text="吴新人").get_by_role("button", name="移出").click()
    expect(page.get_by_role("alert")).to_contain_text("已将吴新人移出")
    expect(members).not_to_contain_text("吴新人")
    expect(
        page.locator("tr").filter(has_text="吴新人").get_by_role("button", name="添加")
    ).to_be_visible()
    j.shot(page, "removed")
    assert {m.expert_id for m in fresh(Panel, panel_id).members} == {sitting.id}
