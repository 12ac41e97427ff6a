"""The format check (形式审查) against the notice: one test per check, code, severity, field and a
message that names the value."""

import copy

import pytest

from review_app.applications.catalogue import required_sections
from review_app.enterprises.uscc import check_char, make_uscc
from review_app.intake.parsed import (
    BLOCKING,
    WARNING,
    EnterpriseInfo,
    Industry,
    ParsedApplication,
    Person,
    Problem,
    YearFigures,
)
from review_app.intake.validate import has_blocking, validate

LUOYANG_USCC = make_uscc("410300", "12345678")


def good(track: str = "excellent") -> ParsedApplication:
    """A complete application that meets every condition of the notice."""
    leading = track == "leading"
    return ParsedApplication(
        track=track,
        enterprise=EnterpriseInfo(
            name="洛阳示例轴承有限公司",
            uscc=LUOYANG_USCC,
            prefecture="洛阳市",
            county="涧西区",
            nature="民营企业",
            size="中型企业",
            industry=Industry("C", "34", "345"),
            chain="高性能轴承",
            factory_address="洛阳市涧西区示例路1号",
            legal_rep=Person("王五", "0379-12345678"),
            contact=Person("赵六", "13800000000", "信息中心主任", "zl@example.com"),
        ),
        figures={
            y: YearFigures(total_assets=45000, debt_ratio=45.2, revenue=30000, profit_margin=8.5)
            for y in ("2023", "2024", "2025")
        },
        national_excellent=leading,
        maturity_level=4 if leading else 3,
        maturity_score=4.1 if leading else 3.42,
        accidents=False,
        sections={s.key: f"{s.title}的内容，数据完整。" for s in required_sections(track)},
    )


def only(problems: list[Problem], code: str) -> Problem:
    """The single problem of ``problems``, which must carry ``code``."""
    assert [p.code for p in problems] == [code], problems
    return problems[0]


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_a_complete_application_has_no_problems(track):
    assert validate(good(track)) == []


def test_validate_leaves_the_application_unchanged():
    app = good()
    app.enterprise.uscc = "123"
    before = copy.deepcopy(app.to_json())
    validate(app, existing_usccs=["x"])
    assert app.to_json() == before


def test_has_blocking():
    warning = Problem("w", WARNING, "f", "m")
    blocking = Problem("b", BLOCKING, "f", "m")
    assert has_blocking([]) is False
    assert has_blocking([warning]) is False
    assert has_blocking([warning, blocking]) is True


# -- required fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("enterprise.name", "企业名称"),
        ("enterprise.uscc", "统一社会信用代码"),
        ("enterprise.prefecture", "所在地市"),
        ("enterprise.nature", "企业性质"),
        ("enterprise.size", "企业类型"),
        ("enterprise.industry.division", "所属行业大类"),
        ("enterprise.chain", "所属产业链"),
        ("enterprise.legal_rep.name", "法人代表/负责人姓名"),
        ("enterprise.legal_rep.phone", "法人代表/负责人电话"),
        ("enterprise.contact.name", "联系人姓名"),
        ("enterprise.contact.phone", "联系人电话/手机"),
        ("figures.2025.total_assets", "2025年资产总额"),
        ("figures.2025.debt_ratio", "2025年资产负债率"),
        ("figures.2025.revenue", "2025年主营业务收入"),
        ("figures.2025.profit_margin", "2025年利润率"),
    ],
)
def test_each_required_field_is_blocking_when_missing(path, label):
    app = good()
    *parents, leaf = path.split(".")
    target = app
    for part in parents:
        target = target[part] if isinstance(target, dict) else getattr(target, part)
    setattr(target, leaf, None)
    p = only(validate(app), "required_missing")
    assert (p.severity, p.field) == (BLOCKING, path)
    assert p.message.startswith(f"未填写{label}")


def test_blank_text_counts_as_missing():
    app = good()
    app.enterprise.name = "  "
    p = only(validate(app), "required_missing")
    assert (p.field, p.message) == ("enterprise.name", "未填写企业名称。")


