"""The stamped 申报书 (PDF) against the Word file: a similarity figure and the passages that
differ. Pure: texts in, ``Comparison`` out.

Both texts are cut into sentences and normalised (NFKC, no spaces or
punctuation, so line breaks and full-width forms of a PDF's text layer do not count); the
passage sequences are matched with difflib. Similarity = 2 × matched characters / all
characters. A PDF whose text layer holds almost nothing is a scan: no figure, compare by hand.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from io import BytesIO

import docx

from ..intake.docx_blocks import Paragraph, Table, iter_blocks

# A text layer shorter than this share of the Word text (or than MIN_CHARS) is a scan.
SCANNED_SHARE = 0.1
MIN_CHARS = 50
MAX_DIFFERENCES = 30
PASSAGE_CHARS = 300  # a differing passage is shown up to this length
_SPLIT = re.compile(r"(?<=[。！？；!?;])")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class Comparison:
    scanned: bool
    similarity: float | None  # 0..1, None for a scan
    differences: list[dict] = field(default_factory=list)  # {"word": ..., "pdf": ...}


def docx_text(data: bytes) -> str:
    """The visible text of a .docx in reading order (paragraphs, then table cells row by row)."""
    lines = []
    for block in iter_blocks(docx.Document(BytesIO(data))):
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines += [cell for row in block.texts() for cell in row]
    return "\n".join(lines)


def compare_with_word_file(word_data: bytes, pdf_text: str) -> Comparison:
    """``compare(docx_text(word_data), pdf_text)``; a text layer too short for any comparison
    (a scan, ``MIN_CHARS``) is told without opening the Word file."""
    if sum(len(key) for key, _ in passages(pdf_text)) < MIN_CHARS:
        return Comparison(scanned=True, similarity=None)
    return compare(docx_text(word_data), pdf_text)


def _key(passage: str) -> str:
    return _DROP.sub("", unicodedata.normalize("NFKC", passage))


def passages(text: str) -> list[tuple[str, str]]:
    """(normalised key, original text) of each sentence. Line breaks are dropped first: a PDF's
    text layer breaks lines anywhere, so only sentence ends (。！？；) cut passages on both sides."""
    joined = re.sub(r"\s*\n\s*", "", text or "")
    out = []
    for raw in _SPLIT.split(joined):
        key = _key(raw)
        if key:
            out.append((key, raw.strip()))
    return out


def _shown(items: list[tuple[str, str]]) -> str:
    text = "".join(original for _, original in items)
    return text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS] + "…"


def compare(word_text: str, pdf_text: str) -> Comparison:
    """How far the PDF's text layer says what the Word file says."""
    word, pdf = passages(word_text), passages(pdf_text)
    word_chars, pdf_chars = sum(len(k) for k, _ in word), sum(len(k) for k, _ in pdf)
    if pdf_chars < MIN_CHARS or pdf_chars < SCANNED_SHARE * word_chars:
        return Comparison(scanned=True, similarity=None)
    a, b = word, pdf
    matcher = SequenceMatcher(None, [k for k, _ in a], [k for k, _ in b], autojunk=False)
    matched, differences = 0, []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            matched += sum(len(k) for k, _ in a[i1:i2])
        elif len(differences) < MAX_DIFFERENCES:
            differences.append({"word": _shown(a[i1:i2]), "pdf": _shown(b[j1:j2])})
    total = sum(len(k) for k, _ in a) + sum(len(k) for k, _ in b)
    return Comparison(False, round(2 * matched / total, 4) if total else 1.0, differences)
