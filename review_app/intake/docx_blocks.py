"""The body of a .docx as simple blocks, in document order: paragraphs and tables interleaved.

python-docx's ``paragraph.text`` misses text in content controls (``w:sdt``), text boxes
(``w:txbxContent``) and tracked insertions (``w:ins``), and ``table.rows[i].cells`` repeats a
horizontally merged cell. This module walks the XML itself: it descends into ``w:sdtContent``,
``w:customXml``, ``w:ins``/``w:moveTo`` and text boxes (once: the VML fallback copy of a text box
is skipped), drops deleted text (``w:del``, ``w:moveFrom``), and lists each table cell once, with
its grid column, skipping the continuation cells of a vertical merge.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.styles.style import StyleFactory

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = f"{{{W_NS}}}"
_VAL = f"{W}val"
_TYPE = f"{W}type"
_STYLE_ID = f"{W}styleId"
_STYLE_KINDS = ("paragraph", "character", "table", "numbering")  # w:style/@w:type
_KIND_NAMES = {WD_STYLE_TYPE.PARAGRAPH: "paragraph", WD_STYLE_TYPE.CHARACTER: "character"}

# Containers whose children are read as if they stood in the parent.
_TRANSPARENT = {f"{W}customXml", f"{W}ins", f"{W}moveTo", f"{W}smartTag", f"{W}hyperlink"}
# Subtrees that hold no visible text of the document.
_SKIP = {
    f"{W}del",
    f"{W}moveFrom",
    f"{W}delText",
    f"{W}instrText",
    f"{W}pPr",
    f"{W}rPr",
    f"{W}sdtPr",
    f"{W}sdtEndPr",
    f"{{{MC_NS}}}Fallback",  # the VML copy of what mc:Choice already holds
}
_TXBX = f"{W}txbxContent"
_RPR, _RFONTS = f"{W}rPr", f"{W}rFonts"

# Symbol fonts: the character codes people use for check boxes, as the glyph they show.
_SYMBOL_GLYPHS = {
    "wingdings 2": {0x52: "☑", 0x54: "☒", 0x53: "☒", 0x51: "☒", 0x50: "✓", 0xA3: "□", 0xA2: "□"},
    "wingdings": {0xFE: "☑", 0xFD: "☒", 0xFC: "✓", 0xA8: "□", 0x6F: "□", 0x71: "□", 0x6E: "■"},
}
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's visible text and what makes it look like a heading.

    ``is_heading_level`` is the heading level (1-9) given by the style (Heading N, 标题 N, a
    style based on one) or the outline level, None for body text; ``is_numbered`` says the
    paragraph carries automatic list numbering (``w:numPr``), which is not part of ``text``.
    """

    text: str
    style_name: str | None = None
    is_bold: bool = False
    is_heading_level: int | None = None
    is_numbered: bool = False


@dataclass(frozen=True)
class Cell:
    """One table cell, listed once however many grid columns it spans."""

    text: str  # its paragraphs joined with "\n"
    col: int  # first grid column
    span: int = 1  # grid columns covered


@dataclass(frozen=True)
class Table:
    """A table's rows of cells; continuation cells of a vertical merge are left out."""

    rows: list[list[Cell]] = field(default_factory=list)

    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]


Block = Paragraph | Table


@dataclass(frozen=True)
class _StyleInfo:
    name: str | None
    heading_level: int | None
    bold: bool | None
    numbered: bool


def iter_blocks(document: DocxDocument) -> Iterator[Block]:
    """The document body's blocks in reading order."""
    styles = _style_table(document)
    yield from _blocks(document.element.body, styles)


def _blocks(parent, styles: "_StyleTable") -> Iterator[Block]:
    for child in parent:
        tag = child.tag
        if tag == f"{W}p":
            yield _paragraph(child, styles)
            for box in _text_boxes(child):
                yield from _blocks(box, styles)
        elif tag == f"{W}tbl":
            yield _table(child, styles)
        elif tag == f"{W}sdt":
            content = _sdt_content(child)
            if content is not None:
                yield from _blocks(content, styles)
        elif tag in _TRANSPARENT:
            yield from _blocks(child, styles)


