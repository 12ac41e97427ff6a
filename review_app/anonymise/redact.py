"""Redaction of an application's texts (脱敏): what an expert reads instead of the 申报书.

Pure functions, no Flask, no database. Passes, in order of trust:

1. known identifiers of the application (identifiers.py): its name and short forms, USCC,
   people, phones, e-mail, address, prefecture and county, in all their variants; the
   coordinator's extra terms (source "term");
2. patterns (patterns.py, places.py): phones, e-mail, web addresses, USCCs, street addresses,
   company names and every Henan place name, known or not (source "pattern");
3. named entities (ner.py, jieba) with guards against technical words (source "ner").

Overlapping candidates are merged (spans.py) and each merged span is replaced by the token of its
kind (``TOKENS``). The coordinator's allowed terms are never redacted: a candidate of pass 2 or 3
that touches an allowed term is dropped, and so is a known identifier lying inside one.
"""

import dataclasses

from review_app.intake.parsed import ParsedApplication

from . import ner
from .identifiers import allowed_patterns, identifiers
from .patterns import find_patterns
from .places import find_places, place_table
from .redaction_types import TOKENS, Identity, Redaction, Replacement
from .shortforms import found_short_forms
from .spans import Span, merge
from .variants import fold, normalise


def identity_from_parsed(parsed: ParsedApplication, extra_terms=(), allowed_terms=()) -> Identity:
    """The identifiers the parsed 申报书 declares, plus the coordinator's terms."""
    e = parsed.enterprise

    def present(values) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))

    return Identity(
        enterprise_name=(e.name or "").strip(),
        uscc=(e.uscc or "").strip() or None,
        people=present([e.legal_rep.name, e.contact.name]),
        phones=present([e.legal_rep.phone, e.contact.phone]),
        emails=present([e.legal_rep.email, e.contact.email]),
        addresses=present([e.factory_address]),
        prefecture=(e.prefecture or "").strip() or None,
        county=(e.county or "").strip() or None,
        extra_terms=present(extra_terms),
        allowed_terms=present(allowed_terms),
    )


def with_former(identity: Identity, former: dict[str, list[str]]) -> Identity:
    """A copy of ``identity`` that also holds the values the application declared before a
    correction (``former``: names, codes, places, people, phones, emails or addresses -> values;
    see anonymise.service.former_values): a renamed enterprise's old name identifies it as well
    as the new one."""
    if not any(former.values()):
        return identity

    def more(current: list[str], kind: str) -> list[str]:
        return list(dict.fromkeys([*current, *former.get(kind, ())]))

    return dataclasses.replace(
        identity,
        people=more(identity.people, "people"),
        phones=more(identity.phones, "phones"),
        emails=more(identity.emails, "emails"),
        addresses=more(identity.addresses, "addresses"),
        former_names=more(identity.former_names, "names"),
        former_codes=more(identity.former_codes, "codes"),
        former_places=more(identity.former_places, "places"),
    )


def short_forms(identity: Identity, texts) -> list[str]:
    """The short forms of the enterprise name (and of its former names) found in ``texts``:
    declared ones (以下简称“X”) and derived ones that occur (see shortforms.py for the rule),
    longest first."""
    allowed = {normalise(t) for t in identity.allowed_terms}
    found: list[str] = []
    for name in (identity.enterprise_name or "", *identity.former_names):
        if normalise(name):
            found += found_short_forms(name, texts)
    return [f for f in sorted(dict.fromkeys(found), key=len, reverse=True) if f not in allowed]


def with_short_forms(identity: Identity, texts) -> Identity:
    """A copy of ``identity`` whose ``short_forms`` also hold those found in ``texts``: pass it to
    the leak scan so that it looks for the declared short forms too."""
    found = short_forms(identity, list(texts))
    merged = list(dict.fromkeys([*identity.short_forms, *found]))
    return dataclasses.replace(identity, short_forms=merged)


def redact_text(text: str, identity: Identity, section: str = "") -> Redaction:
    """``text`` with every identifier replaced by its token; replacements carry offsets in
    ``text``."""
    if not text:
        return Redaction(text or "")
    return _redact(text, with_short_forms(identity, [text]), section)


def _redact(text: str, identity: Identity, section: str) -> Redaction:
    """``redact_text`` with ``identity`` already holding the short forms ``text`` declares."""
    if not text:
        return Redaction(text or "")
    folded = fold(text)
    candidates = _known(folded, identity)
    detected = find_patterns(text, folded) + find_places(text, folded) + _entities(text)
    allowed = [(m.start(), m.end()) for p in allowed_patterns(identity) for m in p.finditer(folded)]
    if allowed:
        candidates = [s for s in candidates if not _inside_any(s, allowed)]
        detected = [s for s in detected if not _touches_any(s, allowed)]
    spans = merge(candidates + detected)
    return _apply(text, spans, section)


def redact_sections(sections: dict[str, str], identity: Identity) -> dict[str, Redaction]:
    """Each section redacted; short forms declared in one section are redacted in all."""
    identity = with_short_forms(identity, sections.values())
    # the short forms of each text are among those of all the texts: not looked for again
    return {key: _redact(text, identity, key) for key, text in sections.items()}


def prepare_redaction() -> None:
    """Load what every redaction uses (jieba's dictionary, the place tables and patterns, the
    word lists and character variants) by redacting a short sample, so that worker processes
    forked afterwards start with them (parallel.py)."""
    sample = Identity("郑州示例科技有限公司", people=["张伟"], phones=["0371-66668888"],
                      emails=["info@example.com"], addresses=["郑州市金水区示例路1号"],
                      prefecture="郑州市", county="金水区")  # fmt: skip
    redact_sections(
        {"sample": "郑州示例科技有限公司（以下简称“示例科技”）由总经理张伟负责。"}, sample
    )


def _known(folded: str, identity: Identity) -> list[Span]:
    return [
        Span(m.start(), m.end(), ident.kind, ident.source)
        for ident in identifiers(identity)
        for m in ident.pattern.finditer(folded)
    ]


def _entities(text: str) -> list[Span]:
    table = place_table()
    places = table.full | table.prefecture_short | table.county_short
    return ner.find_people(text) + ner.find_places(text, places) + ner.find_organisations(text)


def _inside_any(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= span.start and span.end <= b for a, b in ranges)


def _touches_any(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(span.start < b and a < span.end for a, b in ranges)


def _apply(text: str, spans: list[Span], section: str) -> Redaction:
    parts = []
    replacements = []
    pos = 0
    for span in spans:
        token = TOKENS[span.kind]
        parts += [text[pos : span.start], token]
        replacements.append(
            Replacement(
                section, span.start, span.end, text[span.start : span.end], token, span.source
            )
        )
        pos = span.end
    parts.append(text[pos:])
    return Redaction("".join(parts), replacements)
