"""Spelling variants of an identifier, shared by the redaction and the leak scan.

One identifier is matched in every way people (or an evader) may write it: full- or half-width
letters and digits, simplified or traditional characters, letters in any case, and spaces,
zero-width characters or light punctuation inserted between its characters ("中 原 智 能",
"中原智\\n能", "中·原"). The text is folded first (``fold``) with a one-to-one character map, so
offsets found in the folded text are offsets in the original.
"""

import re
from functools import cache, lru_cache
from importlib import resources

from .redaction_types import TOKENS

# Characters that may stand between two characters of an identifier: whitespace (line breaks
# too, a name split across paragraphs), zero-width characters and light punctuation.
SEPARATOR = r"[\s\u200b\u200c\u200d\u2060\ufeff·・•‧\-_*.|/\\~]"
MAX_SEPARATORS = 3
GAP = f"{SEPARATOR}{{0,{MAX_SEPARATORS}}}"
# Separators allowed between the digits of a phone number or a code.
DIGIT_GAP = r"[\s\u200b\u200c\u200d\ufeff\-–—.()]{0,3}"

# What stands in for a token when the redacted text is scanned: no identifier may match across it.
MASK = "\x00"

_TOKEN_RE = re.compile("|".join(re.escape(t) for t in TOKENS.values()))


def fold(text: str) -> str:
    """Full-width ASCII to half-width and the ideographic space to a space, character for
    character (so positions do not move); other characters unchanged."""
    return text.translate(_FOLD)


_FOLD = {0x3000: " "} | {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def mask_tokens(text: str) -> str:
    """``text`` with each replacement token overwritten by ``MASK`` (same length)."""
    return _TOKEN_RE.sub(lambda m: MASK * len(m.group()), text)


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


@cache
def _chinese_variants() -> dict[str, frozenset[str]]:
    """Character → the simplified and traditional characters it may be written as (OpenCC's
    character tables, shipped with opencc-python-reimplemented)."""
    groups: dict[str, set[str]] = {}  # simplified character → it and its traditional forms
    for simp, trads in _read_table("STCharacters.txt"):
        groups.setdefault(simp, {simp}).update(trads)
    for trad, simps in _read_table("TSCharacters.txt"):
        for simp in simps:
            groups.setdefault(simp, {simp}).add(trad)
    members: dict[str, set[str]] = {}
    for group in groups.values():
        for char in group:
            members.setdefault(char, set()).update(group)
    return {char: frozenset(forms) for char, forms in members.items()}


def _read_table(name: str) -> list[tuple[str, list[str]]]:
    """The one-character rows of an OpenCC dictionary file: key → values."""
    path = resources.files("opencc").joinpath("dictionary", name)
    rows = []
    for line in path.read_text("utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) == 1:
            rows.append((key, [v for v in values.split() if len(v) == 1]))
    return rows


def char_variants(char: str) -> frozenset[str]:
    """The ways ``char`` (already folded) may be written: itself and its simplified and
    traditional forms."""
    return _chinese_variants().get(char, frozenset({char}))


def char_class(char: str) -> str:
    """A regular expression (source) for one character in any of its forms."""
    forms = sorted(char_variants(char))
    if len(forms) == 1:
        return re.escape(forms[0])
    return "[" + "".join(re.escape(f) for f in forms) + "]"


def normalise(value: str) -> str:
    """An identifier as it is compared: folded, without spaces and separators."""
    return re.sub(SEPARATOR, "", fold(value)).strip()


def tolerant(value: str, gap: str = GAP) -> str:
    """A regular expression (source) for ``value`` in any of its variants: each character as any
    of its forms, ``gap`` between characters; letters and digits may not continue the match."""
    chars = normalise(value)
    if not chars:
        return ""
    body = gap.join(char_class(c) for c in chars)
    if chars[0].isascii() and chars[0].isalnum():
        body = r"(?<![0-9A-Za-z])" + body
    if chars[-1].isascii() and chars[-1].isalnum():
        body += r"(?![0-9A-Za-z])"
    return body


@lru_cache(maxsize=4096)
def tolerant_re(value: str, suffix: str = "", flags: int = re.IGNORECASE) -> re.Pattern:
    """``tolerant(value) + suffix`` compiled, kept: the same names and short forms are matched
    section after section, more patterns than ``re``'s own cache holds."""
    return re.compile(tolerant(value) + suffix, flags)
