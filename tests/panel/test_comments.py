"""Comments beside scores where decisions are made (评分明细, 复议, the decision drill-down), by
code to experts; the leak scan of comments with the hits shown to their author."""

from sqlalchemy import func, select

from review_app.extensions import db
from review_app.panel import comments
from review_app.scoring.models import DispersionFlag, Review
from review_app.scoring.service import rubric_section

from ..conftest import csrf_from
from . import world as wmod


def test_breakdown_shows_each_reviews_comment_beside_its_score_and_code(app):
    w = wmod.build()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    html = client.get(f"/scoring/applications/{w.app.id}").get_data(as_text=True)
    assert html.count(wmod.FAULT) == len(w.assignments)
    assert "专家A" in html and "专家C" in html and "各专家得分与评审意见" in html


def test_flags_page_shows_comments_and_the_discussion_link(app):
    w = wmod.build()
    section = w.assignments[0].section
    flag = DispersionFlag(application_id=w.app.id, section_id=section.id, spread=30,
                          threshold=20, status="open")  # fmt: skip
    db.session.add(flag)
    db.session.commit()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    html = client.get("/scoring/flags").get_data(as_text=True)
    assert wmod.FAULT in html and f"/panel/flags/{flag.id}" in html and "0条发言" in html


def test_decision_table_links_each_application_to_its_breakdown(app):
    w = wmod.build()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    html = client.get("/decision/excellent").get_data(as_text=True)
    assert f"/scoring/applications/{w.app.id}" in html and ">明细<" in html


def test_the_scan_finds_the_enterprise_and_the_experts_own_name_and_unit(app):
    w = wmod.build()
    a = w.assignments[0]
    expert = a.expert
    text = f"该企业即{wmod.NAME}，与{expert.employer}合作。{expert.name}认为尚可。"
    hits = comments.leaks(text, w.app, expert)
    found = {h.what for h in hits}
    assert {"企业名称或简称", "本人工作单位", "本人姓名"} <= found
    assert comments.leaks(wmod.PRAISE + wmod.FAULT, w.app, expert) == []


def _form(a, comment: str, action: str, html: str) -> dict:
    data = {"csrf_token": csrf_from(html), "comment": comment, "action": action}
    for c in rubric_section(a.section).criteria:
        data[f"c_{c.code}"] = str(c.max / 2)
    return data


def test_a_leaking_comment_is_refused_on_submit_and_shown_after_a_draft_save(app):
    w = wmod.build(submit=False)
    a = w.assignments[0]
    client = wmod.signed_in(app, a.expert.user.username)
    url = f"/expert/assignments/{a.id}/score"
    leaky = f"该企业（{wmod.NAME}）产线数据完整，系统集成较好。"
    before = db.session.scalar(select(func.count(Review.id)))
    response = client.post(
        url, data=_form(a, leaky, "submit", client.get(url).get_data(as_text=True))
    )
    assert response.status_code == 400
    assert "可能暴露企业或本人身份" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Review.id))) == before and a.status == "assigned"
    # A draft keeps it, and the form shows the hit to its author to rephrase.
    response = client.post(
        url, data=_form(a, leaky, "save", client.get(url).get_data(as_text=True))
    )
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "comment-leaks" in html and wmod.NAME in html
    clean = "产线数据完整，系统集成较好，建议加强能耗分析。"
    response = client.post(url, data=_form(a, clean, "submit", html))
    assert response.status_code == 302
    db.session.expire_all()
    assert a.status == "submitted"
