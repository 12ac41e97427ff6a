"""Rubric files: the shipped ones validate, and every kind of error names the file and key."""

import re
from pathlib import Path

import pytest

from review_app.applications.catalogue import BY_KEY, scored_sections
from review_app.scoring.rubric import (
    RubricError,
    load_rubric,
    parse_rubric,
    rubric_for,
    rubric_path,
)

REPO = Path(__file__).resolve().parents[2]
EXCELLENT = (REPO / "rubrics" / "excellent-2026.toml").read_text(encoding="utf-8")
LEADING = (REPO / "rubrics" / "leading-2026.toml").read_text(encoding="utf-8")
NAME = "excellent-2026.toml"
HEAVY = ("overview.tech_change", "overview.org_change", "link.scenarios", "scheme.measures")


def mutate(pattern: str, repl: str, text: str = EXCELLENT) -> str:
    """``text`` with the one match of the regex ``pattern`` replaced."""
    out, n = re.subn(pattern, repl, text, flags=re.M)
    assert n == 1, f"{pattern!r} matched {n} times"
    return out


def error_of(text: str, name: str = NAME) -> RubricError:
    with pytest.raises(RubricError) as info:
        parse_rubric(text, name)
    return info.value


# --- the shipped files -------------------------------------------------------------------


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_shipped_rubric_covers_exactly_the_scored_sections(track):
    rubric = rubric_for(track)
    assert rubric.track == track
    assert rubric.program == "henan-2026"
    assert rubric.name == f"{track}-2026.toml"
    assert rubric.section_keys == tuple(s.key for s in scored_sections(track))
    assert "profile" not in rubric.section_keys
    for section in rubric.sections:
        assert section.panel == BY_KEY[section.key].group
        assert section.title == BY_KEY[section.key].title
    assert rubric.total_weight == pytest.approx(100)


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_shipped_criteria_are_unique_and_sum_to_section_max(track):
    rubric = rubric_for(track)
    codes = rubric.criterion_codes
    assert len(codes) == len(set(codes))
    for section in rubric.sections:
        assert sum(c.max for c in section.criteria) == pytest.approx(section.max)
        for c in section.criteria:
            assert re.search(r"[\u4e00-\u9fff]", c.title)
            assert re.search(r"[\u4e00-\u9fff]", c.full_marks)
            assert section.criterion(c.code) is c


@pytest.mark.parametrize("track", ["excellent", "leading"])
def test_shipped_settings(track):
    rubric = rubric_for(track)
    assert rubric.reviewers_per_section == 3
    assert rubric.due_days > 0
    agg = rubric.aggregation
    assert (agg.trim_when_at_least, agg.dispersion_range, agg.dispersion_deviation) == (5, 20, 15)
    assert agg.calibration is False
    assert agg.calibration_min_reviews == 3
    assert rubric.honours.mode == "tiebreak"
    assert rubric.inspection.veto_untrue is True
    assert rubric.inspection.max_deduction == 5.0
    assert [i.title for i in rubric.inspection.checklist] == [
        "成熟度证明",
        "关键工序数控化率",
        "申报装备与系统",
        "安全环保记录",
        "财务数据",
    ]


def test_full_marks_everywhere_is_100_points():
    for track in ("excellent", "leading"):
        rubric = rubric_for(track)
        total = sum(s.points_on_application_scale(s.max) for s in rubric.sections)
        assert total == pytest.approx(100)


def test_excellent_weighs_each_key_link_equally():
    rubric = rubric_for("excellent")
    links = [s.weight for s in rubric.sections if s.key.startswith("link.")]
    assert links == [10] * 5


def test_leading_weighs_technical_model_and_organisational_change_most():
    rubric = rubric_for("leading")
    heavy = sum(rubric.section(k).weight for k in HEAVY)
    assert heavy > 50
    lightest_heavy = min(rubric.section(k).weight for k in HEAVY)
    others = [s.weight for s in rubric.sections if s.key not in HEAVY]
    assert lightest_heavy > max(others)


def test_section_lookup_of_unknown_key_raises_keyerror():
    with pytest.raises(KeyError):
        rubric_for("excellent").section("profile")


