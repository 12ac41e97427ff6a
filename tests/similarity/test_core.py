"""The pure detector: normalisation with its offset map, planted copies with edits found, the
form's wording and common terms not counted, bad input without false findings."""

import random

import pytest

from review_app.intake.layout import instruction
from review_app.similarity.candidates import Doc, candidate_pairs
from review_app.similarity.detect import Settings, find_pairs, settings_from
from review_app.similarity.highlight import segments
from review_app.similarity.matching import Prepared, compare, shared_runs
from review_app.similarity.normalise import mapped, normalise, sentences
from review_app.similarity.textgen import change_numbers, plant, section_text, traditional

SEED = 2026


def _texts(n: int, chars: int = 900, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    return [section_text(rng, chars) for _ in range(n)]


def _pairs(texts: list[str], **kwargs) -> set[tuple[int, int]]:
    return {(f.a, f.b) for f in find_pairs([Doc(t, i) for i, t in enumerate(texts)], **kwargs)}


def test_normalised_text_folds_scripts_widths_case_figures_and_punctuation():
    text = "企業採用ＥＲＰ＋Mes 系統，合格率提升至９９.２%；人均产值增长35%。"
    assert normalise(text) == normalise("企业采用erp+mes系统合格率提升至12人均产值增长7")
    assert "0" in normalise(text) and "9" not in normalise(text)
    assert sentences("第一句。第二句！第三句") == ["第一句", "第二句", "第三句"]


def test_the_offset_map_points_into_the_original_text():
    text = "企業採用 ＭＥＳ。 合格率提升至９９.２%，\n人均產值增長３５%"
    norm, starts, ends = mapped(text, ())
    assert norm == normalise(text, ())
    assert len(starts) == len(ends) == len(norm)
    pieces = [text[s:e] for s, e in zip(starts, ends, strict=True)]
    assert pieces[0] == "企" and pieces[1] == "業"
    assert "９９.２" in pieces and "３５" in pieces  # one normalised "0" per figure
    for rng_seed in range(5):  # and on generated text with every edit
        rng = random.Random(rng_seed)
        t = traditional(change_numbers(section_text(rng, 300), rng))
        assert mapped(t)[0] == normalise(t)


@pytest.mark.parametrize(
    "edits",
    [(), ("reorder",), ("numbers",), ("traditional",), ("reorder", "numbers", "traditional")],
)
def test_a_planted_copy_is_found_whatever_its_edits(edits):
    texts = _texts(40)
    rng = random.Random(len(edits))
    texts[7] = plant(texts[3], texts[7], rng, share=0.4, edits=edits)
    assert _pairs(texts) == {(3, 7)}


def test_the_passages_are_where_the_copied_text_is_in_both_originals():
    texts = _texts(2)
    copied = "。".join(texts[0].split("。")[2:6]) + "。"
    texts[1] = texts[1][:50] + copied + texts[1][50:]
    (found,) = find_pairs([Doc(t, i) for i, t in enumerate(texts)])
    assert found.comparison.shared_chars >= 60
    for p in found.comparison.passages:
        a = texts[0][p.start_a : p.start_a + p.length_a]
        b = texts[1][p.start_b : p.start_b + p.length_b]
        assert normalise(a) == normalise(b) and len(normalise(a)) >= 12
    first = min(found.comparison.passages, key=lambda p: p.start_b)
    assert 50 <= first.start_b < 50 + len(copied)


def test_reordered_sentences_are_each_found_not_only_one_alignment():
    rng = random.Random(4)
    parts = [section_text(rng, 40) for _ in range(8)]
    a, b = "".join(parts), "".join(reversed(parts))
    runs = shared_runs(normalise(a), normalise(b), 12)
    # an alignment (difflib's matching blocks) would keep one sentence of the eight
    assert sum(n for _, _, n in runs) >= 0.9 * len(normalise(a))


def test_unrelated_generated_texts_give_no_finding():
    assert _pairs(_texts(150)) == set()


def test_form_wording_does_not_count():
    a = Prepared(instruction("link.factory", "excellent"))
    b = Prepared(instruction("link.factory", "excellent"))
    assert a.length == 0 and compare(a, b, 12).shared_chars == 0
    rng = random.Random(1)
    own_a, own_b = section_text(rng, 400), section_text(rng, 400)
    line = instruction("link.rnd", "excellent")
    texts = [line + "\n" + own_a, line + "\n" + own_b]
    assert _pairs(texts) == set()
    c = compare(Prepared(texts[0]), Prepared(texts[1]), 12)
    assert c.shared_chars < 12


def test_common_technical_terms_do_not_count():
    terms = "制造执行系统、企业资源计划系统、产品生命周期管理、数字孪生、工业互联网平台、数据采集"
    a = Prepared(f"我们上线了{terms}等，效果显著。")
    b = Prepared(f"该厂部署了{terms}等系统，运行平稳。")
    assert compare(a, b, 12).shared_chars == 0
    assert compare(Prepared(terms), Prepared(terms), 12).shared_chars == 0  # all terms


@pytest.mark.parametrize("short", ["", "   ", "无。", "略", "见附件。", "\n\n"])
def test_empty_and_tiny_sections_give_no_finding_and_no_error(short):
    texts = [short, short, short + "。", *_texts(3)]
    assert _pairs(texts) == set()


def test_identical_blank_templates_give_no_finding():
    docs = [
        Doc(instruction(key, "excellent") or "", owner)
        for owner in (1, 2)
        for key in ("link.factory", "link.rnd", "overview.background", "plan.goals")
    ]
    assert find_pairs(docs) == []


def test_texts_of_one_owner_and_two_earlier_texts_are_not_compared():
    text = _texts(1)[0]
    assert candidate_pairs([Doc(text, 1), Doc(text, 1)]) == set()
    assert candidate_pairs([Doc(text, 1, True), Doc(text, 2, True)]) == set()
    assert candidate_pairs([Doc(text, 1), Doc(text, 2, True)]) == {(0, 1)}


def test_the_threshold_is_a_setting():
    texts = _texts(12)
    texts[5] = plant(texts[1], texts[5], random.Random(3), share=0.3)
    (found,) = find_pairs([Doc(t, i) for i, t in enumerate(texts)])
    above = Settings(threshold=min(1.0, found.comparison.score + 0.05))
    assert find_pairs([Doc(t, i) for i, t in enumerate(texts)], above) == []
    assert settings_from({"similarity_threshold": "0.5"}).threshold == 0.5
    assert settings_from({"similarity_threshold": "abc", "similarity_min_run": 0}) == Settings()


def test_jieba_words_find_the_planted_copy_too():
    texts = _texts(20)
    texts[9] = plant(texts[2], texts[9], random.Random(5), share=0.5, edits=("numbers",))
    assert _pairs(texts, mode="words") == {(2, 9)}


def test_highlight_segments_cover_the_text_once():
    text = "甲乙丙丁戊己庚辛壬癸"
    parts = segments(text, [(2, 3), (7, 10), (3, 1)])
    assert "".join(s.text for s in parts) == text
    assert [(s.text, s.passage) for s in parts if s.passage] == [("丙丁戊", 1), ("辛壬癸", 2)]