def _sdt_content(sdt):
    """A content control's content, or None while it shows its placeholder prompt
    ("单击或点击此处输入文字。"), which is not the applicant's text."""
    if sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is not None:
        return None
    return sdt.find(f"{W}sdtContent")


# -- paragraphs ---------------------------------------------------------------------------------


def _paragraph(p, styles: "_StyleTable") -> Paragraph:
    ppr = p.find(f"{W}pPr")
    style = styles.get(_child_val(ppr, "pStyle") or "") or styles.get("")
    level = style.heading_level if style else None
    outline = _child_val(ppr, "outlineLvl")
    if outline is not None and outline.isdigit() and int(outline) < 9:
        level = int(outline) + 1
    numbered = (ppr is not None and ppr.find(f"{W}numPr") is not None) or bool(
        style and style.numbered
    )
    parts: list[str] = []
    bold_flags: list[bool] = []
    _collect(p, parts, bold_flags, styles, bool(style and style.bold))
    return Paragraph(
        text="".join(parts),
        style_name=style.name if style else None,
        is_bold=bool(bold_flags) and all(bold_flags),
        is_heading_level=level,
        is_numbered=numbered,
    )


def _collect(el, parts: list[str], bold_flags: list[bool], styles, para_bold: bool) -> None:
    """Append the visible text under ``el`` (not text boxes) and each run's boldness."""
    for child in el:
        tag = child.tag
        if tag in _SKIP or tag == _TXBX:
            continue
        if tag == f"{W}sdt":
            content = _sdt_content(child)
            if content is not None:
                _collect(content, parts, bold_flags, styles, para_bold)
        elif tag == f"{W}r":
            text = _run_text(child)
            parts.append(text)
            if text.strip():
                bold_flags.append(_run_bold(child, styles, para_bold))
        elif isinstance(tag, str):
            _collect(child, parts, bold_flags, styles, para_bold)


def _run_text(r) -> str:
    font = _symbol_font(r)
    out = []
    for child in r:
        tag = child.tag
        if tag == f"{W}t":
            text = child.text or ""
            out.append(_map_symbols(text, font) if font else text)
        elif tag == f"{W}tab":
            out.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            out.append("\n")
        elif tag == f"{W}noBreakHyphen":
            out.append("-")
        elif tag == f"{W}sym":
            sym_font = (child.get(f"{W}font") or "").lower()
            char = child.get(f"{W}char") or ""
            if re.fullmatch(r"[0-9A-Fa-f]{1,4}", char):
                out.append(_map_symbols(chr(int(char, 16)), sym_font))
    return "".join(out)


def _symbol_font(r) -> str | None:
    # r.find("w:rPr/w:rFonts") without the path: lxml compiles a path on every call
    fonts = next((f for rpr in r.iterchildren(_RPR) for f in rpr.iterchildren(_RFONTS)), None)
    if fonts is None:
        return None
    for value in fonts.attrib.values():
        name = value.lower()
        if name in _SYMBOL_GLYPHS:
            return name
    return None


def _map_symbols(text: str, font: str) -> str:
    table = _SYMBOL_GLYPHS.get(font, {})
    out = []
    for ch in text:
        code = ord(ch)
        code = code - 0xF000 if 0xF000 <= code <= 0xF0FF else code
        out.append(table.get(code, ch))
    return "".join(out)


def _run_bold(r, styles: "_StyleTable", para_bold: bool) -> bool:
    rpr = r.find(f"{W}rPr")
    if rpr is not None:
        b = rpr.find(f"{W}b")
        if b is not None:
            return _on(b)
        char_style = styles.get(_child_val(rpr, "rStyle") or "")
        if char_style is not None and char_style.bold is not None:
            return char_style.bold
    return para_bold


def _text_boxes(p) -> Iterator:
    """The outermost text-box contents inside paragraph ``p``, each once."""
    if p.find(f".//{_TXBX}") is None:  # most paragraphs hold none: one search in C
        return
    stack = list(p)
    while stack:
        el = stack.pop(0)
        if el.tag == f"{{{MC_NS}}}Fallback":
            continue  # the VML copy of the same text box
        if el.tag == _TXBX:
            yield el
            continue
        stack[0:0] = list(el)


# -- tables -------------------------------------------------------------------------------------


