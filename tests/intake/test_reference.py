"""The GB/T 4754-2017 data file is the corrected reference (609 小类 of 门类 C)."""

import csv
from pathlib import Path

import pytest

from review_app.intake.reference import industries, industry_name

# ../shared/reference beside the checkout (a worktree sits one level deeper: ../../shared).
REFERENCE = next(
    (
        p / "shared/reference"
        for p in Path(__file__).resolve().parents[2].parents
        if (p / "shared/reference").is_dir()
    ),
    Path("/nonexistent"),
)


def test_industries_hold_the_corrected_classes():
    codes = industries()
    levels = [c.level for c in codes.values()]
    assert levels.count("division") == 31
    assert levels.count("class") == 609
    assert industry_name("2522") == "煤制合成气生产"
    assert industry_name("3969") == "其他智能消费设备制造"
    assert industry_name("203") == "木质制品制造"
    assert industry_name("204") == "竹、藤、棕、草等制品制造"
    assert industry_name("339") == "铸造及其他金属制品制造"
    assert industry_name("349") == "其他通用设备制造业"
    assert industry_name("395") == "非专业视听设备制造"


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not beside the checkout")
def test_industries_match_the_reference_file():
    with open(REFERENCE / "gbt4754-2017-manufacturing.csv", encoding="utf-8") as f:
        rows = {r["code"].removeprefix("C"): (r["name"], r["level"]) for r in csv.DictReader(f)}
    assert {k: (v.name, v.level) for k, v in industries().items()} == rows