def test_missing_track_and_unknown_track():
    app = good()
    app.track = None
    p = only(validate(app), "required_missing")
    assert (p.severity, p.field) == (BLOCKING, "track")
    app.track = "gold"
    p = only(validate(app), "track_invalid")
    assert p.severity == BLOCKING and "gold" in p.message


def test_missing_earlier_years_is_a_warning_naming_the_figures():
    app = good()
    app.figures["2023"].revenue = None
    app.figures["2023"].profit_margin = None
    p = only(validate(app), "figure_missing")
    assert (p.severity, p.field) == (WARNING, "figures.2023")
    assert "2023年" in p.message and "主营业务收入" in p.message and "利润率" in p.message


# -- USCC ----------------------------------------------------------------------------------------


def uscc_problem_of(uscc: str, prefecture: str = "洛阳市", **kw) -> list[Problem]:
    app = good()
    app.enterprise.uscc = uscc
    app.enterprise.prefecture = prefecture
    return validate(app, **kw)


def test_uscc_length():
    p = only(uscc_problem_of("91410300ABC"), "uscc_length")
    assert (p.severity, p.field) == (BLOCKING, "enterprise.uscc")
    assert "91410300ABC" in p.message and "11位" in p.message


def test_uscc_invalid_characters():
    bad = LUOYANG_USCC[:10] + "I" + LUOYANG_USCC[11:]
    p = only(uscc_problem_of(bad), "uscc_chars")
    assert p.severity == BLOCKING and bad in p.message and "：I" in p.message


def test_uscc_check_digit():
    wrong = "1" if LUOYANG_USCC[17] != "1" else "2"
    bad = LUOYANG_USCC[:17] + wrong
    p = only(uscc_problem_of(bad), "uscc_check_digit")
    assert p.severity == BLOCKING and bad in p.message
    assert f"应为{LUOYANG_USCC[17]}，实为{wrong}" in p.message


def test_lowercase_and_spaced_uscc_is_read_as_the_code():
    assert uscc_problem_of(" " + LUOYANG_USCC.lower()) == []


def test_uscc_organisation_code_check_is_a_warning():
    body = LUOYANG_USCC[:16] + ("0" if LUOYANG_USCC[16] != "0" else "1")
    code = body + check_char(body)
    p = only(uscc_problem_of(code), "uscc_org_check_digit")
    assert p.severity == WARNING and code in p.message


def test_uscc_outside_henan_is_blocking():
    beijing = make_uscc("110105", "12345678")
    p = only(uscc_problem_of(beijing), "uscc_not_henan")
    assert (p.severity, p.field) == (BLOCKING, "enterprise.uscc")
    assert "110105" in p.message and beijing in p.message


def test_uscc_of_another_prefecture_is_a_warning_naming_both():
    zhengzhou = make_uscc("410100", "12345678")
    p = only(uscc_problem_of(zhengzhou, "洛阳市"), "uscc_division_mismatch")
    assert p.severity == WARNING
    assert "410100" in p.message and "郑州市" in p.message and "洛阳市" in p.message


def test_uscc_of_no_prefecture_is_a_warning():
    p = only(uscc_problem_of(make_uscc("411900", "12345678")), "uscc_division_mismatch")
    assert "411900" in p.message and "不对应任何省辖市" in p.message


@pytest.mark.parametrize(
    ("division", "prefecture"),
    [
        ("410000", "洛阳市"),  # registered with the province
        ("410000", "航空港区"),
        ("410381", "洛阳市"),  # a county of Luoyang (偃师)
        ("410184", "航空港区"),  # 航空港区 enterprises carry Zhengzhou codes
        ("410173", "航空港区"),
        ("410173", "郑州市"),
        ("419001", "济源示范区"),
        ("419001", "济源"),  # alias of 济源示范区
        ("410300", "洛阳"),  # 市 left out
    ],
)
def test_division_code_exceptions_are_accepted(division, prefecture):
    assert uscc_problem_of(make_uscc(division, "12345678"), prefecture) == []


@pytest.mark.parametrize(
    ("division", "prefecture"), [("410300", "航空港区"), ("410800", "济源示范区")]
)
def test_division_code_mismatch_for_the_special_zones(division, prefecture):
    p = only(uscc_problem_of(make_uscc(division, "12345678"), prefecture), "uscc_division_mismatch")
    assert division in p.message and prefecture in p.message


