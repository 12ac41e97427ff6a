"""Chinese named-entity detection, the second pass of the redaction (jieba's part-of-speech tags).

jieba tags persons ``nr``, places ``ns`` and organisations ``nt``, and tags many technical words
wrongly. The rules that keep technical content:

* a person (``nr``) is redacted when it has 2-3 characters (3-4 with a compound surname), begins
  with a common surname (data/surnames.txt), is not a technical word jieba is known to mistake for
  a name (data/not_people.txt), is not an everyday word (jieba's dictionary frequency below
  ``COMMON_WORD_FREQUENCY``: 荣获, 许可证 are tagged nr there) and is not followed by a company
  word (许继电气); or when it follows a cue such as 总经理, 联系人, 负责人 or 由 (then the name
  is read from jieba's next words; the surname, length and technical-word rules apply);
* a place (``ns``) only when it is a known place (Henan's, or data/china_places.txt), with or
  without its 省/市/县/区 suffix (Henan's own places are found by places.py anyway);
* an organisation (``nt``) only when it ends like a company (公司, 集团, 厂): universities and
  government bodies stay.
"""

import logging
import re
from functools import cache, lru_cache

import jieba
import jieba.posseg

from review_app import datafiles

from .spans import Span
from .tagging import cut_block
from .variants import is_cjk

jieba.setLogLevel(logging.WARNING)

PERSON_FLAGS = frozenset({"nr", "nrfg"})
PLACE_FLAGS = frozenset({"ns"})
ORG_FLAGS = frozenset({"nt"})
COMPANY_ENDINGS = ("公司", "集团", "厂")
PLACE_SUFFIXES = ("省", "市", "县", "区", "自治区")
# Words before a person's name (由总经理王建国负责, 联系人：李红).
PERSON_CUES = (
    "法定代表人",
    "法人代表",
    "副总经理",
    "总经理",
    "董事长",
    "副董事长",
    "总裁",
    "副总裁",
    "联系人",
    "负责人",
    "总工程师",
    "总工",
    "总监",
    "经理",
    "主任",
    "厂长",
    "书记",
    "院士",
    "教授",
    "博士",
    "工程师",
    "组长",
    "部长",
    "首席专家",
    "专家",
    "由",
)
_CUE_RE = re.compile("(?:" + "|".join(PERSON_CUES) + r")[\s:：（(]{0,2}")
MAX_NAME = 3
# Words after which a "name" is an organisation's (许继电气, 宁德时代).
ORGANISATION_WORDS = (
    "电气",
    "科技",
    "集团",
    "公司",
    "股份",
    "时代",
    "重工",
    "电子",
    "机械",
    "智能",
)
# Characters that end a name read after a cue (张伟和赵敏, 王强负责, 李红为).
NAME_BREAKS = frozenset("和与及等在是的了为由牵带负主兼任说表向对从将把被同已于、，。；：,.;:")
# A word at least this frequent in jieba's dictionary is an everyday word (中原 2825, 红旗 1052),
# not a name (宏润, 宇通 3, 中信 202).
COMMON_WORD_FREQUENCY = 300


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, compound surnames) from data/surnames.txt."""
    words = datafiles.words("surnames.txt")
    return (
        frozenset(w for w in words if len(w) == 1),
        frozenset(w for w in words if len(w) == 2),
    )


@cache
def not_people() -> frozenset[str]:
    """Words jieba tags as names in technical text although they name nobody
    (data/not_people.txt)."""
    return _word_list("not_people.txt")


@cache
def china_places() -> frozenset[str]:
    return _word_list("china_places.txt")


def _word_list(name: str) -> frozenset[str]:
    """Words of a data file: whitespace-separated, ``#`` starts a comment line."""
    return frozenset(datafiles.words(name))


def _initialised() -> None:
    if jieba.dt.initialized:
        return
    jieba.initialize()


def prepare() -> None:
    """jieba's dictionary and the word lists loaded (before worker processes are forked)."""
    _initialised()
    surnames()
    not_people()
    china_places()


def word_frequency(word: str) -> int:
    """How often ``word`` occurs in jieba's general dictionary (0 when it is not a word there)."""
    _initialised()
    return jieba.dt.FREQ.get(word) or 0