def _table(tbl, styles: "_StyleTable") -> Table:
    rows = []
    for tr in _children(tbl, f"{W}tr"):
        trpr = tr.find(f"{W}trPr")
        if trpr is not None and trpr.find(f"{W}del") is not None:
            continue  # a row deleted with track changes on
        col = int(_child_val(trpr, "gridBefore") or 0)
        cells = []
        for tc in _children(tr, f"{W}tc"):
            tcpr = tc.find(f"{W}tcPr")
            span = int(_child_val(tcpr, "gridSpan") or 1)
            vmerge = tcpr.find(f"{W}vMerge") if tcpr is not None else None
            hmerge = tcpr.find(f"{W}hMerge") if tcpr is not None else None
            continued = (vmerge is not None and vmerge.get(_VAL) != "restart") or (
                hmerge is not None and hmerge.get(_VAL) != "restart"
            )
            if not continued:
                cells.append(Cell(_cell_text(tc, styles), col, span))
            col += span
        rows.append(cells)
    return Table(rows)


def _children(parent, tag: str) -> Iterator:
    """Children with ``tag``, looking through content controls and custom XML around them."""
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in _TRANSPARENT:
            yield from _children(child, tag)


def _cell_text(tc, styles: "_StyleTable") -> str:
    lines = []
    for block in _blocks(tc, styles):
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            lines.extend("\t".join(c.text.replace("\n", " ") for c in row) for row in block.rows)
    return "\n".join(lines)


# -- styles -------------------------------------------------------------------------------------


class _StyleTable:
    """Paragraph and character styles by id (the default paragraph style also under ""), each
    resolved on first use: a template defines dozens of styles, a document uses a few."""

    def __init__(self, raw: dict, default: str | None):
        self._raw = raw
        self._default = default
        self._resolved: dict[str, _StyleInfo] = {}

    def get(self, style_id: str, fallback=None) -> _StyleInfo | None:
        if style_id == "" and self._default is not None:
            style_id = self._default
        info = self._resolved.get(style_id)
        if info is None:
            if style_id not in self._raw:
                return fallback
            info = self._resolved[style_id] = _resolve(style_id, self._raw)
        return info


def _style_table(document: DocxDocument) -> _StyleTable:
    """Paragraph and character styles by id (the default paragraph style also under "").

    Reads the ``w:style`` elements' attributes directly (python-docx builds an object and
    converts attributes for each of the template's styles); a style whose type is missing or
    unknown goes through python-docx, which refuses it as reading ``document.styles`` did."""
    raw = {}
    for el in document.styles.element.style_lst:
        kind = el.get(_TYPE)
        if kind not in _STYLE_KINDS:  # python-docx raises here, as iterating its styles did
            kind = _KIND_NAMES.get(StyleFactory(el).type, "")
        if kind not in ("paragraph", "character"):
            continue
        raw[el.get(_STYLE_ID)] = el
    default = next((sid for sid, el in raw.items() if el.get(f"{W}default") in ("1", "true")), None)
    if default is not None and raw[default].get(_TYPE) != "paragraph":
        default = None
    return _StyleTable(raw, default)


def _resolve(style_id: str, raw: dict) -> _StyleInfo:
    """Name, heading level, boldness and numbering, following ``basedOn`` (at most 10 deep)."""
    name = StyleFactory(raw[style_id]).name
    level, bold, numbered = None, None, False
    seen = 0
    current: str | None = style_id
    while current in raw and seen < 10:
        el = raw[current]
        ppr = el.find(f"{W}pPr")
        if level is None:
            match = _HEADING_NAME.match((StyleFactory(el).name or "").strip())
            outline = _child_val(ppr, "outlineLvl")
            if match:
                level = int(match.group(1))
            elif outline is not None and outline.isdigit() and int(outline) < 9:
                level = int(outline) + 1
        if bold is None:
            b = el.find(f"{W}rPr/{W}b")
            bold = _on(b) if b is not None else None
        numbered = numbered or (ppr is not None and ppr.find(f"{W}numPr") is not None)
        current = _child_val(el, "basedOn")
        seen += 1
    return _StyleInfo(name, level, bold, numbered)


def _child_val(parent, local: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(f"{W}{local}")
    return None if child is None else child.get(_VAL)


def _on(el) -> bool:
    return el.get(_VAL) not in ("0", "false", "off")
