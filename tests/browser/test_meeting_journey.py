"""会议评审 in a real browser on a tablet (1024×768, touch): the expert signs in at the meeting,
opens an enterprise's whole-application sheet (its name and text shown: no anonymisation in
this mode), types every criterion with the running total on screen, and submits all sections
at once."""

from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.meeting import service
from review_app.programs.service import current_program
from review_app.scoring.models import Review

from ..meeting.world import arrangement, build
from .conftest import nav

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests
    expect = None

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "is_mobile": True}
COMMENT = "答辩陈述清楚，数据贯通方案完整；建议补充投资回报测算和能耗数据来源。"


def test_an_expert_scores_a_whole_application_at_the_meeting(journey, app):
    w = build(app)
    meeting = service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    for expert in w.experts[:2]:
        service.sign_in(meeting, expert, expert.user)
    db.session.commit()
    expert = w.experts[2]
    username, expert_id, meeting_id = expert.user.username, expert.id, meeting.id
    first = meeting.slots[0]
    slot_id, application_id = first.id, first.application_id
    enterprise = first.application.enterprise.name

    j = journey("meeting-tablet")
    page = j.login(username, **TABLET)
    nav(page, "我的会议评审")
    expect(page.get_by_text(enterprise)).to_have_count(0)  # codes only before signing in
    page.locator(f"#sign-in-{meeting_id}").click()
    expect(page.get_by_text("签到成功")).to_be_visible()
    j.shot(page, "signed-in")

    service.open_scoring(meeting, w.actors.coordinator)  # the coordinator's 开始评分
    db.session.commit()
    page.reload()
    page.locator(f'a[href="/expert/meetings/slots/{slot_id}"]').click()
    expect(page.get_by_role("heading", name=enterprise)).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    inputs = page.locator("input.criterion")
    for i in range(inputs.count()):
        box = inputs.nth(i)
        box.fill(f"{float(box.get_attribute('data-max')) * 0.8:.1f}")
    expect(page.locator("#meeting-total")).to_have_text("80.0 / 100")
    # the totals are read out as they change: each inside a polite live region
    expect(page.locator('[aria-live="polite"] #meeting-total')).to_have_count(1)
    sections = page.locator(".section-total")
    expect(page.locator('.section-total[aria-live="polite"]')).to_have_count(sections.count())
    page.get_by_label("总体评审意见").fill(COMMENT)
    j.shot(page, "sheet")
    page.get_by_role("button", name="提交全部章节").click()
    expect(page.get_by_text("评分已提交并锁定。")).to_be_visible()
    j.shot(page, "submitted")

    db.session.expire_all()
    reviews = db.session.execute(
        select(Review).join(Assignment).where(
            Assignment.expert_id == expert_id, Assignment.application_id == application_id
        )
    ).scalars().all()  # fmt: skip
    assert reviews and {r.status for r in reviews} == {"submitted"}
    assert {r.comment for r in reviews} == {COMMENT}
