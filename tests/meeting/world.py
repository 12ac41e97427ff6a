"""A small 领航级 meeting world: format-checked applications (not anonymised: the meeting does
without), the track's 综合组 panel with pledged experts, the clock on the meeting day."""

from dataclasses import dataclass, field
from datetime import time

from review_app.applications.catalogue import scored_sections
from review_app.assignment.service import set_members
from review_app.clock import china_date
from review_app.extensions import db
from review_app.meeting import service
from review_app.programs.service import current_program
from review_app.scoring.service import rubric_for
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE


@dataclass
class MeetingWorld:
    actors: f.Actors
    apps: list
    experts: list
    panel: object
    extra: dict = field(default_factory=dict)


def build(app, n_apps: int = 3, n_experts: int = 4) -> MeetingWorld:
    actors = f.Actors()
    prefectures = ("郑州市", "洛阳市", "开封市", "新乡市")
    apps = []
    for i in range(n_apps):
        a = f.application(track="leading", pref=prefectures[i % 4], anonymised=False)
        a.enterprise.contact_name = f"联系人{i}"
        a.enterprise.contact_email = f"contact{i}@example.invalid"
        fire(a, "endorse", actors.officer(a.prefecture.name), now=BEFORE_DEADLINE)
        fire(a, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
        apps.append(a)
    experts = [f.expert() for _ in range(n_experts)]
    program = current_program()
    panel = service.meeting_panel(program, "leading", actors.coordinator)
    set_members(panel, [e.id for e in experts], actors.coordinator)
    db.session.commit()
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    return MeetingWorld(actors, apps, experts, panel)


def arrangement(**changes) -> service.Arrangement:
    values = {"held_on": china_date(AFTER_DEADLINE), "start": time(9, 0), "minutes": 30,
              "place": "省工信厅第一会议室", "video_link": "", "seed": "20260402"}  # fmt: skip
    values.update(changes)
    return service.Arrangement(**values)


def sheet(application, fraction: float) -> dict:
    """Every section's criteria at ``fraction`` of their maximum, keyed as the page posts them
    to the verb: section key -> (values, note)."""
    rubric = rubric_for("leading")
    out = {}
    for spec in scored_sections(application.track_code):
        criteria = rubric.section(spec.key).criteria
        out[spec.key] = ({c.code: (round(fraction * c.max, 1), False) for c in criteria}, "")
    return out


def under_way(app, n_present: int = 4):
    """The world with its meeting scheduled and the first ``n_present`` experts signed in."""
    w = build(app)
    meeting = service.schedule(current_program(), "leading", arrangement(), w.actors.coordinator)
    for expert in w.experts[:n_present]:
        service.sign_in(meeting, expert, expert.user)
    db.session.commit()
    return w, meeting
