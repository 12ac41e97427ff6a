"""Issue 17.9 in a real browser: the expert's session expires while typing; the save is refused
and sends them to sign in again, and the scoring form comes back with what they typed
(static/js/score.js keeps it in localStorage until the server has saved it)."""

from datetime import timedelta

from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.scoring.models import Review
from review_app.scoring.service import rubric_for

from .. import factories as f
from ..conftest import BEFORE_DEADLINE

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests
    expect = None

COMMENT = "数据贯通方案完整，指标有前后对比；建议补充投资回报测算和能耗数据的来源说明。"


def test_typed_scores_survive_an_expired_session(journey, app):
    application = f.application(name="超时浏览器测试有限公司")
    expert = f.staff(application)[-1]
    assignment = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id)
    ).scalar_one()
    criterion = rubric_for("excellent").section(assignment.section.key).criteria[0]
    username, assignment_id = expert.user.username, assignment.id
    db.session.commit()
    url = f"/expert/assignments/{assignment_id}/score"

    j = journey("expert-expired")
    page = j.login(username)
    page.goto(url)
    label = f"{criterion.code} {criterion.title}"
    page.get_by_label(label).fill("2.5")
    page.get_by_label("评审意见（必填）").fill(COMMENT)
    # the expert writes for longer than the idle time
    app.config["FROZEN_NOW"] = BEFORE_DEADLINE + timedelta(
        minutes=app.config["SESSION_IDLE_MINUTES"] + 10
    )
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("登录已超时，请重新登录。")).to_be_visible()
    expect(page.get_by_text("刚才提交的内容未能保存")).to_be_visible()
    j.shot(page, "expired")
    db.session.expire_all()
    assert db.session.scalar(select(Review).where(Review.assignment_id == assignment_id)) is None

    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(f.PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**{url}")
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.get_by_label(label)).to_have_value("2.5")
    expect(page.get_by_label("评审意见（必填）")).to_have_value(COMMENT)
    j.shot(page, "restored")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert").filter(has_text="草稿已保存。")).to_be_visible()
    expect(page.locator("#draft-restored")).to_be_hidden()
    key = f"score-draft:{expert.user_id}:{assignment_id}"
    assert page.evaluate(f"window.localStorage.getItem('{key}')") is None  # saved: dropped
    db.session.expire_all()
    review = db.session.execute(
        select(Review).where(Review.assignment_id == assignment_id)
    ).scalar_one()
    assert review.comment == COMMENT
