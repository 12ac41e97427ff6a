"""Text that does not count as shared: the form's own wording (pure).

Two applications that both left the notice's instruction line under a heading, or repeat the
form's headings, share nothing of their own. The form's texts (``intake.layout``: headings,
instruction lines, notes, the 真实性承诺) are normalised; a character of a section that lies in
a run of ``FORM_GRAM`` characters also found in the form is masked (it cannot be part of a
shared passage, and does not count in the section's length). Common technical terms are left
out earlier, by the normaliser's stoplist (``data/similarity_terms.txt``).
"""

from functools import cache

from ..applications.catalogue import SECTIONS
from ..intake.layout import (
    OVERVIEW_NOTE,
    PARTS,
    PROFILE_INSTRUCTION,
    PROMISE,
    SUBPART_INTROS,
    SUBPARTS,
    all_instructions,
    layout,
)
from .normalise import normalise, sentences

FORM_GRAM = 8
MASK_A, MASK_B = "\x00", "\x01"  # different in the two texts of a pair: masks never match


def form_texts() -> list[str]:
    """Every text of the blank form that may end up inside a section."""
    texts = [PROFILE_INSTRUCTION, OVERVIEW_NOTE, PROMISE, *SUBPART_INTROS.values()]
    texts += all_instructions()
    texts += ["".join(p) for p in PARTS.values()] + ["".join(p) for p in SUBPARTS.values()]
    texts += [s.title for s in SECTIONS]
    for track in ("excellent", "leading"):
        texts += [heading for kind, _, heading in layout(track) if kind == "section"]
    return texts


@cache
def _form(terms: tuple[str, ...]) -> tuple[frozenset[str], str, frozenset[str]]:
    normalised = [normalise(t, terms) for t in form_texts()]
    grams = {n[i : i + FORM_GRAM] for n in normalised for i in range(len(n) - FORM_GRAM + 1)}
    whole = "\x02".join(normalised)
    form_sentences = {s for t in form_texts() for s in sentences(t, terms)}
    return frozenset(grams), whole, frozenset(form_sentences)


def mask_form(norm: str, terms: tuple[str, ...]) -> str:
    """``norm`` with the characters that come from the form replaced by ``MASK_A``."""
    grams, whole, _ = _form(terms)
    if len(norm) < FORM_GRAM:
        return MASK_A * len(norm) if norm in whole else norm
    masked = bytearray(len(norm))
    for i in range(len(norm) - FORM_GRAM + 1):
        if norm[i : i + FORM_GRAM] in grams:
            masked[i : i + FORM_GRAM] = b"\x01" * FORM_GRAM
    if not any(masked):
        return norm
    return "".join(MASK_A if m else c for c, m in zip(norm, masked, strict=True))


def is_form_sentence(sentence: str, terms: tuple[str, ...]) -> bool:
    """A normalised sentence that is (part of) the form's wording."""
    _, whole, form_sentences = _form(terms)
    return sentence in form_sentences or sentence in whole
