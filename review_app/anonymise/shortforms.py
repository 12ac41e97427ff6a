"""Short forms of an enterprise name (简称): declared by the text, or derived from the name.

Derived forms (洛阳宏润智能装备股份有限公司): the name without its legal suffix (洛阳宏润智能装备),
then without its region prefixes, one at a time (宏润智能装备), then with trade words taken off
the end one at a time (宏润智能, 宏润; a trade word of 3 characters also by its first two:
宏润新材), jieba's first word of the core, and the shortest of these followed by 公司/集团/股份.
Words come from data/enterprise_words.txt and Henan's places.

A short form is redacted only when it is distinctive:
* at least 2 characters (3 when it is only Latin letters and digits);
* not a generic word (公司, 本企业 …) and not made only of trade and region words (智能装备,
  河南科技);
* not a place name (洛阳, 偃师 are places and redacted as such; a declared form may be one of the
  everyday words of henan_places.txt [not-alone], such as 中原);
* a 2-character form must not be an everyday word: jieba's dictionary frequency below
  ``ner.COMMON_WORD_FREQUENCY`` (中原, 华夏, 长城 are common words; 宏润, 宇通, 中信 are
  not). The longer forms that contain it (中原智能, 中原公司) are still redacted.

Declared forms (以下简称“宏润智能”, 简称宏润, 下称“HR公司”) are taken when the declaration
directly follows the enterprise's name, a derived form or a self-reference (本公司, 我公司), or
when the form's characters all occur in the name in order; they must be distinctive except for
the frequency rule (the text says so itself).
"""

import re
from functools import cache

from review_app import datafiles

from . import ner
from .places import place_table
from .variants import MASK, fold, is_cjk, normalise, tolerant_re

SUFFIXES_AFTER_BASE = ("公司", "集团", "股份")
SELF_REFERENCES = (
    "本公司",
    "我公司",
    "公司",
    "本企业",
    "我企业",
    "企业",
    "本单位",
    "我单位",
    "申报单位",
)
DECLARATION_WINDOW = 80  # characters before the declaration where the name must occur
_DECLARATION_RE = re.compile(
    r"(?:以下简称|以下统称|以下称为|以下称|下称|简称为|简称)\s*[:：为是]?\s*"
    r"(?:[“\"'‘「『《]\s*(?P<quoted>[^”\"'’」』》\n]{2,20}?)\s*[”\"'’」』》]"
    r"|(?P<bare>[\u3400-\u9fffA-Za-z0-9]{2,10})(?=[）)，,。；;、\s]|$))"
)
_PARENS_RE = re.compile(r"[(（][^()（）]{1,12}[)）]")


@cache
def enterprise_words() -> dict[str, tuple[str, ...]]:
    """Sections of data/enterprise_words.txt, longest words first."""
    return {
        k: tuple(sorted(v, key=len, reverse=True))
        for k, v in datafiles.sections("enterprise_words.txt").items()
    }


def _region_prefixes() -> tuple[str, ...]:
    table = place_table()
    names = (
        set(enterprise_words()["region-words"])
        | table.full
        | table.prefecture_short
        | table.county_short
    )
    return tuple(sorted(names, key=len, reverse=True))


def strip_legal(name: str) -> str:
    """The name without legal suffixes (股份有限公司, 集团 …) and parenthesised regions."""
    name = _PARENS_RE.sub("", name)
    return strip_endings(name, enterprise_words()["legal-suffixes"])


def strip_endings(name: str, endings) -> str:
    """Take any of ``endings`` off the end of ``name`` repeatedly, always keeping at least two
    characters (股份有限公司, 分公司, 技术中心 …)."""
    changed = True
    while changed:
        changed = False
        for ending in endings:
            if name.endswith(ending) and len(name) > len(ending) + 1:
                name = name[: -len(ending)]
                changed = True
                break
    return name


def region_steps(name: str) -> list[str]:
    """The name with the places and region words it begins with taken off one at a time
    (河南省洛阳宏润 → 洛阳宏润 → 宏润); the last is the name without any."""
    prefixes = _region_prefixes()
    steps = [name]
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if name.startswith(prefix) and len(name) > len(prefix) + 1:
                name = name[len(prefix) :]
                steps.append(name)
                changed = True
                break
    return steps


def strip_region(name: str) -> str:
    """The name without the places and region words it begins with (河南省洛阳市 …)."""
    return region_steps(name)[-1]