@lru_cache(maxsize=64)
def segment(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """jieba's words of ``text`` with offsets: (start, end, word, flag). jieba cuts a text block
    by block (its own ``re_han_internal`` splits them; nothing carries from one block to the
    next), so each block's words are cut once and kept: the same clauses recur across sections
    and applications, and the part-of-speech tagging (an HMM per unknown run) is most of the
    anonymisation's time. The words are the same as ``posseg.cut(text)``'s (tested)."""
    _initialised()
    out = []
    pos = 0
    for block in BLOCKS.split(text):
        if not block:
            continue
        for word, flag in _block_words(block):
            out.append((pos, pos + len(word), word, flag))
            pos += len(word)
    return tuple(out)


# jieba.posseg's own block pattern: the blocks are exactly the pieces it tags one by one.
BLOCKS = jieba.posseg.re_han_internal


@lru_cache(maxsize=65536)
def _block_words(block: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, flag) pairs of one block (tagging.py: jieba.posseg's, faster); the
    dictionary never changes after start-up."""
    return tuple(cut_block(block))


@lru_cache(maxsize=64)
def boundaries(text: str) -> frozenset[int]:
    """Offsets where a jieba word starts or ends."""
    return frozenset(p for start, end, _w, _f in segment(text) for p in (start, end))


def looks_like_name(word: str) -> bool:
    """2-3 Chinese characters beginning with a common surname (3-4 with a compound one), not a
    known technical word."""
    if not 2 <= len(word) <= MAX_NAME + 1 or not all(is_cjk(c) for c in word):
        return False
    if word in not_people():
        return False
    single, compound = surnames()
    if word[:2] in compound:
        return len(word) >= 3  # 欧阳明, 欧阳明远
    return word[0] in single and len(word) <= MAX_NAME


def find_people(text: str) -> list[Span]:
    """Persons: ``nr`` words that look like names, and names after a cue."""
    words = segment(text)
    spans = []
    for i, (s, e, w, f) in enumerate(words):
        if f not in PERSON_FLAGS or not looks_like_name(w):
            continue
        if word_frequency(w) >= COMMON_WORD_FREQUENCY:
            continue  # an everyday word jieba's dictionary tags nr (荣获, 许可证, 高峰)
        if i + 1 < len(words) and words[i + 1][2].startswith(ORGANISATION_WORDS):
            continue  # the start of a company's name (许继电气), not a person
        spans.append(Span(s, e, "person", "ner"))
    starts = {s: i for i, (s, _e, _w, _f) in enumerate(words)}
    for match in _CUE_RE.finditer(text):
        name = _name_at(text, match.end(), words, starts)
        if name:
            spans.append(Span(match.end(), match.end() + len(name), "person", "ner"))
    return spans


def _name_at(text: str, pos: int, words, starts: dict[int, int]) -> str | None:
    """The person's name that begins at ``pos`` (after a cue), read from jieba's words: a name
    word, or a surname word followed by the rest of the name (刘/海涛, 韩国/栋, 朱德/胜), ending on
    a word boundary and not at a function word (张伟/和)."""
    index = starts.get(pos)
    if index is None:
        return None
    first = words[index][2]
    following = [w for _s, _e, w, _f in words[index + 1 : index + 3]]
    candidates = [first]
    if following and following[0][0] not in NAME_BREAKS:
        candidates.append(first + following[0])
    if len(candidates) > 1 and looks_like_name(candidates[1]):
        return candidates[1]
    if looks_like_name(first) and (words[index][3] in PERSON_FLAGS or word_frequency(first) == 0):
        return first
    return None


def find_places(text: str, known: frozenset[str]) -> list[Span]:
    """Places jieba tags ``ns`` that are in ``known`` or the list of Chinese places."""
    allowed = known | china_places()
    out = []
    for s, e, w, f in segment(text):
        if f not in PLACE_FLAGS:
            continue
        stem = w
        for suffix in PLACE_SUFFIXES:
            if w.endswith(suffix) and len(w) > len(suffix) + 1:
                stem = w[: -len(suffix)]
                break
        if w in allowed or stem in allowed:
            out.append(Span(s, e, "place", "ner"))
    return out


def find_organisations(text: str) -> list[Span]:
    """Organisations jieba tags ``nt`` whose name ends like a company's."""
    return [
        Span(s, e, "enterprise", "ner")
        for s, e, w, f in segment(text)
        if f in ORG_FLAGS and w.endswith(COMPANY_ENDINGS) and len(w) > 3
    ]
