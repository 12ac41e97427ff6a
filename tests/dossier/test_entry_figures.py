"""入库条件（三） figures: against the industry average of the 大类 (editable by the
coordinator), the AI scenario share against 20% / 60%, and the tick list the experts see."""

import pytest
from sqlalchemy import func, select

from review_app.assignment.models import Assignment
from review_app.dossier import entry, entry_service
from review_app.dossier.entry import Average, assess, file_averages, scenarios
from review_app.dossier.models import EntryFigures, IndustryAverage
from review_app.errors import InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import AFTER_DEADLINE, BEFORE_DEADLINE, csrf_from, login

AVG = Average("34", "通用设备制造业", 60.0, 80.0)


def messages(findings, severity="warning"):
    return [x.message for x in findings if x.severity == severity]


def test_the_data_files_cover_every_division_and_the_guides_40_scenarios():
    assert len(file_averages()) == 31 and file_averages()["34"].name == "通用设备制造业"
    assert len(scenarios()) == 40
    keys = {s.section_key for s in scenarios()}
    assert keys == {"link.factory", "link.rnd", "link.production", "link.prod_mgmt",
                    "link.operations"}  # fmt: skip


def test_below_the_industry_average_is_a_warning_naming_both_figures():
    found = assess("excellent", "34", 55.5, 85.0, ["产品数字化设计"], ["产品数字化设计"], AVG)
    warned = messages(found)
    assert warned == ["关键工序数控化率55.5%低于通用设备制造业行业平均水平60%（入库条件（三））。"]
    assert any("数字化研发设计工具普及率85%不低于" in m for m in messages(found, "ok"))


@pytest.mark.parametrize(
    ("track", "ticked", "ai", "warned"),
    [("excellent", 5, 1, False), ("excellent", 10, 1, True),
     ("leading", 5, 3, False), ("leading", 5, 2, True)],
)  # fmt: skip
def test_ai_share_against_20_and_60_percent(track, ticked, ai, warned):
    names = list(entry.scenario_names())
    found = assess(track, "34", 70, 90, names[:ticked], names[:ai], AVG)
    share = [m for m in messages(found) if "人工智能" in m]
    assert bool(share) == warned
    if warned:
        assert ("60%" if track == "leading" else "20%") in share[0]


def test_nothing_entered_is_said():
    assert messages(assess("excellent", "34", None, None, [], [], AVG)) == [
        "未填写关键工序数控化率。", "未填写数字化研发设计工具普及率。",
        "未勾选《智能制造典型场景参考指引》中的典型场景。"]  # fmt: skip


@pytest.fixture()
def actors(app):
    return f.Actors()


@pytest.fixture()
def application(app):
    a = f.application(name="指标测试有限公司")
    a.enterprise.industry_division = "34"
    db.session.commit()
    return a


def test_officer_records_figures_and_the_coordinators_average_changes_the_verdict(
    application, actors
):
    entry_service.set_entry_figures(application, "63", "85", ["车间智能排产", "产品数字化设计"],
                                    ["车间智能排产"], actors.prefecture)  # fmt: skip
    assert not any("低于" in m for m in messages(entry_service.assessment(application)))
    entry_service.set_average("34", "65", "80", actors.coordinator)
    warned = messages(entry_service.assessment(application))
    assert warned == ["关键工序数控化率63%低于通用设备制造业行业平均水平65%（入库条件（三））。"]
    row = db.session.execute(select(EntryFigures)).scalar_one()
    assert row.scenarios == ["产品数字化设计", "车间智能排产"]  # in the guide's order


@pytest.mark.parametrize(
    ("nc", "ticked", "ai", "code"),
    [("abc", [], [], "rate_invalid"), ("101", [], [], "rate_range"), ("NaN", [], [], "rate_range"),
     ("70", ["元宇宙工厂"], [], "scenario_unknown"),
     ("70", ["车间智能排产"], ["产品数字化设计"], "scenario_ai_unticked"),
     (None, [], [], "figures_empty")],
)  # fmt: skip
def test_bad_figures_are_refused_and_nothing_is_stored(application, actors, nc, ticked, ai, code):
    with pytest.raises(InvalidInput) as refused:
        entry_service.set_entry_figures(application, nc, None, ticked, ai, actors.prefecture)
    assert refused.value.code == code
    assert db.session.scalar(select(func.count(EntryFigures.id))) == 0


def test_only_the_coordinator_edits_averages_and_only_known_divisions(actors):
    with pytest.raises(PermissionDenied):
        entry_service.set_average("34", "60", "80", actors.prefecture)
    with pytest.raises(InvalidInput):
        entry_service.set_average("99", "60", "80", actors.coordinator)
    assert db.session.scalar(select(func.count(IndustryAverage.id))) == 0


def test_figures_page_and_the_experts_see_the_scenarios_of_their_section(
    client, application, actors
):
    login(client, actors.prefecture.username)
    url = f"/dossier/applications/{application.id}/figures"
    page = client.get(url).get_data(as_text=True)
    assert "车间智能排产" in page and "未填写关键工序数控化率。" in page
    sent = client.post(url, data={"csrf_token": csrf_from(page), "nc_rate": "50",
                                  "design_tool_rate": "90",
                                  "scenarios": ["车间智能排产", "产品数字化设计"],
                                  "ai_scenarios": ["车间智能排产"]})  # fmt: skip
    assert sent.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "关键工序数控化率50%低于通用设备制造业行业平均水平62.9%" in page
    refused = client.post(url, data={"csrf_token": csrf_from(page), "nc_rate": "150"})
    assert refused.status_code == 400 and "0到100之间" in refused.get_data(as_text=True)
    assert entry.for_section(["车间智能排产", "产品数字化设计"], "link.rnd") == ["产品数字化设计"]


def test_an_expert_sees_the_ticked_scenarios_of_the_section_under_review(app, client):
    actors = f.Actors()
    application = f.application(name="场景专家测试有限公司")
    fire(application, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    fire(application, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    f.staff(application)
    fire(application, "assign", actors.coordinator, now=AFTER_DEADLINE)
    entry_service.set_entry_figures(application, "70", "90", ["产品数字化设计", "车间智能排产"],
                                    [], actors.coordinator)  # fmt: skip
    db.session.commit()
    task = next(
        a for a in db.session.execute(select(Assignment)).scalars() if a.section.key == "link.rnd"
    )
    login(client, task.expert.user.username)
    page = client.get(f"/expert/assignments/{task.id}").get_data(as_text=True)
    assert "企业勾选的典型场景（本环节）" in page and "产品数字化设计" in page
    assert "车间智能排产" not in page  # 生产管理's, not this section's
