"""The coordinator's expert list: search and paging."""

from review_app.extensions import db

from .. import factories as f
from ..conftest import login


def test_expert_list_pages_keep_the_search_and_clamp_the_page(app, client):
    for _ in range(5):
        f.expert()
    f.user("coordinator", "page-c")
    db.session.commit()
    app.config["PAGE_SIZE"] = 2
    try:
        login(client, "page-c")
        html = client.get("/experts/?q=专家&page=99").get_data(as_text=True)
        assert "第 3 / 3 页（共 5 条）" in html
        assert 'href="/experts/?page=2&amp;q=' in html
        first = client.get("/experts/?q=专家").get_data(as_text=True)
        assert "下一页" in first and "上一页" not in first
    finally:
        app.config["PAGE_SIZE"] = 50
