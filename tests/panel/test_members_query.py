"""``roles.members_by_application`` (one query for a panel's applications) gives what
``roles.member_ids`` gives one application at a time: the same experts in the same order, an
empty list where nobody reviewed, declined tasks left out."""

from sqlalchemy import select

from review_app.experts.models import Panel
from review_app.extensions import db
from review_app.meeting import service as meeting_service
from review_app.panel import roles
from review_app.programs.service import current_program
from review_app.scoring.in_force import MEETING_PANEL_GROUP

from .. import factories as f
from ..meeting import world as meeting_world
from . import world as wmod


def test_one_query_gives_each_applications_members_in_order(app):
    w = wmod.build()
    other = f.application(name="洛阳另一家智能装备有限公司")  # nobody assigned
    wmod.panel_tasks(w)[0].status = "declined_conflict"
    db.session.flush()
    panels = db.session.execute(select(Panel).order_by(Panel.id)).scalars().all()
    for panel in panels:
        found = roles.members_by_application([w.app, other], panel)
        assert found == {w.app.id: roles.member_ids(w.app, panel), other.id: []}, panel.name
    assert any(roles.member_ids(w.app, p) for p in panels)
    assert roles.members_by_application([], w.panel) == {}


def test_in_a_meeting_track_the_meeting_panel_has_the_members_and_the_others_none(app):
    """会议评审: the experts present hold every section, so only the 综合组 has members (as
    ``member_ids`` says); another panel of the track has none (the simulation signs an opinion
    for each application where the one query finds members)."""
    w = meeting_world.build(app)
    meeting = meeting_service.schedule(current_program(), "leading", meeting_world.arrangement(),
                               w.actors.coordinator)  # fmt: skip
    for expert in w.experts[:3]:
        meeting_service.sign_in(meeting, expert, expert.user)
    db.session.flush()
    panels = db.session.execute(
        select(Panel).where(Panel.track_code == "leading").order_by(Panel.id)
    ).scalars().all()  # fmt: skip
    assert panels
    for panel in panels:
        found = roles.members_by_application(w.apps, panel)
        assert found == {a.id: roles.member_ids(a, panel) for a in w.apps}, panel.name
        assert any(found.values()) == (panel.section_group == MEETING_PANEL_GROUP), panel.name
