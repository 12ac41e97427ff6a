"""Reading the project's data files in ``review_app/data/``: one reader for each of their two
formats (``[section]`` lists and whitespace-separated word lists; ``#`` starts a comment line)."""

from functools import cache
from importlib import resources

DATA_PACKAGE = "review_app.data"


@cache
def text(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(name).read_text("utf-8")


@cache
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """The lines of each ``[section]``, in file order (lines before the first header: ``""``)."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in text(name).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            out.setdefault(section, [])
        else:
            out.setdefault(section, []).append(line)
    return {key: tuple(lines) for key, lines in out.items()}


@cache
def words(name: str) -> tuple[str, ...]:
    """Whitespace-separated words of a file, comment lines skipped."""
    return tuple(
        w for line in text(name).splitlines() if not line.startswith("#") for w in line.split()
    )
