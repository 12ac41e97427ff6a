"""After the decision the dashboards say what is left (公示, objections, letters, archive)
instead of tiles of 0, and 结果通知 and 发件箱 count sent mail the same way (outbox.tally)."""

import re
from dataclasses import replace

import pytest
from flask import current_app
from sqlalchemy import select

from review_app.decision import notices
from review_app.decision import service as decision
from review_app.extensions import db
from review_app.outbox import tally
from review_app.outbox.models import OutboxMessage
from review_app.programs.service import current_program
from review_app.publicity.stage import stage_of

from .. import factories as f
from ..publicity.helpers import approve_and_publish, finalise
from ..security.world import client_as


@pytest.fixture()
def decided(app):
    actors = f.Actors()
    experts = None
    for i, fraction in enumerate((0.9, 0.85, 0.8, 0.75)):
        a = f.application(pref=("郑州市", "洛阳市")[i % 2], name=f"决定后企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=2)
    decision.confirm(decision.stage(program, "excellent", params, actors.coordinator),
                     actors.coordinator)  # fmt: skip
    db.session.commit()
    return actors, program


def _page(user, url: str = "/dashboard/") -> str:
    return (
        client_as(current_app._get_current_object(), user.username).get(url).get_data(as_text=True)
    )


def _tiles(html: str) -> list[str]:
    return re.findall(r'<span class="tile-n">([^<]*)</span><span>([^<]*)</span>', html)


def test_before_the_decision_the_review_tiles_show_even_at_0(app):
    html = _page(f.user("coordinator", "before-c"))
    assert ("0", "待形式审查") in _tiles(html) and "决定之后待办" not in html


def test_after_the_decision_what_is_left_replaces_the_tiles_of_0(decided):
    actors, program = decided
    html = _page(actors.coordinator)
    tiles = _tiles(html)
    assert ("2", "待审定、公示") in tiles and ("0", "异议已全部办结") in tiles
    assert ("未生成", "本批次归档") in tiles and ("0/0", "通知邮件已发送") in tiles
    assert not [t for t in tiles if t[0] == "0" and t[1] in ("待形式审查", "专家评审中", "待复议")]
    assert "归档：尚未生成" in html
    # the inspector with nothing left is told so, not "待核查 0"
    html = _page(f.user("inspector", "after-i"))
    assert "实地核查任务已全部完成" in html and "待核查 <strong>0</strong>" not in html


def test_the_publicity_days_left_on_every_dashboard(decided):
    actors, program = decided
    period = approve_and_publish(program, "excellent", actors.coordinator)
    db.session.commit()
    left = stage_of(program).running[0][3]
    assert (f"{left} 天", "公示剩余") in _tiles(_page(actors.coordinator))
    assert f"剩 {left} 天" in _page(actors.prefecture)
    assert f"剩 {left} 天" in _page(f.user("inspector", "pub-i"))
    assert period.end_on.isoformat() in _page(actors.prefecture)


def test_notices_outbox_and_dashboard_agree_on_what_was_sent(decided):
    actors, program = decided
    finalise(program, actors.coordinator)
    made = notices.generate(program, actors.coordinator)
    zz = next(n for n in made if n.prefecture.name == "郑州市")
    actors.officer("郑州市").email = "zz@example.com"
    f.user("prefecture", "zz-2", prefecture="郑州市").email = "zz2@example.com"
    notices.release(zz, actors.coordinator)
    db.session.commit()
    letters = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.status for m in letters] == ["draft", "draft"]
    # nothing sent yet: every page says 0 of 2, though the notice itself is 已发出
    assert tally.letters_sent(program) == (0, 2)
    notice_page = _page(actors.coordinator, "/decision/notices")
    assert "通知邮件已发送 <strong>0</strong>/2 封" in notice_page
    assert "已发送 0/2 · 待审核 2" in notice_page
    letters[0].status = "sent"
    db.session.commit()
    notice_page = _page(actors.coordinator, "/decision/notices")
    outbox_page = _page(actors.coordinator, "/outbox/?kind=result_letter")
    dashboard = _page(actors.coordinator)
    assert "通知邮件已发送 <strong>1</strong>/2 封" in notice_page
    assert "已发送 1/2 · 待审核 1" in notice_page
    assert re.search(r">已发送 1</a>", outbox_page) and re.search(r">待审核 1</a>", outbox_page)
    assert ("1/2", "通知邮件已发送") in _tiles(dashboard) and "已发送 1/2 封" in dashboard
    # the prefecture's dashboard offers its released letter
    html = _page(actors.prefecture)
    assert f"/decision/notices/{zz.id}.docx" in html and "本地市评审结果通知：已发出" in html
    assert html.count('id="after-decision"') == 1  # once, in the page, never in its <title>
    assert re.search(r"<title>([^<]*)</title>", html).group(1) == "工作台 · 智能工厂培育评审系统"
    assert "省厅尚未发出" in _page(actors.officer("洛阳市"))
