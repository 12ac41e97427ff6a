"""Reading the values people write into the 申报书's cells: ticked options, numbers, the
location (所在地市（县）) and industry codes. Pure functions over strings."""

import re
from dataclasses import dataclass

from . import reference as ref

# Full-width ASCII and the ideographic space to their half-width forms, one character for one,
# so positions found in the folded text are positions in the original.
# The emoji variation selector ("☑️") reads as a space.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFE0F: 0x20}

TICKS = "☑■√✓☒✔▣✅●"
BOXES = "□☐▢❑❏◻○"
# One mark: a box, a tick, or a tick in brackets ([√], (√), 【√】).
_MARK = re.compile(rf"[\[(【]\s*[√✓✔]\s*[\])】]|[{TICKS}{BOXES}]")
_WORD_END = re.compile(rf"\s|{_MARK.pattern}")
_LEADING_MARKS = re.compile(rf"(?:\s|{_MARK.pattern})*")
_TRAILING_MARKS = re.compile(rf"(?:\s|{_MARK.pattern})*$")
_PLACEHOLDER = re.compile(r"X+市X+县(?:\(区\))?", re.IGNORECASE)  # the form's "XX市XX县（区）"
_BLANKS = {"", "-", "—", "——", "–", "/", "\\", "无", "暂无", "nan", "n/a"}
_NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?")
_EDGE_BLANKS = re.compile(r"^[_＿\s]+|[_＿\s]+$")  # "其他：______"


def fold(text: str) -> str:
    """Full-width letters, digits and punctuation as half-width (length preserved)."""
    return text.translate(_FOLD)


def squash(text: str) -> str:
    """A comparison key: folded, without any whitespace."""
    return re.sub(r"\s+", "", fold(text))


def clean(text: str | None) -> str | None:
    """A written value without surrounding blanks; None when nothing was written."""
    if text is None:
        return None
    value = text.strip()
    return value or None


# -- ticked options -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One option found in a cell: where its words are and the marks written beside it."""

    value: str
    start: int
    end: int
    ticked: bool
    boxed: bool  # has a mark, ticked or not


def find_options(text: str, options: dict[str, str]) -> list[Option]:
    """The options present in ``text``, in order, with their marks. ``options`` maps the ways
    an option is written (its full words, a short form) to its value; the longest found wins.

    A mark belongs to the option it stands right before ("☑民营企业", "√□民营企业"); a mark
    written right after an option's words ("民营企业√", "民营企业(√)") belongs to it unless it
    stands right before the next option.
    """
    folded = fold(text)
    found = []
    for key, value in sorted(options.items(), key=lambda kv: -len(kv[0])):
        if any(v == value for _, _, v in found):
            continue
        start = _occurrence(folded, fold(key))
        if start is not None:
            found.append((start, start + len(key), value))
    found.sort()
    starts = {s for s, _, _ in found}
    out = []
    for start, end, value in found:
        word_end = _WORD_END.search(folded, end)
        tail = word_end.start() if word_end else len(folded)
        marks = _marks_before(folded, start) + _marks_after(folded, tail, starts)
        out.append(Option(value, start, end, any(m not in BOXES for m in marks), bool(marks)))
    return out


def _occurrence(folded: str, key: str) -> int | None:
    """The first occurrence of ``key`` with a mark before it, else the first occurrence."""
    first = None
    for m in re.finditer(re.escape(key), folded):
        if first is None:
            first = m.start()
        if _marks_before(folded, m.start()):
            return m.start()
    return first


def _marks_before(folded: str, pos: int) -> list[str]:
    """The marks written together (no space between them) just before ``pos``."""
    head = folded[:pos].rstrip()
    marks: list[str] = []
    while True:
        m = re.search(rf"(?:{_MARK.pattern})$", head)
        if not m:
            return marks
        marks.append(m.group())
        head = head[: m.start()]


def _marks_after(folded: str, pos: int, option_starts: set[int]) -> list[str]:
    rest = folded[pos:]
    stripped = rest.lstrip()
    offset = pos + len(rest) - len(stripped)
    marks: list[str] = []
    while m := _MARK.match(stripped):
        marks.append(m.group())
        stripped = stripped[m.end() :]
        offset += m.end()
    if not marks:
        return []
    following = len(stripped) - len(stripped.lstrip())
    if offset + following in option_starts:
        return []  # they stand before the next option
    return marks


def single_choice(found: list[Option]) -> tuple[str | None, bool]:
    """(the chosen value, whether the ticks were ambiguous). A lone option written without any
    mark (the others deleted) counts as chosen."""
    ticked = [o.value for o in found if o.ticked]
    if len(ticked) == 1:
        return ticked[0], False
    if len(ticked) > 1:
        return None, True
    if len(found) == 1 and not found[0].boxed:
        return found[0].value, False
    return None, False