# --- errors: file name and exact key path ------------------------------------------------


def test_toml_syntax_error_names_file_and_line():
    text = EXCELLENT.replace("due_days = 10", "due_days = = 10")
    line = text.splitlines().index("due_days = = 10") + 1
    err = error_of(text)
    assert err.line == line
    assert str(err).startswith(f"{NAME}: 第 {line} 行：TOML 语法错误")


def test_missing_key():
    err = error_of(mutate(r"^due_days = 10\n", ""))
    assert str(err) == f"{NAME}: review.due_days：缺少必填项"
    assert (err.file, err.path) == (NAME, "review.due_days")


def test_missing_criterion_field():
    text = mutate(r'^(code = "R2"\n)title = .*\n', r"\1")
    assert str(error_of(text)) == f"{NAME}: sections.link.rnd.criteria[2].title：缺少必填项"


def test_wrong_type():
    text = mutate(r"^reviewers_per_section = 3$", 'reviewers_per_section = "3"')
    assert str(error_of(text)) == f"{NAME}: review.reviewers_per_section：应为整数"
    text = mutate(r"^calibration = false$", "calibration = 0")
    assert str(error_of(text)) == f"{NAME}: aggregation.calibration：应为 true 或 false"


def test_criterion_max_must_be_positive():
    text = mutate(r'^(code = "R2"\n(?:.*\n){2})max = 4$', r"\1max = -4")
    assert str(error_of(text)) == f"{NAME}: sections.link.rnd.criteria[2].max：应为正数"


def test_unknown_section_key():
    text = EXCELLENT + '\n[sections.link.foo]\ntitle = "x"\n'
    assert str(error_of(text)) == f"{NAME}: sections.link.foo：未知的章节"


def test_profile_is_not_scored():
    text = EXCELLENT + '\n[sections.profile]\ntitle = "企业简介"\n'
    assert str(error_of(text)) == f"{NAME}: sections.profile：企业简介作为背景，不评分"


def test_section_of_the_other_track_is_rejected():
    text = EXCELLENT + '\n[sections.overview.tech_change]\ntitle = "技术体系变革情况"\n'
    err = error_of(text)
    assert str(err) == f"{NAME}: sections.overview.tech_change：不是 excellent 赛道的评分章节"


def test_unknown_field():
    text = mutate(r'^(code = "R2"\n)', r'\1fullmarks = "x"\n')
    assert str(error_of(text)) == f"{NAME}: sections.link.rnd.criteria[2].fullmarks：未知的键"


def test_missing_scored_section():
    text = EXCELLENT[: EXCELLENT.index("[sections.plan.promotion]")]
    err = error_of(text)
    assert str(err) == f"{NAME}: sections.plan.promotion：缺少评分章节（推广应用计划）"


def test_weights_summing_to_99_fail():
    text = mutate(r'^(title = "推广应用计划"\npanel = "general"\n)weight = 6$', r"\1weight = 5")
    assert str(error_of(text)) == f"{NAME}: sections：各章节 weight 合计应为 100，实为 99"


def test_weights_within_tolerance_pass():
    text = mutate(r'^(title = "推广应用计划"\npanel = "general"\n)weight = 6$', r"\1weight = 6.005")
    assert parse_rubric(text, NAME).total_weight == pytest.approx(100.005)


def test_criteria_maxima_must_sum_to_section_max():
    text = mutate(r'^(code = "R2"\n(?:.*\n){2})max = 4$', r"\1max = 3")
    err = error_of(text)
    assert str(err) == f"{NAME}: sections.link.rnd.criteria：各项 max 合计 9 与本节 max 10 不符"


def test_duplicate_criterion_code():
    text = mutate(r'^code = "R2"$', 'code = "F1"')
    assert str(error_of(text)) == (
        f"{NAME}: sections.link.rnd.criteria[2].code：代码 F1 重复"
        "（已用于 sections.link.factory.criteria[1]）"
    )


def test_panel_must_match_catalogue_group():
    text = mutate(r'^panel = "link.rnd"$', 'panel = "general"')
    err = error_of(text)
    assert str(err) == (
        f"{NAME}: sections.link.rnd.panel：应为 link.rnd（目录中的评审组），实为 general"
    )


