"""The coordinator reads every review's scores and comment through the API, each reviewer by
code (专家A, 专家B …), with the panel's 专家组意见; an expert's token is refused there and,
through every endpoint it may call, never shows another expert's name or the enterprise."""

import re

from sqlalchemy import select

from review_app.experts.models import Expert
from review_app.extensions import db
from review_app.panel import opinions

from ..panel import world as wmod
from .helpers import call, token_for


def _world():
    w = wmod.build()
    tasks = wmod.panel_tasks(w)
    opinions.set_lead(w.panel, tasks[0].expert, w.actors.coordinator)
    opinions.start(w.app, w.panel, tasks[0].expert.user)
    db.session.commit()
    return w


def test_the_coordinator_reads_comments_by_reviewer_code_and_the_opinion(app):
    w = _world()
    secret = token_for(w.actors.coordinator)
    response = call(app, "GET", f"/api/v1/applications/{w.app.id}/reviews", secret)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["anon_code"] == w.app.anon_code and body["track"] == "excellent"
    reviews = [r for s in body["sections"] for r in s["reviews"]]
    assert len(reviews) == len(w.assignments)
    for section in body["sections"]:
        codes = [r["reviewer"] for r in section["reviews"]]
        assert all(re.fullmatch(r"专家[A-Z]", c) for c in codes) and len(set(codes)) == len(codes)
    assert {r["comment"] for r in reviews} == {wmod.PRAISE + wmod.FAULT + wmod.ADVICE}
    assert all(r["status"] == "submitted" and r["total"] > 0 for r in reviews)
    text = response.get_data(as_text=True)
    names = db.session.scalars(select(Expert.name)).all()
    assert [n for n in names if n in text] == []  # codes, never names
    (opinion,) = body["opinions"]
    assert opinion["panel"] == w.panel.name and opinion["status"] == "draft"


def test_an_expert_is_refused_and_never_sees_other_experts_or_the_enterprise(app):
    w = _world()
    mine = w.assignments[0]
    me = mine.expert
    secret = token_for(me.user)
    refused = call(app, "GET", f"/api/v1/applications/{w.app.id}/reviews", secret)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    others = {e.name for e in db.session.scalars(select(Expert)) if e.id != me.id}
    identities = {w.app.enterprise.name, w.app.enterprise.uscc} | others
    for url in ("/api/v1/assignments", f"/api/v1/assignments/{mine.id}", "/api/v1/reviews",
                f"/api/v1/applications/{w.app.id}/reviews"):  # fmt: skip
        text = call(app, "GET", url, secret).get_data(as_text=True)
        assert [i for i in identities if i and i in text] == [], url
    own = call(app, "GET", "/api/v1/reviews", secret).get_json()
    assert [r["assignment_id"] for r in own] == [mine.id]  # its own comment only
    assert own[0]["comment"] == wmod.PRAISE + wmod.FAULT + wmod.ADVICE


def test_an_application_not_yet_reviewed_is_not_found_for_the_coordinator(app):
    w = wmod.build(submit=False)
    secret = token_for(w.actors.coordinator)
    missing = call(app, "GET", "/api/v1/applications/999999/reviews", secret)
    assert missing.status_code == 404
    prefecture = call(app, "GET", f"/api/v1/applications/{w.app.id}/reviews",
                      token_for(w.actors.prefecture))  # fmt: skip
    assert prefecture.status_code == 403
