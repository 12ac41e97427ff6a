"""The detector (pure): candidates by MinHash/LSH, then the exact check of each candidate.

``Settings`` are read from ``Program.settings`` (``settings_from``): a pair is a finding when
the texts share at least ``min_shared`` normalised characters in passages of at least
``min_run`` each, and that is at least ``threshold`` of the shorter text.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .candidates import Doc, candidate_pairs
from .matching import Comparison, Prepared, compare
from .normalise import default_terms

# Program.settings keys and their defaults (README: 雷同检测).
DEFAULTS = {"similarity_threshold": 0.2, "similarity_min_run": 12, "similarity_min_shared": 60}
# A text shorter than this (normalised, without the form's wording) is compared with nothing.
MIN_TEXT = 30


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULTS["similarity_threshold"]
    min_run: int = DEFAULTS["similarity_min_run"]
    min_shared: int = DEFAULTS["similarity_min_shared"]


def settings_from(values: dict | None) -> Settings:
    """The detector's settings from a program's settings (defaults where absent or unusable)."""
    values = values or {}

    def number(key, kind, low, high):
        try:
            value = kind(values.get(key, DEFAULTS[key]))
        except (TypeError, ValueError):
            return DEFAULTS[key]
        return value if low <= value <= high else DEFAULTS[key]

    return Settings(
        threshold=number("similarity_threshold", float, 0.01, 1.0),
        min_run=number("similarity_min_run", int, 6, 200),
        min_shared=number("similarity_min_shared", int, 10, 100_000),
    )


@dataclass(frozen=True)
class Found:
    a: int  # index in the docs
    b: int
    comparison: Comparison


def is_finding(c: Comparison, settings: Settings) -> bool:
    return c.shared_chars >= settings.min_shared and c.score >= settings.threshold


def find_pairs(
    docs: Sequence[Doc],
    settings: Settings = Settings(),
    terms: tuple[str, ...] | None = None,
    mode: str = "chars",
) -> list[Found]:
    """Every pair of ``docs`` above the settings, with its passages; ordered by score."""
    terms = default_terms() if terms is None else terms
    prepared: dict[int, Prepared] = {}

    def get(i: int) -> Prepared:
        if i not in prepared:
            prepared[i] = Prepared(docs[i].text, terms)
        return prepared[i]

    found = []
    for i, j in sorted(candidate_pairs(docs, terms, mode)):
        a, b = get(i), get(j)
        if min(a.length, b.length) < MIN_TEXT:
            continue
        c = compare(a, b, settings.min_run)
        if is_finding(c, settings):
            found.append(Found(i, j, c))
    found.sort(key=lambda f: (-f.comparison.score, f.a, f.b))
    return found
