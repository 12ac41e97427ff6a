"""Issue 22 item 5 in a real browser: the top bar groups its links by stage (受理, 评审, 抽查与决定,
公示与通知, 系统), fits one line at 1366 × 768 for the role with the most links, marks the page
shown with aria-current="page", and passes axe-core with a stage menu open."""

from review_app.extensions import db

from .. import factories as f
from .conftest import nav

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests
    expect = None

LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def _one_line(page) -> None:
    """Every item of the header starts on the header's first line, and the header is less than
    two lines high (its brand link's height is one line)."""
    header = page.locator("header.topbar").bounding_box()
    brand = page.locator("header.topbar .brand").bounding_box()
    items = page.locator("header.topbar > *, header.topbar nav > *")
    tops = [items.nth(i).bounding_box()["y"] for i in range(items.count())]
    assert max(tops) - min(tops) < brand["height"], tops
    assert header["height"] < 2 * brand["height"] + 24, (header, brand)  # 24: the padding


def test_the_coordinators_menu_is_one_line_by_stage(journey, app):
    f.application(name="菜单测试智能装备有限公司")
    coordinator = f.user("coordinator")
    username = coordinator.username
    db.session.commit()

    j = journey("menu-coordinator")
    page = j.login(username, **LAPTOP)
    bar = page.locator("header.topbar nav")
    expect(bar.locator("summary")).to_have_text(
        ["受理", "评审", "抽查与决定", "公示与通知", "系统"]
    )
    expect(bar.get_by_role("link", name="工作台", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    _one_line(page)
    nav(page, "专家库")
    page.wait_for_url("**/experts/")
    current = bar.locator('[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("专家库")
    expect(bar.locator("details.current > summary")).to_have_text("评审")
    _one_line(page)
    bar.locator("summary", has_text="系统").click()
    expect(bar.get_by_role("link", name="事件推送", exact=True)).to_be_visible()
    j.shot(page, "system-open")


def test_the_experts_menu_shows_only_its_stage(journey, app):
    expert = f.expert()
    username = expert.user.username
    db.session.commit()

    j = journey("menu-expert")
    page = j.login(username, **LAPTOP)
    bar = page.locator("header.topbar nav")
    expect(bar.locator("summary")).to_have_text(["评审"])
    nav(page, "我的评审任务")
    page.wait_for_url("**/expert/assignments")
    expect(bar.locator('[aria-current="page"]')).to_have_text("我的评审任务")
    _one_line(page)
    j.shot(page, "assignments")


def test_the_skip_link_is_the_first_tab_stop_and_moves_to_the_main_content(journey, app):
    coordinator = f.user("coordinator")
    username = coordinator.username
    db.session.commit()

    j = journey("skip-link")
    page = j.login(username, **LAPTOP)
    skip = page.get_by_role("link", name="跳到正文", exact=True)
    box = skip.bounding_box()
    assert box["y"] + box["height"] <= 0, box  # out of sight until it has the focus
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0, box  # shown while focused
    j.shot(page, "focused")  # axe checks its contrast while it is shown
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")
    # the next Tab stop is inside the main content, past the whole menu
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
