"""``review-app similar FILE.docx …``: one JSON object of pairs, no database; an unreadable
file exits 2 with the reason in Chinese."""

import json
import random

from click.testing import CliRunner

from review_app.cli import main
from review_app.intake.template import blank_template, filled_template
from review_app.similarity.normalise import normalise
from review_app.similarity.textgen import plant, section_text

from ..intake.conftest import valid_sample

KEY = "link.rnd"


def _files(tmp_path):
    rng = random.Random(21)
    first, second, third = (valid_sample(n=k) for k in (1, 2, 3))
    for parsed in (first, second, third):
        parsed.sections[KEY] = section_text(rng, 700)
    second.sections[KEY] = plant(first.sections[KEY], second.sections[KEY], rng, share=0.5,
                                 edits=("reorder", "numbers", "traditional"))  # fmt: skip
    paths = []
    for name, parsed in (("甲.docx", first), ("乙.docx", second), ("丙.docx", third)):
        path = tmp_path / name
        path.write_bytes(filled_template("excellent", parsed))
        paths.append(path)
    return paths, first, second


def test_similar_prints_the_pairs_with_passages_in_the_sections(tmp_path):
    paths, first, second = _files(tmp_path)
    result = CliRunner().invoke(main, ["similar", *map(str, paths)], env={"SECRET_KEY": None})
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert list(out) == ["pairs"]
    (pair,) = out["pairs"]
    assert (pair["a"], pair["b"]) == (str(paths[0]), str(paths[1]))
    assert pair["section"] == pair["section_b"] == KEY
    assert 0.2 <= pair["score"] <= 1 and pair["shared_chars"] >= 60
    text_a, text_b = first.sections[KEY], second.sections[KEY]
    for start_a, start_b, length in pair["passages"]:
        shown = normalise(text_a[start_a : start_a + length])
        assert len(shown) >= 12 and normalise(text_b[start_b:]).startswith(shown)


def test_blank_templates_and_single_files_give_no_pairs(tmp_path):
    blank = tmp_path / "空白.docx"
    blank.write_bytes(blank_template("excellent"))
    twice = CliRunner().invoke(main, ["similar", str(blank), str(blank)])
    assert twice.exit_code == 0 and json.loads(twice.output) == {"pairs": []}
    one = CliRunner().invoke(main, ["similar", str(blank)])
    assert one.exit_code == 0 and json.loads(one.output) == {"pairs": []}


def test_an_unreadable_file_exits_2_with_the_reason(tmp_path):
    paths, _, _ = _files(tmp_path)
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"this is not a word document")
    result = CliRunner().invoke(main, ["similar", str(paths[0]), str(bad)])
    assert result.exit_code == 2 and "错误：" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["similar", str(tmp_path / "没有.docx")])
    assert missing.exit_code == 2 and "无法读取文件" in missing.output
