"""The conflict matrix at province and national scale: ``detect`` on every pair an index says
may match, and on no other.

A pair can have a finding only if the expert's unit and the enterprise share a core name (one
core begins with the other), a declared relation names the enterprise (USCC, name, or core), both
are in the same prefecture, or one of the unit's mention forms occurs in the enterprise's texts.
Each of these is an index lookup here: cores in a sorted list (prefixes by bisection), USCCs and
names in dicts, prefectures grouped, and texts by the character pairs (bigrams) the mention forms
are made of: a form occurs in an enterprise's texts only if every one of its bigrams does. The
index only narrows the pairs; ``detect``'s own rules decide, so the result is the same as running
it on every pair (tests/assignment/test_conflict_index.py compares the two).
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from operator import add

from ..intake.reference import resolve_prefecture
from .conflicts import (
    EnterpriseFacts,
    ExpertFacts,
    Finding,
    _detect,
    _normal_uscc,
    mention_forms,
    normalise_name,
    unit_core,
)

# Up to this many wanted bigrams, ``EnterpriseIndex`` searches the texts for each of them.
SEARCHED_BIGRAMS = 32


def _bigrams(text: str) -> set[str]:
    return set(map(add, text, text[1:]))


def _prefecture(name: str | None) -> str | None:
    found = resolve_prefecture(name)
    return found.name if found is not None else None


class EnterpriseIndex:
    """The enterprises, indexed for the questions ``matrix`` asks about one expert at a time."""

    def __init__(self, enterprises: list[EnterpriseFacts], experts: Iterable[ExpertFacts]):
        self.enterprises = enterprises
        by_core: dict[str, set[int]] = defaultdict(set)
        self.by_uscc: dict[str, set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.by_prefecture: dict[str, set[int]] = defaultdict(set)
        for i, e in enumerate(enterprises):
            if (core := unit_core(e.name)) is not None:
                by_core[core].add(i)
            if uscc := _normal_uscc(e.uscc):
                self.by_uscc[uscc].add(i)
            if name := normalise_name(e.name):
                self.by_name[name].add(i)
            if (pref := _prefecture(e.prefecture)) is not None:
                self.by_prefecture[pref].add(i)
        self.by_core = dict(by_core)
        self.cores = sorted(self.by_core)
        # Only the bigrams some mention form is made of are kept per enterprise.
        wanted = set()
        for expert in experts:
            for form in mention_forms(expert.employer):
                wanted |= _bigrams(form)
        self.postings: dict[str, set[int]] = defaultdict(set)
        # Few bigrams wanted (one expert signing in to a meeting): each is searched for in the
        # texts (a scan in C) rather than every text cut into its bigrams (a step per character).
        search = len(wanted) <= SEARCHED_BIGRAMS
        for i, e in enumerate(enterprises):
            if search:
                present = {g for g in wanted if any(g in text for text in e.normal_texts)}
            else:
                present = set()
                for text in e.normal_texts:
                    present |= _bigrams(text) & wanted
            for gram in present:
                self.postings[gram].add(i)

    def sharing_core(self, name: str | None) -> set[int]:
        """Enterprises whose core begins with the core of ``name`` or is the start of it."""
        core = unit_core(name)
        if core is None:
            return set()
        out: set[int] = set()
        for k in range(1, len(core) + 1):  # enterprise cores the start of this one
            out |= self.by_core.get(core[:k], set())
        at = bisect_left(self.cores, core)  # enterprise cores beginning with this one
        while at < len(self.cores) and self.cores[at].startswith(core):
            out |= self.by_core[self.cores[at]]
            at += 1
        return out

    def candidates(self, expert: ExpertFacts, same_prefecture: bool) -> set[int]:
        """Enterprises that may share a unit, a declared relation or a prefecture with
        ``expert`` (the texts are ``mentioning``'s)."""
        out = self.sharing_core(expert.employer)
        for rel in expert.relations:
            if uscc := _normal_uscc(rel.uscc):
                out |= self.by_uscc.get(uscc, set())
            if rel.name:
                out |= self.by_name.get(normalise_name(rel.name), set())
                out |= self.sharing_core(rel.name)
        if same_prefecture and (pref := _prefecture(expert.prefecture)) is not None:
            out |= self.by_prefecture.get(pref, set())
        return out

    def mentioning(self, expert: ExpertFacts) -> set[int]:
        """Enterprises whose texts may contain one of the expert's mention forms (every bigram
        of the form is in them); a form shorter than 2 characters could be anywhere."""
        out: set[int] = set()
        for form in mention_forms(expert.employer):
            if len(form) < 2:
                return set(range(len(self.enterprises)))
            postings = sorted((self.postings.get(g, set()) for g in _bigrams(form)), key=len)
            out |= set.intersection(*postings) if postings else set()
        return out


def matrix(
    experts: Iterable[ExpertFacts],
    enterprises: Iterable[EnterpriseFacts],
    *,
    year: int,
    same_prefecture: bool = True,
) -> dict[tuple[int, int], list[Finding]]:
    """(expert_id, enterprise_id) → findings, for the pairs with at least one finding: exactly
    ``detect`` on every pair, with ``detect`` run only on the pairs the index says may match, so
    the work grows with the findings rather than with experts × enterprises."""
    experts = list(experts)
    index = EnterpriseIndex(list(enterprises), experts)
    out: dict[tuple[int, int], list[Finding]] = {}
    for expert in experts:
        mentioned = index.mentioning(expert)
        for i in sorted(index.candidates(expert, same_prefecture) | mentioned):
            enterprise = index.enterprises[i]
            found = _detect(expert, enterprise, year, same_prefecture,
                            search_texts=i in mentioned)  # fmt: skip
            if found:
                out[(expert.expert_id, enterprise.enterprise_id)] = found
    return out
