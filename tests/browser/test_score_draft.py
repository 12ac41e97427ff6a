"""Issue 17.9 in a real browser: the expert's session expires while typing; the save is refused
and sends them to sign in again, and the scoring form comes back with what they typed
(static/js/score.js keeps it in localStorage until the server has saved it)."""

from datetime import timedelta

from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.scoring.models import Review

from .. import factories as f
from ..conftest import BEFORE_DEADLINE
from .test_keep_work import first_criterion

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests
    expect = None

COMMENT = "数据贯通方案完整，指标有前后对比；建议补充投资回报测算和能耗数据的来源说明。"


def _comment(assignment_id: int) -> str | None:
    """The comment of the review the server holds (None: no review yet)."""
    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.assignment_id == assignment_id))
    return None if review is None else review.comment


def survives_expiry(j, app, page, password: str, assignment_id: int, comment: str) -> str | None:
    """The expert signed in on ``page`` types a score and ``comment`` on the task, the session
    expires (``app``'s frozen clock moves past the idle time), the save is refused and the
    form comes back with what was typed once signed in again, then saves."""
    user = db.session.get(Assignment, assignment_id).expert.user
    criterion, points = first_criterion(assignment_id)
    before = _comment(assignment_id)
    url = f"/expert/assignments/{assignment_id}/score"
    page.goto(url)
    label = f"{criterion.code} {criterion.title}"
    page.get_by_label(label).fill(points)
    page.get_by_label("评审意见（必填）").fill(comment)
    # the expert writes for longer than the idle time
    app.config["FROZEN_NOW"] += timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 10)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("登录已超时，请重新登录。")).to_be_visible()
    expect(page.get_by_text("刚才提交的内容未能保存")).to_be_visible()
    j.shot(page, "expired")
    assert _comment(assignment_id) == before  # nothing saved

    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(f"**{url}")
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.get_by_label(label)).to_have_value(points)
    expect(page.get_by_label("评审意见（必填）")).to_have_value(comment)
    j.shot(page, "restored")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert").filter(has_text="草稿已保存。")).to_be_visible()
    expect(page.locator("#draft-restored")).to_be_hidden()
    key = f"score-draft:{user.id}:{assignment_id}"
    # saved: the new page's script drops the kept copy (its version is older than the server's);
    # wait for that script rather than read the store before it ran (fails after the timeout)
    page.wait_for_function(f"window.localStorage.getItem('{key}') === null", timeout=10_000)
    return _comment(assignment_id)  # the comment the server now holds


def test_typed_scores_survive_an_expired_session(journey, app):
    application = f.application(name="超时浏览器测试有限公司")
    expert = f.staff(application)[-1]
    assignment = db.session.execute(
        select(Assignment).where(Assignment.expert_id == expert.id)
    ).scalar_one()
    username, assignment_id = expert.user.username, assignment.id
    db.session.commit()
    assert app.config["FROZEN_NOW"] == BEFORE_DEADLINE

    j = journey("expert-expired")
    assert survives_expiry(j, app, j.login(username), f.PASSWORD, assignment_id, COMMENT) == COMMENT
