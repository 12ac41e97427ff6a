"""What a program's year decides, derived in one place: the figure years, the code year.

The default program is the newest ``program-<year>.toml`` shipped in ``review_app/data``; no year
is written in code. A Program row carries its own ``year``; pass it to the functions below.
"""

import re
import tomllib
from functools import cache
from importlib import resources

PROGRAM_FILE_RE = re.compile(r"^program-(\d{4})\.toml$")
FIGURE_YEAR_COUNT = 3  # the application reports the three years before the program's year


def program_files() -> dict[int, str]:
    """The shipped program data files by year."""
    out = {}
    for entry in resources.files("review_app.data").iterdir():
        match = PROGRAM_FILE_RE.match(entry.name)
        if match:
            out[int(match.group(1))] = entry.name
    return out


def read_program(name: str | None = None) -> dict:
    """A program data file (default: the newest shipped one), as a dict."""
    if name is None:
        files = program_files()
        name = files[max(files)]
    with resources.files("review_app.data").joinpath(name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def default_year() -> int:
    """The year of the default program (the newest shipped data file)."""
    return int(read_program()["year"])


def figure_years(year: int) -> tuple[int, ...]:
    """The years whose figures an application of the ``year`` program reports, oldest first."""
    return tuple(range(year - FIGURE_YEAR_COUNT, year))


def code_year(year: int) -> str:
    """The two digits of the year in anonymous codes (``ZY-<yy>-K7Q3``)."""
    return f"{year % 100:02d}"


DEFAULT_YEAR = default_year()
DEFAULT_FIGURE_YEARS = figure_years(DEFAULT_YEAR)


def scenario() -> dict:
    """The default program's ``[scenario]`` table: the dates the demo and the simulation use."""
    return read_program().get("scenario", {})
