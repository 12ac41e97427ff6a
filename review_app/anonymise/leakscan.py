"""Leak scan (泄密检查): the last check before a redacted section goes to an expert.

It looks in the REDACTED text for every known identifier of the application in all the variants
of identifiers.py / variants.py: characters separated by spaces, punctuation or line breaks,
full- or half-width, traditional characters, the USCC and phones with separators or full-width
digits, +86, e-mail written with (at) or ＠. The replacement tokens are masked first, so nothing
matches across or inside one; occurrences inside an allowed term are not leaks.
"""

from .identifiers import allowed_patterns, identifiers
from .redaction_types import Identity, Leak
from .variants import fold, mask_tokens

CONTEXT = 12  # characters shown either side of a leak


def scan(text: str, identity: Identity, section: str = "", known=None) -> list[Leak]:
    """Every occurrence of a known identifier left in ``text``, in text order (``known``:
    ``identifiers(identity)`` if the caller holds them already)."""
    if not text:
        return []
    folded = fold(mask_tokens(text))
    allowed = [(m.start(), m.end()) for p in allowed_patterns(identity) for m in p.finditer(folded)]
    found = []
    for ident in identifiers(identity) if known is None else known:
        for m in ident.pattern.finditer(folded):
            start, end = m.start(), m.end()
            if any(a <= start and end <= b for a, b in allowed):
                continue
            found.append((start, end, ident))
    leaks = []
    covered_until = -1
    for start, end, ident in sorted(found, key=lambda f: (f[0], -f[1])):
        if end <= covered_until:
            continue  # inside a longer leak already reported
        covered_until = max(covered_until, end)
        context = text[max(0, start - CONTEXT) : end + CONTEXT]
        leaks.append(Leak(section, start, text[start:end], ident.value, ident.kind, context))
    return leaks


def scan_sections(redacted: dict[str, str], identity: Identity) -> list[Leak]:
    """Leaks of all sections, section by section."""
    return [leak for key, text in redacted.items() for leak in scan(text, identity, key)]
