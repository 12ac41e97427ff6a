"""Word's 字数 for Chinese text."""

from review_app.applications.wordcount import word_count


def test_cjk_characters_and_fullwidth_punctuation_count_one_each():
    assert word_count("智能工厂，建设。") == 8


def test_latin_and_digit_runs_count_one():
    assert word_count("MES系统") == 3
    assert word_count("关键工序数控化率达到86%") == 11  # 10 CJK + "86"; half-width % not counted
    assert word_count("ERP and MES") == 3


def test_empty():
    assert word_count("") == 0
    assert word_count("   \n") == 0
