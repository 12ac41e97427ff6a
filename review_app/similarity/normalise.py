"""Text as it is compared (pure: no Flask, no database).

Two applications share a passage when their *normalised* texts share a run of characters:
traditional characters read as simplified (OpenCC's character table), full-width letters and
digits as half-width, Latin letters in lower case, whitespace, punctuation and symbols left out,
the common technical terms of the stoplist left out (they are shared by everyone), and each run
of digits read as one ``0`` (a copied sentence with changed figures still matches).

``normalise`` is the fast form (C-speed string operations, for the candidate stage over a whole
program); ``mapped`` gives the same string with, for each of its characters, where it came from
in the original text (start and end offsets), so the shared passages can be shown in the texts
as submitted. Sentence ends are kept as ``|`` by ``sentences`` (the candidate stage hashes
sentences, so reordered sentences still meet).
"""

import re
from functools import cache
from importlib import resources

# Sentence ends (after folding): a passage may continue across them, a candidate item may not.
SENTENCE_END = "。！？；!?;\n\r"
MARK = "|"
DIGITS = re.compile(r"\d+")
# What is kept: letters and digits of any script (the mark too); everything else goes.
_DROPPED = re.compile(r"[^\w|]|_")
_KEPT = re.compile(r"[^\W_]|\|")


@cache
def character_table(name: str) -> dict[int, str]:
    """One of OpenCC's character tables (``TSCharacters.txt``: traditional → simplified,
    ``STCharacters.txt``: the reverse) as a ``str.translate`` table, the first single-character
    form of each. Phrase conversion is not needed to compare texts."""
    path = resources.files("opencc").joinpath("dictionary", name)
    table: dict[int, str] = {}
    for line in path.read_text("utf-8").splitlines():
        key, _, values = line.partition("\t")
        firsts = [v for v in values.split() if len(v) == 1]
        if len(key) == 1 and firsts and firsts[0] != key:
            table[ord(key)] = firsts[0]
    return table


def _t2s_table() -> dict[int, str]:
    return character_table("TSCharacters.txt")


@cache
def _fold_table() -> dict[int, str]:
    """One table for every one-to-one step: t2s, full-width → half-width, ASCII lower case,
    sentence ends → ``|`` (a literal ``|`` in the text becomes a space)."""
    table = dict(_t2s_table())
    table[0x3000] = " "
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0)
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    for cp in range(0xFF21, 0xFF3B):  # Ａ-Ｚ straight to a-z
        table[cp] = chr(cp - 0xFEE0 + 32)
    table[ord(MARK)] = " "
    table[0xFF5C] = " "  # ｜
    for char in SENTENCE_END:
        table[ord(char)] = MARK
    for char in "。！？；":
        table[ord(char)] = MARK
    return table


def fold(text: str) -> str:
    """The one-to-one steps: same length as ``text``, offsets unchanged."""
    return text.translate(_fold_table())


def _term_word(term: str) -> str:
    return _DROPPED.sub("", fold(term)).replace(MARK, "")


def _trie_pattern(words: list[str]) -> str:
    """One regular expression for many literal words, as a trie (longest match first)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def emit(node: dict) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        ends = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return emit(trie)


@cache
def terms_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    words = sorted({w for w in (_term_word(t) for t in terms) if len(w) >= 2})
    return re.compile(_trie_pattern(words)) if words else None


@cache
def default_terms() -> tuple[str, ...]:
    """The stoplist data file: common technical terms that do not count as shared text."""
    path = resources.files("review_app").joinpath("data", "similarity_terms.txt")
    lines = path.read_text("utf-8").splitlines()
    return tuple(t.strip() for t in lines if t.strip() and not t.startswith("#"))


def _steps(text: str, terms: tuple[str, ...]) -> str:
    folded = _DROPPED.sub("", fold(text))
    pattern = terms_pattern(terms)
    if pattern is not None:
        folded = pattern.sub("", folded)
    return DIGITS.sub("0", folded)


def sentences(text: str, terms: tuple[str, ...] | None = None) -> list[str]:
    """The normalised sentences of ``text`` (empty ones left out)."""
    terms = default_terms() if terms is None else terms
    return [s for s in _steps(text, terms).split(MARK) if s]


def normalise(text: str, terms: tuple[str, ...] | None = None) -> str:
    """The normalised text (``mapped(text)[0]``)."""
    terms = default_terms() if terms is None else terms
    return _steps(text, terms).replace(MARK, "")


def mapped(text: str, terms: tuple[str, ...] | None = None) -> tuple[str, list[int], list[int]]:
    """The normalised text and, per character, its start and end offset in ``text``."""
    terms = default_terms() if terms is None else terms
    folded = fold(text)
    kept = [m.start() for m in _KEPT.finditer(folded)]
    chars = "".join(folded[i] for i in kept)
    pattern = terms_pattern(terms)
    if pattern is not None:
        gone = bytearray(len(chars))
        for m in pattern.finditer(chars):
            gone[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
        kept = [k for k, g in zip(kept, gone, strict=True) if not g]
        chars = "".join(c for c, g in zip(chars, gone, strict=True) if not g)
    out, starts, ends = [], [], []
    position = 0
    for m in DIGITS.finditer(chars):
        for p in range(position, m.start()):
            out.append(chars[p])
            starts.append(kept[p])
            ends.append(kept[p] + 1)
        out.append("0")
        starts.append(kept[m.start()])
        ends.append(kept[m.end() - 1] + 1)
        position = m.end()
    for p in range(position, len(chars)):
        out.append(chars[p])
        starts.append(kept[p])
        ends.append(kept[p] + 1)
    keep = [i for i, c in enumerate(out) if c != MARK]
    return "".join(out[i] for i in keep), [starts[i] for i in keep], [ends[i] for i in keep]
