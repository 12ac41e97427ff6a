"""Programs are data: no program year is written in the package's code (issue 18 point 1).

Years come from the Program row and its data file (review_app/data/program-<year>.toml); only
data files and migrations may name one. Comment lines are allowed; docstrings are not.
"""

import re
from pathlib import Path

import review_app
from review_app.programs.years import code_year, figure_years, program_files, read_program

PACKAGE = Path(review_app.__file__).parent
# A year 2023-2029 not inside a longer number ("2026年", "_2026" and "x2026" count; "12026" and
# the escape "\u2026" do not).
YEAR = re.compile(r"(?<![0-9])(?<!\\u)20(2[3-9])(?![0-9])")
EXEMPT = ("migrations", "data")


def year_literals(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] in EXEMPT:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.lstrip().startswith("#") and YEAR.search(line):
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    return found


def test_no_year_literal_in_the_package():
    assert year_literals(PACKAGE) == []


def test_the_check_finds_a_year(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ok.py").write_text("DAY = 2026\n", encoding="utf-8")
    (tmp_path / "mod.py").write_text(
        "# 2026 in a comment is fine\nYEARS = (2023, 2024)\nSEED = 12026\n"
        'KEY = 727_010_2026\nNAME = "2026年培育"\nDOTS = "\\u2026"\n',
        encoding="utf-8",
    )
    assert year_literals(tmp_path) == [
        "mod.py:2: YEARS = (2023, 2024)",
        "mod.py:4: KEY = 727_010_2026",
        'mod.py:5: NAME = "2026年培育"',
    ]


def test_years_derive_from_the_program_year():
    assert figure_years(2027) == (2024, 2025, 2026)
    assert code_year(2027) == "27"
    newest = max(program_files())
    assert read_program()["year"] == newest
