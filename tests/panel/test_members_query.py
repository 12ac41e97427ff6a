"""``roles.members_by_application`` (one query for a panel's applications) gives what
``roles.member_ids`` gives one application at a time: the same experts in the same order, an
empty list where nobody reviewed, declined tasks left out."""

from sqlalchemy import select

from review_app.experts.models import Panel
from review_app.extensions import db
from review_app.panel import roles

from .. import factories as f
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