def test_negative_threshold():
    text = mutate(r"^dispersion_range = 20.0", "dispersion_range = -1.0")
    assert str(error_of(text)) == f"{NAME}: aggregation.dispersion_range：不能为负数"
    text = mutate(r"^max_deduction = 5.0$", "max_deduction = -5.0")
    assert str(error_of(text)) == f"{NAME}: inspection.max_deduction：不能为负数"


def test_unknown_honours_mode():
    text = mutate(r'^mode = "tiebreak"$', 'mode = "lottery"')
    err = error_of(text)
    assert str(err) == f"{NAME}: honours.mode：未知的方式 'lottery'（应为 tiebreak 或 bonus）"


def test_bonus_honours_need_positive_points():
    text = mutate(r'^mode = "tiebreak"$', 'mode = "bonus"')
    assert str(error_of(text)) == f"{NAME}: honours.bonus_points：缺少必填项"
    text = mutate(r'^mode = "tiebreak"$', 'mode = "bonus"\nbonus_points = 2.0')
    honours = parse_rubric(text, NAME).honours
    assert (honours.mode, honours.bonus_points) == ("bonus", 2.0)


def test_unknown_track():
    text = mutate(r'^track = "excellent"$', 'track = "basic"')
    assert str(error_of(text)).startswith(f"{NAME}: meta.track：未知的赛道 'basic'")


def test_duplicate_checklist_code():
    text = mutate(r'^code = "finance"$', 'code = "maturity"')
    assert str(error_of(text)) == f"{NAME}: inspection.checklist[5].code：代码 maturity 重复"


# --- other behaviour ---------------------------------------------------------------------


def test_quoted_section_keys_are_the_same_section():
    text = EXCELLENT.replace("[sections.link.rnd]", '[sections."link.rnd"]').replace(
        "[[sections.link.rnd.criteria]]", '[[sections."link.rnd".criteria]]'
    )
    assert text != EXCELLENT
    assert parse_rubric(text, NAME) == parse_rubric(EXCELLENT, NAME)


def test_inspection_deduction_modes():
    points = rubric_for("excellent").inspection
    assert points.deduction(80.0) == 5.0
    assert points.deduction(3.0) == 3.0
    text = mutate(r'^deduction_mostly_true = "points"', 'deduction_mostly_true = "fraction"')
    err = error_of(text)
    assert str(err) == f"{NAME}: inspection.max_deduction：按比例扣分时应不大于 1"
    text = mutate(r"^max_deduction = 5.0$", "max_deduction = 0.1", text)
    assert parse_rubric(text, NAME).inspection.deduction(80.0) == pytest.approx(8.0)


def test_rubric_for_checks_the_track_and_the_file(tmp_path):
    (tmp_path / "rubrics").mkdir()
    rubric_path("leading", tmp_path).write_text(EXCELLENT, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        rubric_for("leading", tmp_path)
    assert str(info.value) == "leading-2026.toml: meta.track：应为 leading，实为 excellent"
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "rubrics" / "missing-2026.toml")
    assert str(info.value).startswith("missing-2026.toml: 文件不存在")


def test_rubric_for_reads_a_root(tmp_path):
    (tmp_path / "rubrics").mkdir()
    rubric_path("leading", tmp_path).write_text(LEADING, encoding="utf-8")
    assert rubric_for("leading", tmp_path) == rubric_for("leading")


def test_review_mode_defaults_to_section_and_the_leading_rubric_meets():
    assert parse_rubric(EXCELLENT, NAME).review_mode == "section"
    assert rubric_for("leading").review_mode == "meeting"
    text = mutate(r"^due_days = 10$", 'due_days = 10\nreview_mode = "meeting"')
    assert parse_rubric(text, NAME).review_mode == "meeting"


def test_an_unknown_review_mode_is_refused_with_its_key():
    err = error_of(mutate(r"^due_days = 10$", 'due_days = 10\nreview_mode = "panel"'))
    assert err.path == "review.review_mode"
    assert "section 或 meeting" in str(err)
