"""An expert's token never yields an identity (name, credit code, prefecture) through any
endpoint, filter or error; the cursor pages stay stable while applications are added; the
OpenAPI description validates and holds every route."""

import re

from openapi_spec_validator import validate
from sqlalchemy import select

from review_app.applications.models import Application
from review_app.assignment.models import Assignment
from review_app.auth.models import User
from review_app.extensions import db
from tests import factories as f
from tests.security import world as wmod

from .helpers import call, token_for


def test_an_expert_token_sees_only_anonymised_sections_of_its_own_assignments(app):
    world = wmod.build()
    expert_user = db.session.scalar(select(User).where(User.username == world.users["expert"]))
    secret = token_for(expert_user)
    identities = set()
    for a in db.session.scalars(select(Application)):
        identities |= {a.enterprise.name, a.enterprise.uscc, a.prefecture.name}
    mine, other = world.mine, world.other
    urls = [
        "/api/v1/programs", "/api/v1/prefectures", "/api/v1/assignments", "/api/v1/reviews",
        f"/api/v1/assignments/{mine['assignment_id']}",
        f"/api/v1/assignments/{other['assignment_id']}", "/api/v1/assignments/999999",
        "/api/v1/applications", "/api/v1/applications?prefecture=1&state=scored",
        "/api/v1/applications?cursor=bad", f"/api/v1/applications/{mine['application_id']}",
        f"/api/v1/applications/{other['application_id']}", "/api/v1/tracks/excellent/ranking",
        f"/api/v1/applications/{mine['application_id']}/reviews",
        "/api/v1/tracks/excellent/decision", "/api/v1/audit/verify", "/api/v1/nope",
    ]  # fmt: skip
    bodies = {url: call(app, "GET", url, secret) for url in urls}
    posted = call(app, "POST", f"/api/v1/applications/{mine['application_id']}/transitions",
                  secret, json={"trigger": "withdraw", "reason": "x"})  # fmt: skip
    bodies["POST transition"] = posted
    for url, response in bodies.items():
        text = response.get_data(as_text=True)
        shown = [i for i in identities if i and i in text]
        assert shown == [], f"{url} shows {shown}"
    own = bodies[f"/api/v1/assignments/{mine['assignment_id']}"].get_json()
    listed = bodies["/api/v1/assignments"].get_json()
    # its own assignments, every one (the world's 会议评审 gave it every section of the 领航级
    # application it signed in for), and no other expert's
    owned = set(db.session.scalars(select(Assignment.id).where(
        Assignment.expert_id == world.my_expert.id)))  # fmt: skip
    assert {a["id"] for a in listed} == owned and mine["assignment_id"] in owned
    assert all(a["section"]["anonymised_text"] is None for a in listed)  # no text in the list
    assert own["anon_code"] == world.own_app.anon_code
    assert own["section"]["key"] and "enterprise" not in own and "prefecture" not in own
    assert bodies[f"/api/v1/assignments/{other['assignment_id']}"].status_code == 404
    assert bodies["/api/v1/applications"].status_code == 403
    assert posted.status_code == 403


def test_the_section_text_waits_for_the_pledge(app):
    world = wmod.build()
    expert = world.my_expert
    from review_app.draws.models import Pledge

    db.session.query(Pledge).filter_by(expert_id=expert.id).delete()
    db.session.commit()
    secret = token_for(expert.user)
    response = call(app, "GET", f"/api/v1/assignments/{world.mine['assignment_id']}", secret)
    assert response.status_code == 403 and response.get_json()["code"] == "pledge_required"


def test_cursor_pages_are_stable_while_applications_are_added(app):
    coordinator = f.user("coordinator")
    secret = token_for(coordinator)
    first_batch = [f.application(name=f"分页测试{i}有限公司").id for i in range(5)]
    db.session.commit()
    seen, cursor, added = [], None, []
    while True:
        url = "/api/v1/applications?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = call(app, "GET", url, secret).get_json()
        seen += [item["id"] for item in page["items"]]
        if len(added) < 3:  # someone submits while we page
            added.append(f.application(name=f"新增{len(added)}有限公司").id)
            db.session.commit()
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))  # nothing twice
    assert seen == sorted(seen)
    assert set(first_batch) <= set(seen)  # nothing skipped
    assert seen[-len(added) :] == added  # the new ones come at the end


def test_the_openapi_description_validates_and_holds_every_route(app):
    token = token_for(f.user("expert"))
    spec = call(app, "GET", "/api/v1/openapi.json", token).get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops
                  if m in ("get", "post", "put", "patch", "delete")}  # fmt: skip
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == documented
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = call(app, "GET", "/api/v1/docs", token).get_data(as_text=True)
    assert "/api/v1/applications/{application_id}/transitions" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script: the CSP holds