def test_uscc_already_in_the_program_is_blocking():
    problems = uscc_problem_of(LUOYANG_USCC, existing_usccs={" " + LUOYANG_USCC.lower()})
    p = only(problems, "uscc_duplicate")
    assert p.severity == BLOCKING and LUOYANG_USCC in p.message
    assert uscc_problem_of(LUOYANG_USCC, existing_usccs={make_uscc("410300", "87654321")}) == []


# -- prefecture and options ----------------------------------------------------------------------


def test_unknown_prefecture_is_blocking():
    app = good()
    app.enterprise.prefecture = "北京市"
    p = only(validate(app), "prefecture_unknown")
    assert (p.severity, p.field) == (BLOCKING, "enterprise.prefecture")
    assert "北京市" in p.message and "济源示范区" in p.message


@pytest.mark.parametrize(
    ("attr", "value", "label"), [("nature", "外资", "企业性质"), ("size", "巨型企业", "企业类型")]
)
def test_value_outside_the_options_is_blocking(attr, value, label):
    app = good()
    setattr(app.enterprise, attr, value)
    p = only(validate(app), "option_invalid")
    assert (p.severity, p.field) == (BLOCKING, f"enterprise.{attr}")
    assert value in p.message and label in p.message


def test_option_without_the_word_enterprise_is_accepted():
    app = good()
    app.enterprise.nature = "民营"
    app.enterprise.size = "中型"
    assert validate(app) == []


# -- sections ------------------------------------------------------------------------------------

EXCELLENT_REQUIRED = [
    "overview.background",
    "overview.integration",
    "link.factory",
    "link.rnd",
    "link.production",
    "link.prod_mgmt",
    "link.operations",
    "plan.goals",
    "plan.content",
    "plan.growth",
    "plan.promotion",
]
LEADING_REQUIRED = [
    "overview.background",
    "overview.integration",
    "overview.tech_change",
    "overview.org_change",
    "link.factory",
    "link.rnd",
    "link.production",
    "link.prod_mgmt",
    "link.operations",
    "link.scenarios",
    "scheme.goals",
    "scheme.measures",
    "scheme.safeguards",
]


@pytest.mark.parametrize(
    ("track", "key"),
    [("excellent", k) for k in EXCELLENT_REQUIRED] + [("leading", k) for k in LEADING_REQUIRED],
)
def test_each_required_section_is_blocking_when_missing(track, key):
    app = good(track)
    del app.sections[key]
    p = only(validate(app), "section_missing")
    assert (p.severity, p.field) == (BLOCKING, key)
    app.sections[key] = " \n "
    assert only(validate(app), "section_missing").field == key


def test_missing_section_message_names_the_section_and_track():
    app = good()
    del app.sections["plan.growth"]
    p = only(validate(app), "section_missing")
    assert "成长性分析" in p.message and "卓越级" in p.message


def test_the_leading_sections_are_not_asked_of_excellent():
    app = good()
    assert "scheme.goals" not in app.sections and validate(app) == []


def test_section_over_its_limit_is_blocking_with_the_count():
    app = good()
    app.sections["overview.background"] = "智" * 1001
    p = only(validate(app), "section_over_limit")
    assert (p.severity, p.field) == (BLOCKING, "overview.background")
    assert "实施背景和基础条件" in p.message and "1001字" in p.message and "1000字" in p.message


def test_section_at_its_limit_counted_as_word_does_passes():
    app = good()
    # 999 characters plus one Latin run ("MES 5G" is two runs in Word: MES and 5G → 1001)
    app.sections["overview.background"] = "智" * 999 + " MES"
    assert validate(app) == []
    app.sections["overview.background"] = "智" * 999 + " MES 5G"
    assert "1001字" in only(validate(app), "section_over_limit").message


def test_limit_of_a_leading_scheme_section():
    app = good("leading")
    app.sections["scheme.measures"] = "举" * 5001
    p = only(validate(app), "section_over_limit")
    assert p.field == "scheme.measures" and "5000字" in p.message


