"""The application page's actions: the expected next one primary, the others secondary, the
irreversible ones confirm, one reason box per action, the format report before 基本信息."""

import re

from review_app.applications.action_display import CONFIRMS, shown_actions
from review_app.extensions import db
from review_app.workflow.machine import EXPECTED_NEXT, TRANSITIONS, expected_next
from review_app.workflow.service import Available
from review_app.workflow.states import FINAL_STATES, STATE_NAMES

from .. import factories as f
from ..conftest import AFTER_DEADLINE, login


def test_every_expected_step_is_a_row_of_the_table():
    for state, trigger in EXPECTED_NEXT.items():
        assert state in STATE_NAMES
        assert any(t.trigger == trigger and state in t.source for t in TRANSITIONS), state


def test_every_action_that_ends_an_application_asks_first():
    ending = {t.trigger for t in TRANSITIONS if t.dest in FINAL_STATES}
    assert ending == {"fail_format_check", "issue", "reconsider", "withdraw"}
    assert ending <= set(CONFIRMS)


def test_the_expected_step_comes_first_and_is_primary_only_when_allowed():
    actions = [
        Available("withdraw", "撤回申报", True, None),
        Available("return", "退回企业修改", True, None),
        Available("endorse", "地市推荐", False, None),
    ]
    shown = shown_actions("endorse", actions)
    assert [a.trigger for a in shown] == ["endorse", "withdraw", "return"]
    assert [a.primary for a in shown] == [True, False, False]
    assert shown[0].confirm and shown[1].confirm and shown[2].confirm is None
    refused = shown_actions("endorse", [Available("endorse", "地市推荐", False, "不行。")])
    assert refused[0].primary is False


def _page(client, application):
    return client.get(f"/applications/{application.id}").get_data(as_text=True)


def _buttons(html):
    return {
        label: tag
        for tag, label in re.findall(
            r'(<button type="submit" class="(?:primary|secondary)"[^>]*>)([^<]+)</button>', html
        )
    }


def test_prefecture_page_marks_endorse_primary_and_confirms(app, client):
    f.user("prefecture", "lyofficer", prefecture="洛阳市")
    application = f.application(pref="洛阳市")
    db.session.commit()
    login(client, "lyofficer")
    html = _page(client, application)
    buttons = _buttons(html)
    assert 'class="primary"' in buttons["地市推荐"] and "data-confirm" in buttons["地市推荐"]
    assert 'class="secondary"' in buttons["撤回申报"] and "data-confirm" in buttons["撤回申报"]
    assert 'class="secondary"' in buttons["退回企业修改"]
    assert "data-confirm" not in buttons["退回企业修改"]
    # one reason box per action that needs one, each labelled by its action
    assert html.count("<textarea") == 2
    assert "撤回申报的理由" in html and "退回企业修改的理由" in html
    # the format report is in the first row, before 基本信息
    assert html.index("形式审查报告") < html.index("基本信息")


def test_a_scored_application_goes_to_inspection_only_when_sampled(app):
    actors = f.Actors()
    sampled, not_sampled = f.application(name="抽中企业"), f.application(name="未抽中企业")
    f.scored(sampled, actors, 0.8)
    f.scored(not_sampled, actors, 0.8)
    f.sample_for_inspection(sampled)
    db.session.flush()
    assert sampled.state == not_sampled.state == "scored"
    assert expected_next(sampled) == "record_inspection"
    assert expected_next(not_sampled) == "propose"
    # the other states keep the table's step
    submitted = f.application(name="待推荐企业")
    assert expected_next(submitted) == EXPECTED_NEXT["submitted"] == "endorse"


def test_the_coordinator_sees_the_decision_primary_when_not_sampled(app, client):
    actors = f.Actors()
    application = f.application(name="未抽中企业")
    f.scored(application, actors, 0.8)
    f.user("coordinator", "coord-primary")
    db.session.commit()
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    login(client, "coord-primary")
    buttons = _buttons(_page(client, application))
    assert 'class="primary"' in buttons["拟入库"]
    assert 'class="secondary"' in buttons["拟不予入库"]
    assert 'class="secondary"' in buttons["重新开放评分"]
    # sampled: 拟入库 waits for the inspection's verdict and nothing else is primary
    f.sample_for_inspection(application)
    db.session.commit()
    buttons = _buttons(_page(client, application))
    assert 'class="secondary"' in buttons["拟入库"]
    assert not any('class="primary"' in tag for tag in buttons.values())
