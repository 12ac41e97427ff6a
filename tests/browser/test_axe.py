"""The vendored axe-core runs in the browser and finds what it should: an unlabelled input, an
image without text, a page without a main landmark; and nothing on a page without them."""

from . import axe

BAD = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title></head><body>
<input type="text" name="score"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>"""
GOOD = """<!doctype html><html lang="zh-CN"><head><title>好页面</title></head><body>
<main><h1>评分</h1><label for="s">得分</label><input id="s" type="text" name="score"></main>
</body></html>"""


def test_axe_finds_violations_and_passes_a_clean_page(browser):
    page = browser.new_page()
    try:
        page.set_content(BAD)
        found = {v["id"] for v in axe.audit(page)["violations"]}
        assert {"label", "image-alt", "landmark-one-main"} <= found
        page.set_content(GOOD)
        assert axe.audit(page)["violations"] == []
    finally:
        page.close()


def test_a_journey_audits_each_page_it_acts_on_once_without_a_screenshot(journey, app):
    j = journey("axe-watch")
    page = j.new_page()
    page.route(
        "**/bad-page",
        lambda route: route.fulfill(body=BAD, content_type="text/html; charset=utf-8"),
    )
    page.route(
        "**/good-page",
        lambda route: route.fulfill(body=GOOD, content_type="text/html; charset=utf-8"),
    )
    page.goto("/bad-page")
    page.locator("input").fill("3")  # an action waits for the page's own audit
    page.goto("/good-page")
    page.get_by_label("得分").fill("4")
    page.goto("/bad-page")  # the same address again: not audited twice
    page.locator("input").fill("5")
    visits = [a for a in j.audits if a["step"] == "visit"]
    assert [a["url"].rsplit("/", 1)[1] for a in visits] == ["bad-page", "good-page"]
    assert {v["id"] for v in visits[0]["violations"]} >= {"label", "image-alt"}
    assert visits[1]["violations"] == []
    assert any("axe label" in e for e in j.errors)
    j.errors.clear()  # the violations were the point
