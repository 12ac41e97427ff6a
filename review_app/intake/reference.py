"""Reference data for the format check: prefectures (附件3), GB/T 4754-2017 manufacturing codes and
the notice's 产业链 list. Read once from ``review_app.data`` and cached; pure, no database.

(``programs.service.read_prefectures`` loads the same CSV into the database; this module stays
free of Flask and SQLAlchemy so the validator can run anywhere.)
"""

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from review_app import datafiles

PROVINCE_DIVISION = "410000"  # registered with the province itself: fine for any prefecture
HENAN_PREFIX = "41"
MANUFACTURING_SECTION = "C"
MANUFACTURING_DIVISIONS = range(13, 44)  # 大类 13-43
REPAIR_DIVISION = "43"  # 金属制品、机械和设备修理业: in 门类 C, counted as services in statistics
AIRPORT_ZONE = "航空港区"
JIYUAN = "济源示范区"

# Other ways people write the units of 附件3.
PREFECTURE_ALIASES = {
    "郑州航空港区": AIRPORT_ZONE,
    "郑州航空港": AIRPORT_ZONE,
    "航空港": AIRPORT_ZONE,
    "郑州航空港经济综合实验区": AIRPORT_ZONE,
    "航空港经济综合实验区": AIRPORT_ZONE,
    "济源": JIYUAN,
    "济源市": JIYUAN,
    "济源产城融合示范区": JIYUAN,
}


def _read(name: str) -> str:
    return datafiles.text(name)


# -- prefectures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prefecture:
    """A unit of 附件3 (17 cities, 济源示范区, 航空港区) with its 卓越级 quota."""

    name: str
    division_code: str
    quota: int


@cache
def prefectures() -> dict[str, Prefecture]:
    """Name → prefecture, in the order of 附件3."""
    rows = csv.DictReader(_read("prefectures.csv").splitlines())
    return {
        r["name"].strip(): Prefecture(
            r["name"].strip(), r["division_code"].strip(), int(r["excellent_quota"])
        )
        for r in rows
    }


def resolve_prefecture(text: str | None) -> Prefecture | None:
    """The prefecture ``text`` names: exact, a known alias, the name without 市, or a longer text
    that begins with a name ("洛阳市偃师区")."""
    if not text:
        return None
    name = re.sub(r"\s+", "", text)
    table = prefectures()
    name = PREFECTURE_ALIASES.get(name, name)
    if name in table:
        return table[name]
    for alias, target in sorted(PREFECTURE_ALIASES.items(), key=lambda kv: -len(kv[0])):
        if name.startswith(alias):
            return table[target]
    for full, pref in table.items():
        short = full.removesuffix("市")
        if name == short or name.startswith(full) or name.startswith(short):
            return pref
    return None


def prefecture_of_division(code: str) -> Prefecture | None:
    """The prefecture whose registration authorities issue division ``code`` (6 digits); None for
    the province (410000) and for codes of no prefecture. 4101xx is 郑州市 (航空港区 shares it)."""
    if code == PROVINCE_DIVISION:
        return None
    for pref in prefectures().values():
        if pref.name == AIRPORT_ZONE:
            continue
        if pref.name == JIYUAN:
            if code == pref.division_code:
                return pref
        elif code[:4] == pref.division_code[:4]:
            return pref
    return None


def division_fits_prefecture(code: str, pref: Prefecture) -> bool:
    """Whether a USCC's division ``code`` is plausible for an enterprise of ``pref`` (rules.md):
    410000 anywhere; 航空港区 carries Zhengzhou 4101xx codes; 济源 419001; others their 41xx."""
    if code == PROVINCE_DIVISION:
        return True
    if pref.name == AIRPORT_ZONE:
        return code.startswith("4101")
    if pref.name == JIYUAN:
        return code == pref.division_code
    return code[:4] == pref.division_code[:4]


# -- GB/T 4754-2017 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndustryCode:
    """One code of GB/T 4754-2017: ``code`` without the 门类 letter ("34", "342", "3421")."""

    code: str
    name: str
    level: str  # "division" 大类, "group" 中类, "class" 小类


@cache
def industries() -> dict[str, IndustryCode]:
    """Digits → code for 门类 C (大类, 中类, 小类)."""
    out = {}
    for r in csv.DictReader(_read("industries.csv").splitlines()):
        digits = r["code"].strip().removeprefix(MANUFACTURING_SECTION)
        out[digits] = IndustryCode(digits, r["name"].strip(), r["level"].strip())
    return out


def industry_name(code: str) -> str | None:
    """The name of a 大类/中类/小类 code ("34" → 通用设备制造业), or None if unknown."""
    entry = industries().get(code)
    return entry.name if entry else None


def is_manufacturing_division(code: str) -> bool:
    """Whether ``code`` is a known 大类 of 门类 C (13-43)."""
    entry = industries().get(code)
    return (
        entry is not None
        and entry.level == "division"
        and int(code) in MANUFACTURING_DIVISIONS  # the CSV holds only C, but say why it counts
    )


# -- 产业链 -------------------------------------------------------------------------------------


@cache
def chains() -> dict[str, str]:
    """Chain name → its list (重点产业链 or 专精特新细分领域产业链（第一批）), as in chains.txt."""
    return {
        name: category
        for category, names in datafiles.sections("chains.txt").items()
        for name in names
    }


def normalise_chain(text: str) -> str:
    """A comparison key: NFKC (full/half-width brackets alike), no spaces, no 产业链 suffix."""
    key = unicodedata.normalize("NFKC", text)
    key = re.sub(r"\s+", "", key)
    return key.removesuffix("产业链")


@cache
def _chain_keys() -> dict[str, str]:
    return {normalise_chain(name): name for name in chains()}


def match_chain(text: str | None) -> str | None:
    """The listed chain ``text`` names, tolerating bracket width, spaces and a 产业链 suffix."""
    if not text:
        return None
    return _chain_keys().get(normalise_chain(text))


# -- other names and cluster names of chains (chain_groups.txt) ---------------------------------

ALIAS_SECTION = "其他名称"


@cache
def _chain_groups() -> dict[str, tuple[str, ...]]:
    return datafiles.sections("chain_groups.txt")


@cache
def _alias_keys() -> dict[str, tuple[str, str]]:
    out = {}
    for line in _chain_groups().get(ALIAS_SECTION, ()):
        name, listed, note = line.split(maxsplit=2)
        out[normalise_chain(name)] = (listed, note)
    return out


def match_chain_alias(text: str | None) -> tuple[str, str] | None:
    """(listed chain, note) when ``text`` is another name of a listed chain ("生物医药")."""
    return _alias_keys().get(normalise_chain(text)) if text else None


@cache
def _cluster_keys() -> dict[str, tuple[str, ...]]:
    clusters = {k: v for k, v in _chain_groups().items() if k != ALIAS_SECTION}
    by_list: dict[str, list[str]] = {}
    for name, category in chains().items():
        by_list.setdefault(category, []).append(name)
    for category, names in by_list.items():
        clusters[category] = tuple(names)
        clusters[category.split("（")[0]] = tuple(names)  # without "（第一批）"
    return {normalise_chain(k): v for k, v in clusters.items()}


def match_chain_cluster(text: str | None) -> tuple[str, ...] | None:
    """The listed chains grouped under ``text`` when it is a cluster or list name (新材料,
    先进装备, 重点产业链 …); None otherwise. A listed chain's own name is never a cluster."""
    if not text or match_chain(text):
        return None
    return _cluster_keys().get(normalise_chain(text))
