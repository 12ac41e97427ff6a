"""A reviewed application with comments, its track's panels, and helpers to sign in."""

from dataclasses import dataclass

from flask import g
from sqlalchemy import select

from review_app.applications.catalogue import BY_KEY
from review_app.assignment.models import Assignment
from review_app.assignment.service import ensure_panels
from review_app.experts.models import Panel
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.scoring.models import DispersionFlag, Review
from review_app.scoring.service import rubric_for
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE, csrf_from, login

NAME = "郑州测试智能装备有限公司"
PRAISE = "数据采集覆盖主要产线，设备联网率高。"
FAULT = "能耗管理数据分析不足。"
ADVICE = "建议进一步打通计划与排产系统。"


@dataclass
class World:
    app: object
    actors: object
    assignments: list
    panel: Panel  # the 工厂建设组 of the track
    program: object


def build(fraction: float = 0.8, submit: bool = True) -> World:
    actors = f.Actors()
    app = f.application(name=NAME)
    fire(app, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    fire(app, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    f.staff(app)
    fire(app, "assign", actors.coordinator, now=AFTER_DEADLINE)
    rubric = rubric_for(app.track_code)
    tasks = list(
        db.session.execute(
            select(Assignment).where(Assignment.application_id == app.id).order_by(Assignment.id)
        ).scalars()
    )
    if submit:
        for a in tasks:
            a.status = "submitted"
            total = round(fraction * rubric.section(a.section.key).max, 2)
            db.session.add(Review(assignment=a, status="submitted", total=total,
                                  comment=PRAISE + FAULT + ADVICE))  # fmt: skip
        db.session.flush()
    program = current_program()
    panels = ensure_panels(program, actors.coordinator)
    panel = next(p for p in panels if p.track_code == "excellent"
                 and p.section_group == "link.factory")  # fmt: skip
    db.session.commit()
    return World(app, actors, tasks, panel, program)


def panel_tasks(w: World) -> list[Assignment]:
    """The assignments of the 工厂建设 section (the world's panel), in order."""
    return [a for a in w.assignments if BY_KEY[a.section.key].group == w.panel.section_group]


def signed_in(app, username: str):
    """A client signed in as ``username``. The tests share one app context, so Flask-WTF's
    token cache in ``g`` is dropped first (as ``tests/security/world.client_as`` does)."""
    g.pop("csrf_token", None)
    client = app.test_client()
    login(client, username)
    return client


def token(client, page: str = "/panel/mine") -> str:
    g.pop("csrf_token", None)
    return csrf_from(client.get(page).get_data(as_text=True))


def post(client, url: str, data: dict, page: str | None = None):
    g.pop("csrf_token", None)
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_from(html), **data})


def flagged():
    """A built world with an open 复议 flag on its first section: (world, flag, that section's
    experts)."""
    w = build()
    section = w.assignments[0].section
    flag = DispersionFlag(application_id=w.app.id, section_id=section.id, spread=30,
                          threshold=20, status="open")  # fmt: skip
    db.session.add(flag)
    db.session.commit()
    experts = [a.expert for a in w.assignments if a.section_id == section.id]
    return w, flag, experts