# -- maturity ------------------------------------------------------------------------------------


def with_maturity(level, score, **kw) -> list[Problem]:
    app = good()
    app.maturity_level, app.maturity_score = level, score
    return validate(app, **kw)


def test_maturity_below_the_notice_minimum_is_blocking():
    p = only(with_maturity(1, 1.2), "maturity_below_minimum")
    assert (p.severity, p.field) == (BLOCKING, "maturity_level")
    assert "一级" in p.message and "二级" in p.message


def test_maturity_minimum_is_a_setting():
    p = only(with_maturity(2, 2.5, min_maturity_level=3), "maturity_below_minimum")
    assert "二级" in p.message and "三级及以上" in p.message
    assert with_maturity(3, 3.0, min_maturity_level=3) == []


def test_missing_or_impossible_maturity_level_is_blocking():
    p = only(with_maturity(None, 3.42), "required_missing")
    assert (p.severity, p.field) == (BLOCKING, "maturity_level")
    p = only(with_maturity(7, 3.42), "maturity_level_invalid")
    assert p.severity == BLOCKING and "7" in p.message


def test_score_outside_its_level_band_is_a_warning():
    p = only(with_maturity(3, 4.1), "maturity_score_band")
    assert (p.severity, p.field) == (WARNING, "maturity_score")
    assert "4.1" in p.message and "四级" in p.message and "三级" in p.message
    assert "2.8分及以上、3.8分以下" in p.message


def test_score_showing_a_level_below_the_minimum_is_blocking():
    p = only(with_maturity(2, 1.5), "maturity_score_below_minimum")
    assert (p.severity, p.field) == (BLOCKING, "maturity_score")
    assert "1.5" in p.message and "一级" in p.message


@pytest.mark.parametrize(
    ("level", "score"), [(2, 1.8), (3, 2.8), (3, 3.79), (4, 3.8), (5, 4.8), (5, 5.0)]
)
def test_score_band_edges(level, score):
    assert with_maturity(level, score) == []


def test_score_out_of_range_and_missing_are_warnings():
    p = only(with_maturity(3, 42), "maturity_score_range")
    assert p.severity == WARNING and "42" in p.message
    p = only(with_maturity(3, None), "maturity_score_missing")
    assert (p.severity, p.field) == (WARNING, "maturity_score")


# -- declarations --------------------------------------------------------------------------------


def test_declared_accident_or_dishonesty_is_blocking():
    app = good()
    app.accidents, app.accidents_detail = True, "2024年较大火灾事故"
    p = only(validate(app), "accidents_declared")
    assert (p.severity, p.field) == (BLOCKING, "accidents")
    assert "2024年较大火灾事故" in p.message


def test_unanswered_accident_question_is_a_warning():
    app = good()
    app.accidents = None
    p = only(validate(app), "accidents_unanswered")
    assert (p.severity, p.field) == (WARNING, "accidents")


@pytest.mark.parametrize(("value", "said"), [(False, "勾选“否”"), (None, "未勾选")])
def test_leading_requires_the_national_excellent_title(value, said):
    app = good("leading")
    app.national_excellent = value
    p = only(validate(app), "national_excellent_required")
    assert (p.severity, p.field) == (BLOCKING, "national_excellent")
    assert said in p.message and "国家卓越级" in p.message


def test_excellent_does_not_require_the_national_title():
    app = good()
    app.national_excellent = None
    assert validate(app) == []


# -- revenue, size, industry, chain, figures -----------------------------------------------------


def test_revenue_under_designated_size_is_blocking():
    app = good()
    app.enterprise.size = "小型企业"
    app.figures["2025"].revenue = 1500
    p = only(validate(app), "below_designated_size")
    assert (p.severity, p.field) == (BLOCKING, "figures.2025.revenue")
    assert "1500万元" in p.message and "2000万元" in p.message


def test_revenue_exactly_2000_is_designated_size():
    app = good()
    app.figures["2025"].revenue = 2000
    assert validate(app) == []


