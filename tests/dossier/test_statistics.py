"""统计: counts by dimension for endorsed, scored and admitted; the report text; the page."""

import io

from openpyxl import load_workbook

from review_app.dossier import statistics
from review_app.dossier.statistics import Fact, paragraph, tabulate
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, login


def fact(pref, chain=("光电",), scored=False, admitted=False, size="中型企业", level="三级",
         track="卓越级智能工厂培育", division="39 计算机、通信和其他电子设备制造业"):  # fmt: skip
    return Fact(scored, admitted, {"prefecture": pref, "chain": chain, "division": division,
                                   "size": size, "maturity": level, "track": track})  # fmt: skip


def test_tables_count_each_stage_and_every_chain_an_application_names():
    rows = [fact("郑州市", ("光电", "先进计算"), scored=True, admitted=True),
            fact("郑州市", scored=True), fact("洛阳市", size="大型企业", level="二级")]  # fmt: skip
    tables = tabulate(rows)
    assert [(r.label, r.endorsed, r.scored, r.admitted) for r in tables["prefecture"]] == [
        ("郑州市", 2, 2, 1), ("洛阳市", 1, 0, 0)]  # fmt: skip
    assert [(r.label, r.endorsed) for r in tables["chain"]] == [("光电", 3), ("先进计算", 1)]
    assert [(r.label, r.endorsed) for r in tables["maturity"]] == [("三级", 2), ("二级", 1)]


def test_the_paragraph_says_the_numbers():
    rows = [fact("郑州市", scored=True, admitted=True), fact("郑州市", scored=True),
            fact("洛阳市", track="领航级智能工厂培育")]  # fmt: skip
    text = paragraph(rows, tabulate(rows))
    assert text.startswith("全省共推荐3家企业，其中卓越级智能工厂培育2家、领航级智能工厂培育1家")
    assert "来自2个地市，推荐数量最多的是郑州市（2家）" in text
    assert "光电（3家）" in text and "中型企业为主（3家，占100%）" in text
    assert "完成评分2家，入库1家。" in text
    assert paragraph([], tabulate([])) == "目前尚无地市推荐的企业。"


def test_statistics_from_the_database_page_and_xlsx(app, client):
    actors = f.Actors()
    a = f.application(name="统计甲有限公司")
    a.enterprise.chain, a.enterprise.size, a.enterprise.industry_division = (
        "生物医药",
        "大型企业",
        "27",
    )
    f.application(name="统计乙有限公司")  # submitted only: not counted
    fire(a, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    db.session.commit()
    tables = tabulate(statistics.facts(current_program()))
    assert [(r.label, r.endorsed) for r in tables["chain"]] == [("生物医疗", 1)]
    assert [r.label for r in tables["division"]] == ["27 医药制造业"]
    login(client, actors.coordinator.username)
    page = client.get("/dossier/statistics").get_data(as_text=True)
    assert "全省共推荐1家企业" in page and "<svg" in page
    ws = load_workbook(io.BytesIO(client.get("/dossier/statistics.xlsx").data))["产业链"]
    assert [c.value for c in ws[2]] == ["生物医疗", 1, 0, 0]
