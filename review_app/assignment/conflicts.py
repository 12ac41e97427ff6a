"""The conflict-of-interest engine (DESIGN.md section 5): pure facts in, findings out. No Flask,
no database; the caller loads experts and enterprises into the dataclasses below and stores the
findings as ``Conflict`` rows.

Rules (ids of ``models.CONFLICT_RULES``):

* ``same_employer`` (detected): the expert's unit and the enterprise have the same *core name*,
  or one core begins with the other (a group and its subsidiary: 中原轴承 / 中原轴承精密).
* ``former_employer`` (declared): a relation of kind ``employment`` naming the enterprise (USCC
  or name) that ended in ``year - 3`` or later, or is open-ended.
* ``declared_relation`` (declared): any other declared relation naming the enterprise.
* ``same_prefecture`` (detected, when switched on): both resolve to the same unit of 附件3
  (aliases resolved; 航空港区 and 郑州市 are different units).
* ``supplier_mentioned`` (detected, status ``pending``): the expert's unit (its core name, or
  that core with trade words taken off the end while 3 characters or more remain; a 2-character
  core only if it is not an everyday word or a place) occurs in the application texts; the
  evidence quotes about 10 characters either side of the first mention. Not reported when
  ``same_employer`` holds (the enterprise naming itself is no supplier).

Core name of a unit (``unit_core``): NFKC, no spaces or parenthesised parts; cut at the first
集团/公司 (what follows is a department: 技术中心, 洛阳分公司); branch and department markers
(分公司, 研究院, 技术中心 …) taken off the end; legal suffixes (enterprise_words.txt) taken off
the end; places and region words (河南省, 洛阳市, 洛阳 …) taken off the beginning. A core with
fewer than 2 characters outside trade words, region words, places and generic words never
matches (智能装备, 河南科技). Universities and institutes whose name is a place plus an
institution word keep their full name (郑州大学, 郑州机械研究所), so they match only
themselves.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property

from ..anonymise.places import place_table
from ..anonymise.shortforms import (
    enterprise_words,
    is_distinctive,
    strip_endings,
    strip_legal,
    strip_region,
)
from ..experts.models import RELATION_KINDS
from ..intake.reference import resolve_prefecture

SOURCES = ("detected", "declared")
FORMER_EMPLOYER_YEARS = 3
QUOTE_RADIUS = 10  # characters quoted either side of a mention
MIN_DISTINCTIVE = 2
MIN_MENTION_LENGTH = 3  # trimmed forms shorter than this are too ambiguous to search for

# Where an organisation's own name ends and a department or branch begins.
_NAME_ENDS = ("集团", "股份有限公司", "有限责任公司", "有限公司", "公司")
# Taken off the end of a unit's name: branches and departments of the same core name.
BRANCH_MARKERS = (
    "工程技术研究中心",
    "技术研究院",
    "研究设计院",
    "技术中心",
    "研发中心",
    "研究中心",
    "工程中心",
    "研究院",
    "研究所",
    "设计院",
    "事业部",
    "分公司",
    "子公司",
    "总公司",
    "分厂",
)
# Institutions: a place plus one of these is a name in its own right (郑州大学).
INSTITUTION_WORDS = (
    "职业技术学院",
    "职业学院",
    "科学院",
    "大学",
    "学院",
    "学校",
    "实验室",
    "协会",
    "学会",
    "中心",
    *BRANCH_MARKERS,
)
_PARENS_RE = re.compile(r"[(（][^()（）]*[)）]")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Relation:
    """A declared relation with an enterprise named by USCC and/or name (kind: RELATION_KINDS)."""

    uscc: str | None
    name: str | None
    kind: str
    start_year: int | None = None
    end_year: int | None = None


@dataclass(frozen=True)
class ExpertFacts:
    expert_id: int
    name: str
    employer: str
    prefecture: str | None
    relations: tuple[Relation, ...] = ()


@dataclass(frozen=True)
class EnterpriseFacts:
    enterprise_id: int
    name: str
    uscc: str
    prefecture: str | None
    texts: tuple[str, ...] = ()  # the application's section texts

    @cached_property
    def normal_texts(self) -> tuple[str, ...]:
        """The non-empty texts under NFKC, as the supplier rule searches them (once per
        application, not once per expert)."""
        return tuple(t if unicodedata.is_normalized("NFKC", t) else unicodedata.normalize("NFKC", t)
                     for t in self.texts if t)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    rule: str
    source: str  # "detected" | "declared"
    evidence: str  # Chinese, names the facts
    status: str = "active"  # "pending" for supplier_mentioned


# -- names ---------------------------------------------------------------------------------------


def normalise_name(name: str | None) -> str:
    """NFKC, no whitespace, no parenthesised parts (（集团）, (河南))."""
    if not name:
        return ""
    text = _SPACE_RE.sub("", unicodedata.normalize("NFKC", name))
    return _PARENS_RE.sub("", text)


@cache
def _generic_parts(places: bool) -> tuple[str, ...]:
    words = enterprise_words()
    parts = (
        set(words["trade-words"])
        | set(words["region-words"])
        | set(words["generic"])
        | set(words["legal-suffixes"])
        | set(INSTITUTION_WORDS)
    )
    if places:
        table = place_table()
        parts |= table.all_names() - table.not_alone
    return tuple(sorted(parts, key=len, reverse=True))


def distinctive_count(form: str, *, places_generic: bool = True) -> int:
    """The fewest characters of ``form`` not covered by trade words, region words, generic words,
    institution words and (``places_generic``) place names."""
    parts = _generic_parts(places_generic)
    best = [0] + [len(form) + 1] * len(form)  # best[i]: uncovered characters in form[:i]
    for i in range(len(form)):
        if best[i] + 1 < best[i + 1]:
            best[i + 1] = best[i] + 1
        for part in parts:
            if form.startswith(part, i) and best[i] < best[i + len(part)]:
                best[i + len(part)] = best[i]
    return best[-1]


def _strip_branch(name: str) -> str:
    return strip_endings(name, BRANCH_MARKERS)


@cache
def unit_core(name: str | None) -> str | None:
    """The distinctive core name of a unit or enterprise, or None when it has none (the module
    docstring). 洛阳中原轴承集团有限公司技术中心 → 中原轴承; 郑州大学 → 郑州大学."""
    full = normalise_name(name)
    if not full:
        return None
    cut = full
    ends = [(i, end) for end in _NAME_ENDS if (i := full.find(end)) > 1]
    if ends:
        i, _ = min(ends, key=lambda pair: (pair[0], -len(pair[1])))
        cut = full[:i]
    core = strip_region(strip_legal(_strip_branch(cut)))
    if distinctive_count(core) >= MIN_DISTINCTIVE:
        return core
    # A place plus an institution word (郑州大学, 郑州机械研究所) is a name of its own.
    whole = strip_legal(cut)
    if whole.endswith(INSTITUTION_WORDS) and (
        distinctive_count(whole, places_generic=False) >= MIN_DISTINCTIVE
    ):
        return whole
    return None


def same_unit(a: str | None, b: str | None) -> tuple[str, str] | None:
    """The two core names if ``a`` and ``b`` name the same enterprise or the same group (one core
    begins with the other), else None."""
    core_a, core_b = unit_core(a), unit_core(b)
    if core_a is None or core_b is None:
        return None
    if core_a.startswith(core_b) or core_b.startswith(core_a):
        return core_a, core_b
    return None


def _normal_uscc(code: str | None) -> str:
    return _SPACE_RE.sub("", unicodedata.normalize("NFKC", code or "")).upper()


def _names_enterprise(relation: Relation, enterprise: EnterpriseFacts) -> bool:
    uscc = _normal_uscc(relation.uscc)
    if uscc and uscc == _normal_uscc(enterprise.uscc):
        return True
    if not relation.name:
        return False
    if normalise_name(relation.name) == normalise_name(enterprise.name):
        return True
    return same_unit(relation.name, enterprise.name) is not None


@cache
def mention_forms(employer: str) -> tuple[str, ...]:
    """What to look for in application texts for a unit: its core name, then the core with trade
    words taken off the end while it keeps 3 characters and 2 distinctive ones; longest first.
    A core of 2 characters is searched only if it is not an everyday word or a place."""
    core = unit_core(employer)
    if core is None:
        return ()
    forms = {core}
    trade = enterprise_words()["trade-words"]
    todo = [core]
    while todo:
        form = todo.pop()
        for word in trade:
            shorter = form[: -len(word)]
            if (
                form.endswith(word)
                and len(shorter) >= MIN_MENTION_LENGTH
                and distinctive_count(shorter) >= MIN_DISTINCTIVE
                and shorter not in forms
            ):
                forms.add(shorter)
                todo.append(shorter)
    # A 2-character core must not be an everyday word or a place (中原 is both; 宇通 is neither).
    kept = [f for f in forms if len(f) > 2 or is_distinctive(f)]
    return tuple(sorted(kept, key=len, reverse=True))


def _quote(text: str, start: int, end: int) -> str:
    left = max(0, start - QUOTE_RADIUS)
    right = min(len(text), end + QUOTE_RADIUS)
    snippet = _SPACE_RE.sub(" ", text[left:right]).strip()
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


# -- rules ---------------------------------------------------------------------------------------


def _years(relation: Relation) -> str:
    if relation.start_year is None and relation.end_year is None:
        return "年份未填"
    start = relation.start_year if relation.start_year is not None else "?"
    end = relation.end_year if relation.end_year is not None else "至今"
    return f"{start}—{end}"


def _relation_target(relation: Relation) -> str:
    return "、".join(p for p in (relation.name, relation.uscc) if p) or "（未填）"


def _relation_findings(expert: ExpertFacts, enterprise: EnterpriseFacts, year: int):
    former, declared = [], []
    for rel in expert.relations:
        if not _names_enterprise(rel, enterprise):
            continue
        target, years = _relation_target(rel), _years(rel)
        if rel.kind == "employment":
            if rel.end_year is None or rel.end_year >= year - FORMER_EMPLOYER_YEARS:
                former.append(f"专家{expert.name}申报曾任职于“{target}”（{years}）")
        else:
            label = RELATION_KINDS.get(rel.kind, rel.kind)
            declared.append(f"专家{expert.name}申报与“{target}”存在关系：{label}（{years}）")
    out = []
    if former:
        text = "；".join(former)
        out.append(
            Finding(
                "former_employer",
                "declared",
                f"{text}，距{year}年不足{FORMER_EMPLOYER_YEARS}年；申报企业为“{enterprise.name}”。",
            )
        )
    if declared:
        text = "；".join(declared)
        out.append(
            Finding("declared_relation", "declared", f"{text}；申报企业为“{enterprise.name}”。")
        )
    return out


def _supplier_finding(expert: ExpertFacts, enterprise: EnterpriseFacts) -> Finding | None:
    for form in mention_forms(expert.employer):
        for text in enterprise.normal_texts:
            at = text.find(form)
            if at >= 0:
                quote = _quote(text, at, at + len(form))
                return Finding(
                    "supplier_mentioned",
                    "detected",
                    f"“{enterprise.name}”的申报材料提及专家{expert.name}的工作单位"
                    f"“{expert.employer}”（“{form}”）：“{quote}”",
                    "pending",
                )
    return None


def detect(
    expert: ExpertFacts, enterprise: EnterpriseFacts, *, year: int, same_prefecture: bool = True
) -> list[Finding]:
    """The conflicts between ``expert`` and ``enterprise`` in ``year``, one per rule at most."""
    return _detect(expert, enterprise, year, same_prefecture, search_texts=True)


def _detect(expert: ExpertFacts, enterprise: EnterpriseFacts, year: int, same_prefecture: bool,
            *, search_texts: bool) -> list[Finding]:  # fmt: skip
    """``detect``; ``search_texts`` False when the caller knows none of the expert's mention
    forms occurs in the enterprise's texts (``matrix``'s index)."""
    findings: list[Finding] = []
    cores = same_unit(expert.employer, enterprise.name)
    if cores is not None:
        findings.append(
            Finding(
                "same_employer",
                "detected",
                f"专家{expert.name}的工作单位“{expert.employer}”与申报企业“{enterprise.name}”"
                f"为同一企业或同一集团、关联企业（核心名称“{cores[0]}”/“{cores[1]}”）。",
            )
        )
    findings += _relation_findings(expert, enterprise, year)
    if same_prefecture:
        mine = resolve_prefecture(expert.prefecture)
        theirs = resolve_prefecture(enterprise.prefecture)
        if mine is not None and theirs is not None and mine.name == theirs.name:
            findings.append(
                Finding(
                    "same_prefecture",
                    "detected",
                    f"专家{expert.name}所在地市“{expert.prefecture}”与申报企业"
                    f"“{enterprise.name}”所在地市“{enterprise.prefecture}”同为{mine.name}。",
                )
            )
    if cores is None and search_texts:  # the enterprise naming itself is no supplier
        supplier = _supplier_finding(expert, enterprise)
        if supplier is not None:
            findings.append(supplier)
    return findings
