"""The redaction on the seeded corpus: no leak, little over-redaction, right tokens.

Over-redaction measure. In each section of each corpus application, the *identifier characters*
are those inside a planted identifier occurrence (corpus.Planted); every other character of the
original text is a *plain character*. A plain character survives when no replacement of the
redaction covers it (replacements carry offsets in the original text). The measure is

    surviving plain characters / all plain characters, over the whole corpus,

and must be at least 95%; each application on its own at least 90%.
"""

from collections import Counter

from review_app.anonymise.leakscan import scan_sections
from review_app.anonymise.redaction_types import TOKENS

from .corpus import SIZE, UNIVERSITY, build_corpus

MIN_SURVIVAL = 0.95
MIN_SURVIVAL_ONE = 0.90
TECHNICAL = ("MES", "ERP", "APS", "30%", "1,200万元", "GB/T 39116")


def _covered(redaction, length: int) -> list[str | None]:
    """The token covering each character of the original text (None: kept)."""
    tokens: list[str | None] = [None] * length
    for r in redaction.replacements:
        for i in range(r.start, r.end):
            tokens[i] = r.token
    return tokens


def _survival(item) -> tuple[int, int]:
    plain = kept = 0
    for key, text in item.app.sections.items():
        identifier = set()
        for p in item.app.planted:
            if p.section == key:
                identifier.update(range(p.start, p.end))
        tokens = _covered(item.redactions[key], len(text))
        for i in range(len(text)):
            if i not in identifier:
                plain += 1
                kept += tokens[i] is None
    return plain, kept


def test_corpus_is_large_seeded_and_varied(corpus):
    assert len(corpus) == SIZE >= 30
    again = build_corpus()
    assert [a.sections for a in again] == [a.sections for a in corpus]
    hows = Counter(p.how for a in corpus for p in a.planted)
    for how in (
        "heading",
        "table",
        "declared",
        "derived",
        "line-break",
        "fullwidth",
        "traditional",
        "spaced",
        "after-you",
        "after-contact",
        "after-head",
        "ner",
        "term",
        "at",
        "zone",
    ):
        assert hows[how] >= SIZE // 2, how
    kinds = {p.kind for a in corpus for p in a.planted}
    assert kinds == set(TOKENS)
    assert any("\t" in text for text in corpus[0].sections.values())


def test_no_leak_after_redaction(redacted_corpus):
    leaks = [
        leak for item in redacted_corpus for leak in scan_sections(item.texts(), item.scan_identity)
    ]
    assert leaks == []


def test_no_leak_with_the_plain_identity_either(redacted_corpus):
    leaks = [
        leak for item in redacted_corpus for leak in scan_sections(item.texts(), item.app.identity)
    ]
    assert leaks == []


def test_every_planted_identifier_is_replaced_by_its_token(redacted_corpus):
    wrong = []
    for item in redacted_corpus:
        for p in item.app.planted:
            text = item.app.sections[p.section]
            tokens = _covered(item.redactions[p.section], len(text))
            for i in range(p.start, p.end):
                if not text[i].isspace() and tokens[i] != TOKENS[p.kind]:
                    wrong.append((item.app.index, p.kind, p.how, text[p.start : p.end]))
                    break
    assert wrong == []


def test_over_redaction_is_bounded(redacted_corpus):
    totals = [_survival(item) for item in redacted_corpus]
    plain = sum(t[0] for t in totals)
    kept = sum(t[1] for t in totals)
    assert plain > 50_000
    assert kept / plain >= MIN_SURVIVAL
    assert min(k / p for p, k in totals) >= MIN_SURVIVAL_ONE


def test_technical_content_survives(redacted_corpus):
    for item in redacted_corpus:
        redacted = "\n".join(item.texts().values())
        for term in TECHNICAL:
            assert term in redacted, (item.app.index, term)
        assert "SCADA" in redacted or "OPC UA" in redacted or "PLM" in redacted


def test_replacements_point_into_the_original(redacted_corpus):
    sources = Counter()
    for item in redacted_corpus:
        for key, redaction in item.redactions.items():
            text = item.app.sections[key]
            for r in redaction.replacements:
                assert text[r.start : r.end] == r.original
                assert r.section == key
                assert r.token in TOKENS.values()
                sources[r.source] += 1
            rebuilt, pos = [], 0
            for r in redaction.replacements:
                rebuilt += [text[pos : r.start], r.token]
                pos = r.end
            rebuilt.append(text[pos:])
            assert "".join(rebuilt) == redaction.text
    assert {"known", "pattern", "ner", "term"} <= set(sources)


def test_allowed_terms_are_kept(redacted_corpus):
    with_allowed = [i for i in redacted_corpus if i.app.identity.allowed_terms]
    assert with_allowed
    for item in with_allowed:
        redacted = "\n".join(item.texts().values())
        assert UNIVERSITY in redacted


def test_extra_terms_are_redacted(redacted_corpus):
    for item in redacted_corpus:
        redacted = "\n".join(item.texts().values())
        replaced = [
            r
            for redaction in item.redactions.values()
            for r in redaction.replacements
            if r.source == "term"
        ]
        for term in item.app.identity.extra_terms:
            assert term not in redacted
            assert any(r.original == term and r.token == TOKENS["enterprise"] for r in replaced)
