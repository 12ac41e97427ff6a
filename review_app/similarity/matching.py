"""The exact check of one pair of texts (pure): the passages they share.

Both texts are normalised with a map back to the original offsets (``normalise.mapped``) and
the form's wording masked (``exclusions``). Shared passages are found by greedy string tiling:
every maximal common run of at least ``min_run`` normalised characters is a candidate (seeded
by an index of the first text's ``min_run``-grams), the longest are taken first, and a run is
cut to what no longer-taken run already covers on either side. Unlike an alignment
(``difflib``), this finds copied sentences in any order.
"""

from dataclasses import dataclass

from .exclusions import MASK_A, MASK_B, mask_form
from .normalise import default_terms, mapped

# A k-gram seen more often than this in one text (a repeated character, a list's leader) seeds no
# run: such text is no evidence of copying, and it would make the check quadratic.
MAX_SEEDS = 16


@dataclass(frozen=True)
class Passage:
    """One shared passage: where it starts in each original text, its length there, and the
    normalised characters it counts."""

    start_a: int
    start_b: int
    length_a: int
    length_b: int
    chars: int

    def triple(self) -> list[int]:
        """[start_a, start_b, length] as the CLI prints it (length in the first text)."""
        return [self.start_a, self.start_b, self.length_a]


@dataclass(frozen=True)
class Comparison:
    score: float  # shared characters / the shorter text's characters (normalised, unmasked)
    shared_chars: int
    passages: list[Passage]


class Prepared:
    """A text ready for comparison: normalised, form wording masked, with the offset map."""

    __slots__ = ("text", "norm", "starts", "ends", "length")

    def __init__(self, text: str, terms: tuple[str, ...] | None = None):
        terms = default_terms() if terms is None else terms
        self.text = text or ""
        norm, self.starts, self.ends = mapped(self.text, terms)
        self.norm = mask_form(norm, terms)
        self.length = len(self.norm) - self.norm.count(MASK_A)


def shared_runs(a: str, b: str, min_run: int) -> list[tuple[int, int, int]]:
    """Non-overlapping common runs (i in a, j in b, length) of at least ``min_run`` characters,
    longest first. ``a`` and ``b`` should mask with different characters."""
    if min_run < 1 or len(a) < min_run or len(b) < min_run:
        return []
    index: dict[str, list[int]] = {}
    for i in range(len(a) - min_run + 1):
        index.setdefault(a[i : i + min_run], []).append(i)
    found = []
    for j in range(len(b) - min_run + 1):
        seeds = index.get(b[j : j + min_run])
        if not seeds or len(seeds) > MAX_SEEDS:
            continue
        for i in seeds:
            if i and j and a[i - 1] == b[j - 1]:
                continue  # inside a longer run, found from its start
            n = min_run
            while i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n]:
                n += 1
            found.append((n, i, j))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    taken_a, taken_b = bytearray(len(a)), bytearray(len(b))
    runs = []
    for n, i, j in found:
        start = None
        for p in range(n + 1):
            free = p < n and not taken_a[i + p] and not taken_b[j + p]
            if free and start is None:
                start = p
            elif not free and start is not None:
                if p - start >= min_run:
                    runs.append((i + start, j + start, p - start))
                    taken_a[i + start : i + p] = b"\x01" * (p - start)
                    taken_b[j + start : j + p] = b"\x01" * (p - start)
                start = None
    runs.sort(key=lambda r: (-r[2], r[0]))
    return runs


def compare(a: Prepared, b: Prepared, min_run: int) -> Comparison:
    """What ``a`` and ``b`` share: passages of at least ``min_run`` normalised characters."""
    shorter = min(a.length, b.length)
    if shorter <= 0:
        return Comparison(0.0, 0, [])
    runs = shared_runs(a.norm, b.norm.replace(MASK_A, MASK_B), min_run)
    passages = []
    for i, j, n in sorted(runs, key=lambda r: r[0]):
        start_a, end_a = a.starts[i], a.ends[i + n - 1]
        start_b, end_b = b.starts[j], b.ends[j + n - 1]
        passages.append(Passage(start_a, start_b, end_a - start_a, end_b - start_b, n))
    shared = sum(p.chars for p in passages)
    return Comparison(round(shared / shorter, 4), shared, passages)