@pytest.mark.parametrize(
    ("size", "revenue", "implied"),
    [
        ("中型企业", 50000, "大型企业"),
        ("大型企业", 30000, "中型企业"),
        ("小型企业", 2500.5, "中型企业"),
        ("微型企业", 40000, "大型企业"),
    ],
)
def test_size_not_matching_revenue_is_a_warning(size, revenue, implied):
    app = good()
    app.enterprise.size = size
    app.figures["2025"].revenue = revenue
    p = only(validate(app), "size_revenue_mismatch")
    assert (p.severity, p.field) == (WARNING, "enterprise.size")
    assert size in p.message and implied in p.message and f"{revenue:g}万元" in p.message


def test_large_enterprise_with_large_revenue_passes():
    app = good()
    app.enterprise.size = "大型企业"
    app.figures["2025"].revenue = 40000
    assert validate(app) == []


def with_industry(section, division, group=None) -> list[Problem]:
    app = good()
    app.enterprise.industry = Industry(section, division, group)
    return validate(app)


@pytest.mark.parametrize(
    ("section", "division", "named"), [("B", "06", "B"), (None, "06", "06"), ("C", "99", "99")]
)
def test_not_manufacturing_is_blocking(section, division, named):
    p = only(with_industry(section, division), "industry_not_manufacturing")
    assert p.severity == BLOCKING and named in p.message


def test_unreadable_division_is_blocking():
    p = only(with_industry("C", "通用设备"), "industry_division_unknown")
    assert (p.severity, p.field) == (BLOCKING, "enterprise.industry.division")
    assert "通用设备" in p.message


def test_repair_division_43_is_a_warning():
    p = only(with_industry("C", "43", "432"), "industry_repair")
    assert p.severity == WARNING and "43" in p.message and "修理" in p.message


def test_group_of_another_division_is_a_warning():
    p = only(with_industry("C", "34", "351"), "industry_group_mismatch")
    assert (p.severity, p.field) == (WARNING, "enterprise.industry.group")
    assert "351" in p.message and "34" in p.message and "通用设备制造业" in p.message


def test_unknown_group_is_a_warning():
    p = only(with_industry("C", "34", "340"), "industry_group_unknown")
    assert p.severity == WARNING and "340" in p.message


def test_industry_codes_with_their_letter_or_name_are_accepted():
    assert with_industry("C 制造业", "C34", "C345") == []
    assert with_industry(None, "34", None) == []


def with_chain(chain) -> list[Problem]:
    app = good()
    app.enterprise.chain = chain
    return validate(app)


@pytest.mark.parametrize(
    "chain",
    [
        "新型电力（新能源）装备",
        "新型电力(新能源)装备",
        "新能源汽车产业链",
        " 高性能 轴承 ",
        "软件、大模型",
    ],
)
def test_listed_chains_and_their_variants_are_accepted(chain):
    assert with_chain(chain) == []


def test_chain_not_on_the_list_is_blocking_naming_it():
    p = only(with_chain("人工智能"), "chain_not_listed")
    assert (p.severity, p.field) == (BLOCKING, "enterprise.chain")
    assert "人工智能" in p.message
    p = only(with_chain("新能源汽车、元宇宙"), "chain_not_listed")
    assert "元宇宙" in p.message and "新能源汽车" not in p.message


@pytest.mark.parametrize(
    ("year", "attr", "value"),
    [
        ("2024", "debt_ratio", 120.0),
        ("2023", "profit_margin", -150.0),
        ("2025", "debt_ratio", 100.5),
    ],
)
def test_percentages_out_of_range_are_warnings(year, attr, value):
    app = good()
    setattr(app.figures[year], attr, value)
    p = only(validate(app), "figure_out_of_range")
    assert (p.severity, p.field) == (WARNING, f"figures.{year}.{attr}")
    assert f"{value:g}" in p.message and year in p.message


def test_percentages_at_the_edges_pass():
    app = good()
    app.figures["2025"].debt_ratio, app.figures["2025"].profit_margin = 100, -100
    assert validate(app) == []


def test_negative_assets_are_a_warning():
    app = good()
    app.figures["2024"].total_assets = -500
    p = only(validate(app), "figure_negative")
    assert (p.severity, p.field) == (WARNING, "figures.2024.total_assets")
    assert "-500" in p.message and "资产总额" in p.message
