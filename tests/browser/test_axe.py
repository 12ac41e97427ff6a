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
