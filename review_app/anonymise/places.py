"""Henan's place names (prefectures of 附件3, their county-level divisions, functional zones).

Rules (data in data/prefectures.csv, data/henan_places.txt):

* every full name (洛阳市, 偃师区, 郑东新区) and every alias of review_app.intake.reference
  (航空港, 济源) is redacted wherever it occurs, in simplified or traditional characters;
* the short form of a prefecture (洛阳, 郑州) too;
* the short form of a county-level division (偃师, 新郑) only where jieba's segmentation has a word
  boundary on both sides (so 创新郑重 keeps 新郑), and never when it is listed under [not-alone]
  (中原, 上街, 博爱 … are everyday words) or has one character (嵩, 杞);
* after a full county or prefecture name, a town (…镇, …乡, …街道) and a village (…村) are part
  of the place, unless jieba finds a verb or function word in them (郑州市推进乡村振兴).
"""

import re
from dataclasses import dataclass
from functools import cache

from review_app import datafiles
from review_app.intake.reference import PREFECTURE_ALIASES, prefectures

from . import ner
from .spans import Span, is_name_char
from .variants import char_class

SUFFIXES = ("回族区", "示范区", "区", "县", "市")
NAME_CLASS = r"[\u3400-\u9fff]"
NOT_IN_TOWN_NAMES = frozenset("vdapcu")  # jieba tags: verb, adverb, adjective, preposition …
_TOWN_RE = re.compile(rf"(?:{NAME_CLASS}{{2,4}}?(?:镇|乡|街道|办事处))?(?:{NAME_CLASS}{{1,4}}?村)?")


@dataclass(frozen=True)
class PlaceTable:
    full: frozenset[str]  # full names and aliases: always redacted
    prefecture_short: frozenset[str]  # 洛阳, 郑州: always redacted
    county_short: frozenset[str]  # 偃师, 新郑: redacted on word boundaries
    not_alone: frozenset[str]  # everyday words, never redacted alone
    county_of: dict[str, str]  # full county name → its prefecture

    def all_names(self) -> frozenset[str]:
        """Every form that names a place (for filters: a short form of an enterprise may not be
        a place)."""
        return self.full | self.prefecture_short | self.county_short | self.not_alone


def short_form(name: str) -> str:
    """The name without its 区/县/市 suffix (偃师区 → 偃师, 管城回族区 → 管城)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@cache
def place_table() -> PlaceTable:
    table = datafiles.sections("henan_places.txt")
    zones = set(table.get("zones", ()))
    not_alone = set(table.get("not-alone", ()))
    counties = {
        name: prefecture
        for prefecture, names in table.items()
        if prefecture not in ("zones", "not-alone")
        for name in names
    }
    full = set(prefectures()) | set(PREFECTURE_ALIASES) | set(counties) | zones
    pref_short = {short_form(p) for p in prefectures()} | {"济源", "航空港"}
    county_short = {short_form(c) for c in counties} - pref_short - not_alone
    county_short = {c for c in county_short if len(c) >= 2}
    return PlaceTable(
        frozenset(full),
        frozenset(pref_short),
        frozenset(county_short),
        frozenset(not_alone),
        counties,
    )


def place_forms(name: str | None) -> list[str]:
    """The forms of one place (the applicant's prefecture or county) to look for: its full name,
    its short form when that may stand alone, and the aliases of 航空港区/济源示范区."""
    if not name:
        return []
    table = place_table()
    name = name.strip()
    # A county may be given with its prefecture (洛阳市偃师区).
    for pref in sorted(prefectures(), key=len, reverse=True):
        if name.startswith(pref) and len(name) > len(pref):
            name = name[len(pref) :]
            break
    forms = [name]
    short = short_form(name)
    if len(short) >= 2 and short != name and short not in table.not_alone:
        forms.append(short)
    forms += [alias for alias, target in PREFECTURE_ALIASES.items() if target == name]
    return list(dict.fromkeys(forms))


def _alternation(names) -> str:
    """Names longest first, each character in any of its forms (simplified or traditional)."""
    return "|".join(
        "".join(char_class(c) for c in name) for name in sorted(names, key=len, reverse=True)
    )


@cache
def _regexes() -> tuple[re.Pattern, re.Pattern]:
    table = place_table()
    strong = re.compile(_alternation(table.full | table.prefecture_short))
    weak = re.compile(_alternation(table.county_short))
    return strong, weak


def _is_town(name: str) -> bool:
    """Whether ``name`` (…镇, …街道, …村) names a town rather than being words that happen to end
    so (推进乡村): name characters only, and no verb, adverb, adjective or function word in it."""
    if not all(is_name_char(c) for c in name):
        return False
    return not any(flag[0] in NOT_IN_TOWN_NAMES for _s, _e, _w, flag in ner.segment(name))


def find_places(text: str, folded: str) -> list[Span]:
    """Henan's places in ``text`` (``folded`` is its folded form, same offsets)."""
    strong, weak = _regexes()
    spans = []
    for match in strong.finditer(folded):
        end = match.end()
        if match.group().endswith(SUFFIXES):
            town = _TOWN_RE.match(folded, end)
            if town and town.end() > end and _is_town(town.group()):
                end = town.end()
        spans.append(Span(match.start(), end, "place", "pattern"))
    cuts = None
    for match in weak.finditer(folded):
        if cuts is None:
            cuts = ner.boundaries(text)
        if match.start() in cuts and match.end() in cuts:
            spans.append(Span(match.start(), match.end(), "place", "pattern"))
    return spans
