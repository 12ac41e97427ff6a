"""``roles.members_by_application`` (one query for a panel's applications) gives what
``roles.member_ids`` gives one application at a time: the same experts in the same order, an
empty list where nobody reviewed, declined tasks left out."""

from sqlalchemy import select

from review_app.experts.models import Panel
from review_app.extensions import db
from review_app.panel import roles
from review_app.scoring.in_force import MEETING_PANEL_GROUP

from .. import factories as f
from ..meeting.world import under_way as meeting_under_way
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


def test_in_a_meeting_the_meeting_panel_holds_every_section_and_the_others_none(app):
    """A 会议评审's experts scored every section: the 综合组 panel's members are all of them,
    the track's other panels have none, exactly as ``member_ids`` says one at a time."""
    w, _meeting = meeting_under_way(app, n_present=3)
    panels = (
        db.session.execute(select(Panel).where(Panel.track_code == "leading").order_by(Panel.id))
        .scalars()
        .all()
    )
    assert len(panels) > 1
    for panel in panels:
        found = roles.members_by_application(w.apps, panel)
        assert found == {a.id: roles.member_ids(a, panel) for a in w.apps}, panel.name
    held = [p for p in panels if any(roles.members_by_application(w.apps, p).values())]
    assert [p.section_group for p in held] == [MEETING_PANEL_GROUP]
    assert roles.members_by_application(w.apps, held[0])[w.apps[0].id] == [
        e.id for e in w.experts[:3]]  # fmt: skip
