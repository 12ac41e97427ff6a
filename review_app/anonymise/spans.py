"""Candidate spans of the redaction and how overlapping ones are merged.

Every pass (known identifiers, coordinator terms, patterns, named entities) proposes spans of the
original text with a kind ("enterprise", "person", …). Overlapping spans are merged into one
replacement so that no character of any candidate survives; the merged span takes the kind of
its longest member (an address that contains a city stays an address), ties going to the more
trusted source.
"""

from dataclasses import dataclass

from .variants import is_cjk

SOURCE_RANK = {"known": 0, "term": 1, "pattern": 2, "ner": 3}

# Characters that do not occur inside a place, road or company name but often just before one
# (位于, 与, 为 …): scanning back from a suffix such as 路 or 有限公司 stops at them.
STOP_CHARS = frozenset(
    "的于在位是与及或为址对从将把被由了以等司处至到迁入往其该本我这那并且也又即如按给让使已曾"
    "不个各每此"
)
# Words that end just before a name (客户洛阳…有限公司): scanning back stops after them.
STOP_WORDS = (
    "地址",
    "地处",
    "所在地",
    "坐落",
    "总部",
    "厂址",
    "注册",
    "办公",
    "基地",
    "公司",
    "企业",
    "客户",
    "用户",
    "供应商",
    "合作",
    "伙伴",
    "旗下",
    "全资",
    "联合",
    "携手",
    "成立",
    "设立",
    "下设",
    "设有",
    "收购",
    "包括",
    "入驻",
    "搬迁",
    "服务",
    "承担",
    "参与",
    "获得",
    "荣获",
    "评为",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # a key of TOKENS
    source: str  # "known", "term", "pattern" or "ner"

    @property
    def length(self) -> int:
        return self.end - self.start


def merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans joined into one, in text order; each keeps the kind of its longest
    member (ties: the more trusted source)."""
    out: list[Span] = []
    group: list[Span] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.length <= 0:
            continue
        if group and span.start < end:
            group.append(span)
            end = max(end, span.end)
            continue
        if group:
            out.append(_joined(group, end))
        group, end = [span], span.end
    if group:
        out.append(_joined(group, end))
    return out


def _joined(group: list[Span], end: int) -> Span:
    best = min(group, key=lambda s: (-s.length, SOURCE_RANK[s.source], s.start))
    return Span(group[0].start, end, best.kind, best.source)


def is_name_char(char: str, latin: bool = False) -> bool:
    """A character that may belong to a place, road or (``latin``: with letters) company name."""
    if latin and char.isascii() and char.isalpha():
        return True
    return (is_cjk(char) and char not in STOP_CHARS) or (char.isascii() and char.isdigit())


def scan_back(
    text: str, pos: int, limit: int, stops: frozenset[str] = frozenset(), latin: bool = False
) -> int:
    """The start of the name that ends at ``pos``: back over name characters, at most ``limit``
    of them, stopping at ``stops`` and after a stop word."""
    start = pos
    while start > 0 and pos - start < limit:
        char = text[start - 1]
        if char in stops or not is_name_char(char, latin):
            break
        if text.endswith(STOP_WORDS, 0, start):
            break
        start -= 1
    return start