@cache
def _generic_parts() -> frozenset[str]:
    words = enterprise_words()
    parts = set(words["trade-words"]) | set(words["region-words"]) | set(words["generic"])
    return frozenset(parts | (place_table().all_names() - place_table().not_alone))


def _only_generic(form: str) -> bool:
    """Whether ``form`` is made only of trade words, region words and places."""
    parts = _generic_parts()
    reachable = [True] + [False] * len(form)
    for i in range(len(form)):
        if reachable[i]:
            for part in parts:
                if form.startswith(part, i):
                    reachable[i + len(part)] = True
    return reachable[-1]


def is_distinctive(form: str, declared: bool = False) -> bool:
    """Whether ``form`` may be redacted as a short form (the module's rule)."""
    form = normalise(form)
    if len(form) < 2 or (form.isascii() and len(form) < 3):
        return False
    if not any(is_cjk(c) or c.isalnum() for c in form):
        return False
    if form in enterprise_words()["generic"] or _only_generic(form):
        return False
    places = place_table().all_names()
    if declared:
        places = places - place_table().not_alone  # the text says 中原 means the enterprise
    if form in places or form in ner.china_places():
        return False
    return declared or len(form) > 2 or ner.word_frequency(form) < ner.COMMON_WORD_FREQUENCY


@cache
def derived_forms(name: str) -> tuple[str, ...]:
    """The distinctive short forms derived from the enterprise name, longest first."""
    name = normalise(name)
    if not name:
        return ()
    without_legal = strip_legal(name)
    steps = region_steps(without_legal)
    core = steps[-1]
    forms = [*steps, strip_region(name)]
    trade = enterprise_words()["trade-words"]
    trims = {core}
    todo = [core]
    while todo:
        form = todo.pop()
        for word in trade:
            if form.endswith(word) and len(form) - len(word) >= 2:
                shorter = form[: -len(word)]
                if len(word) >= 3:
                    trims.add(shorter + word[:2])  # 新材料 is written 新材 too
                if shorter not in trims:
                    trims.add(shorter)
                    todo.append(shorter)
    forms += sorted(trims, key=len, reverse=True)
    trimmed = min(trims, key=len)
    words = ner.segment(core)
    if words and len(words[0][2]) >= 2:
        forms.append(words[0][2])
    forms += [trimmed + suffix for suffix in SUFFIXES_AFTER_BASE]
    forms += [core + suffix for suffix in SUFFIXES_AFTER_BASE]
    kept = [f for f in dict.fromkeys(forms) if f != name and is_distinctive(f)]
    return tuple(sorted(kept, key=len, reverse=True))


def declared_forms(text: str, name: str) -> list[str]:
    """The short forms ``text`` declares for the enterprise ``name``."""
    folded = fold(text)
    name_n = normalise(name)
    out = []
    for match in _DECLARATION_RE.finditer(folded):
        form = normalise(match.group("quoted") or match.group("bare") or "")
        if not form or not is_distinctive(form, declared=True):
            continue
        before = folded[max(0, match.start() - DECLARATION_WINDOW) : match.start()]
        before = before.rstrip(" (（,，")
        if (
            before.endswith(SELF_REFERENCES)
            or _is_subsequence(form, name_n)
            or _mentioned(before, name_n)
        ):
            out.append(form)
    return list(dict.fromkeys(out))


def _mentioned(before: str, name_n: str) -> bool:
    """The name (or a derived form) ends right where the declaration begins. The patterns are
    compiled only for a text that declares something (compiling them is the costly part)."""
    return any(tolerant_re(f, "$", 0).search(before)
               for f in (name_n, *derived_forms(name_n)) if f)  # fmt: skip


def _is_subsequence(form: str, name: str) -> bool:
    rest = iter(name)
    return all(char in rest for char in form)


def found_short_forms(name: str, texts) -> list[str]:
    """Declared forms in ``texts`` and derived forms that occur in them outside the full name,
    longest first."""
    texts = [t for t in texts if t]
    found: list[str] = []
    for text in texts:
        found += declared_forms(text, name)
    # Derived forms count where they stand alone, not inside the full name.
    full = tolerant_re(name)
    folded = [full.sub(lambda m: MASK * len(m.group()), fold(t)) for t in texts]
    for form in derived_forms(name):
        pattern = tolerant_re(form)
        if any(pattern.search(t) for t in folded):
            found.append(form)
    return sorted(dict.fromkeys(found), key=len, reverse=True)