def multi_choice(found: list[Option], total: int) -> list[str]:
    """The ticked values; without any mark at all, the options left in (if some were deleted)."""
    if any(o.boxed for o in found):
        return [o.value for o in found if o.ticked]
    if len(found) < total:
        return [o.value for o in found]
    return []


def text_after(text: str, option: Option, stop: Option | None = None) -> str | None:
    """What is written after ``option`` (and before the ``stop`` option's marks): the 名称 in
    "☑是（项目名称：XX）□否" or "☑其他：XX". Brackets, the 名称： prompt and underlines go."""
    piece = text[option.end : stop.start if stop else len(text)]
    folded = fold(piece)
    lead = _LEADING_MARKS.match(folded).end()
    trail = _TRAILING_MARKS.search(folded[lead:]).start() + lead
    piece = piece[lead:trail]
    piece = re.sub(r"^[:：]", "", piece).strip()
    if piece[:1] in "（(" and piece[-1:] in "）)":
        piece = piece[1:-1].strip()
    piece = re.sub(r"^(?:项目)?名称\s*[:：]", "", piece)
    piece = _EDGE_BLANKS.sub("", piece)
    return piece or None


def yes_no(text: str) -> tuple[bool | None, str | None, bool]:
    """(answer, the 名称 written beside 是, ambiguous) of a "□是（名称：）□否" cell."""
    found = find_options(text, {"是": "yes", "否": "no"})
    choice, ambiguous = single_choice(found)
    if choice is None:
        return None, None, ambiguous
    if choice == "no":
        return False, None, False
    yes = next(o for o in found if o.value == "yes")
    no = next((o for o in found if o.value == "no"), None)
    return True, text_after(text, yes, no), False


# -- numbers ------------------------------------------------------------------------------------


def number(text: str | None) -> float | None:
    """A figure as written: thousands separators (1,234.5 / 1，234.5), full-width digits, a
    trailing unit (万元, %) are fine; a dash, slash or nothing is None."""
    if text is None:
        return None
    value = squash(text).replace(",", "").replace("−", "-")
    if value.lower() in _BLANKS or set(value) <= set("-—–/"):
        return None
    m = _NUMBER.search(value)
    return float(m.group().replace("−", "-")) if m else None


# -- location and industry ----------------------------------------------------------------------


def _prefecture_names() -> list[tuple[str, str]]:
    """(written form, unit of 附件3), longest first."""
    pairs = list(ref.PREFECTURE_ALIASES.items())
    for name in ref.prefectures():
        pairs.append((name, name))
        if name.endswith("市"):
            pairs.append((name.removesuffix("市"), name))
    return sorted(pairs, key=lambda kv: -len(kv[0]))


def location(text: str | None) -> tuple[str | None, str | None]:
    """(prefecture, county) of 所在地市（县）: "洛阳市涧西区" → ("洛阳市", "涧西区"). A prefecture
    not in 附件3 is kept as written for the format check to report."""
    value = re.sub(r"^河南省?\s*", "", re.sub(r"\s+", " ", text or "").strip())
    if not value or _PLACEHOLDER.fullmatch(squash(value)):
        return None, None
    for written, unit in _prefecture_names():
        if value.startswith(written):
            rest = re.sub(r"^[\s/、,，\-]+", "", value[len(written) :])
            if rest.startswith("市") and not written.endswith("市"):
                rest = rest[1:].lstrip()
            return unit, rest or None
    m = re.match(r"(.+?[市州盟])[\s/、,，\-]*(.*)$", value)
    if m:
        return m.group(1), m.group(2) or None
    return value, None


_SECTION_NAMES = {"制造业": "C"}


def industry_code(text: str | None, level: str) -> str | None:
    """The code in a 门类 ("C", "C 制造业", "制造业"), 大类 ("34", "34 通用设备制造业") or 中类
    ("342金属加工机械制造", "C342") cell; a name alone is looked up in GB/T 4754-2017."""
    value = squash(text or "")
    if not value:
        return None
    if level == "section":
        m = re.match(r"([A-Ta-t])(?![A-Za-z])", value)
        if m:
            return m.group(1).upper()
        return next((c for n, c in _SECTION_NAMES.items() if value.startswith(n)), None)
    digits = 2 if level == "division" else 3
    m = re.match(r"[A-Za-z]?(\d{2,4})(?!\d)", value)
    if m and len(m.group(1)) >= digits:
        return m.group(1)[:digits]  # a finer code in the cell ("3421") starts with this one
    wanted = "division" if level == "division" else "group"
    for code, entry in ref.industries().items():
        if entry.level == wanted and squash(entry.name) == value:
            return code
    return None
