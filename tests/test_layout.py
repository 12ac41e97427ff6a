"""The README's Layout block names every folder of the package and of the top level, once."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = {"__pycache__"}


def _layout_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```\n", 2)[1].splitlines()


def _entries() -> tuple[list[str], list[str]]:
    """(top-level names, names under review_app/) as the block lists them."""
    top, package = [], []
    for line in _layout_block():
        match = re.match(r"^( *)(\S+)", line)
        if not match or len(match.group(1)) > 2:
            continue  # a continuation line of a description
        (package if match.group(1) else top).append(match.group(2))
    return top, package


def _tracked_folders(path: Path) -> set[str]:
    """Folders below ``path`` that hold files git tracks (a fresh clone has only those)."""
    out = subprocess.run(
        ["git", "ls-files", "--", str(path.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    depth = len(path.relative_to(ROOT).parts)
    return {
        Path(f).parts[depth] + "/"
        for f in out
        if len(Path(f).parts) > depth + 1 and Path(f).parts[depth] not in IGNORED
    }


def test_the_layout_block_lists_each_folder_once():
    top, package = _entries()
    assert len(top) == len(set(top)), f"listed twice at the top: {top}"
    assert len(package) == len(set(package)), f"listed twice in the package: {package}"
    assert {t for t in top if t.endswith("/")} == _tracked_folders(ROOT) - {".ci/"}
    assert {p for p in package if p.endswith("/")} == _tracked_folders(ROOT / "review_app")


def test_the_files_the_block_names_exist():
    _, package = _entries()
    for name in package:
        assert (ROOT / "review_app" / name).exists(), name
