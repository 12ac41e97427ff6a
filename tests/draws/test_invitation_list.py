"""An expert's 评审邀请 list: at most 50 a page, filtered by status from the URL, newest first,
the total shown, never a backup's standby row nor another expert's invitation."""

import re

from review_app.clock import utcnow
from review_app.draws import views
from review_app.draws.models import DrawRun, Invitation
from review_app.extensions import db
from review_app.programs.service import current_program

from .. import factories as f
from ..conftest import login
from .test_draws import panel


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/invitations/(\d+)"', html)]


def test_the_list_is_paged_filtered_and_kept_to_the_expert(app, client, monkeypatch):
    assert views.INVITATIONS_PER_PAGE <= 50
    monkeypatch.setattr(views, "INVITATIONS_PER_PAGE", 4)
    me, other = f.expert(), f.expert()
    the_panel, program = panel(), current_program()
    made = {"pending": [], "declined": [], "standby": [], "other": []}
    for i in range(8):
        run = DrawRun(program_id=program.id, panel_id=the_panel.id, seed=str(i),
                      snapshot_hash="0" * 64, answer_by=utcnow())  # fmt: skip
        db.session.add(run)
        db.session.flush()
        status = ("pending", "declined", "standby")[i % 3]
        mine = Invitation(draw_run_id=run.id, panel_id=the_panel.id, expert_id=me.id,
                          position=1, role="drawn", status=status)  # fmt: skip
        theirs = Invitation(draw_run_id=run.id, panel_id=the_panel.id, expert_id=other.id,
                            position=2, role="drawn", status="pending")  # fmt: skip
        db.session.add_all([mine, theirs])
        db.session.flush()
        made[status].append(mine.id)
        made["other"].append(theirs.id)
    db.session.commit()
    login(client, me.user.username)
    first = client.get("/invitations/").get_data(as_text=True)
    visible = sorted(made["pending"] + made["declined"], reverse=True)
    assert _ids(first) == visible[:4] and f"共 {len(visible)} 份，第 1 / 2 页" in first
    second = client.get("/invitations/?page=2").get_data(as_text=True)
    assert _ids(second) == visible[4:]
    declined = client.get("/invitations/?status=declined").get_data(as_text=True)
    assert _ids(declined) == sorted(made["declined"], reverse=True)
    assert (
        _ids(client.get("/invitations/?status=standby").get_data(as_text=True))[:4] == (visible[:4])
    )  # a standby row is never listed: the filter is ignored
    html = client.get("/invitations/?status=accepted").get_data(as_text=True)
    assert _ids(html) == [] and "没有符合筛选条件的评审邀请" in html
