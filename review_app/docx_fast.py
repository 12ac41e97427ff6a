"""Writing Word documents faster, with the same XML and the same zip bytes as python-docx.

* ``add_run`` / ``BodyWriter``: paragraphs and runs built as lxml elements. python-docx's
  ``Run.text`` goes character by character and every ``add_paragraph`` searches the body for the
  place before the section properties; the elements written here are the same.
* ``PrepackedZip``: a ``zipfile.ZipFile`` that writes members whose deflated bytes are already
  known (the styles and the other parts that are the same in every document of a kind: the
  default template's ``styles.xml`` and ``stylesWithEffects.xml`` are 800 KB of XML, most of a
  small document's compression time). The bytes are what zipfile would have produced: the same
  deflate stream (``deflated``), the same CRC and sizes, the same headers.
"""

import io
import re
import zipfile
import zlib

from docx.opc.pkgwriter import PackageWriter
from docx.oxml.ns import qn
from lxml import etree

W_P, W_R, W_T, W_PPR, W_PSTYLE = (qn(t) for t in ("w:p", "w:r", "w:t", "w:pPr", "w:pStyle"))
W_TAB, W_BR, W_VAL, XML_SPACE = qn("w:tab"), qn("w:br"), qn("w:val"), qn("xml:space")
_RUN_BREAKS = re.compile(r"([\t\r\n])")


def add_run(p, text: str | None) -> None:
    """``Paragraph.add_run(text)`` on the ``w:p`` element ``p``: a ``w:r`` (empty for no text)
    holding a ``w:t`` for each stretch of text, ``w:tab`` for a tab and ``w:br`` for a line break
    (``\\n`` or ``\\r``), ``xml:space="preserve"`` on a ``w:t`` that starts or ends with white
    space: what python-docx's run-content appender writes."""
    r = etree.SubElement(p, W_R)
    if not text:
        return
    pieces = _RUN_BREAKS.split(text) if ("\t" in text or "\r" in text or "\n" in text) else (text,)
    for piece in pieces:
        if piece == "\t":
            etree.SubElement(r, W_TAB)
        elif piece in ("\r", "\n"):
            etree.SubElement(r, W_BR)
        elif piece:
            t = etree.SubElement(r, W_T)
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(XML_SPACE, "preserve")


class BodyWriter:
    """Appends to a document's body as ``doc.add_paragraph(text, style)`` does: before the
    closing section properties (``w:sectPr``, the body's last child)."""

    def __init__(self, doc) -> None:
        self.body = doc.element.body
        self.end = self.body[-1]

    def element(self, el) -> None:
        self.end.addprevious(el)

    def paragraph(self, text: str | None, style_id: str | None = None) -> None:
        """A paragraph with ``text`` in one run (none for empty text), styled by id."""
        p = self.body.makeelement(W_P)
        if style_id is not None:
            etree.SubElement(etree.SubElement(p, W_PPR), W_PSTYLE).set(W_VAL, style_id)
        if text:
            add_run(p, text)
        self.end.addprevious(p)


def deflated(data: bytes) -> bytes:
    """``data`` deflated as ``zipfile`` deflates a member written with ``writestr`` (the default
    level, a raw stream, one ``compress`` call and a ``flush``)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Ready:
    """Stands in for the member's compressor: hands out the deflated bytes once."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def compress(self, _raw) -> bytes:
        out, self.data = self.data, b""
        return out

    def flush(self) -> bytes:
        return b""


class PrepackedZip(zipfile.ZipFile):
    """A zip being written in which the members named in ``ready`` (name -> ``deflated(data)``
    of the very data written under that name) are not compressed again. zipfile still computes
    each member's CRC and sizes from the data written, so a member written with other data than
    its ready bytes were made from would be a corrupt zip: the callers keep both together."""

    def __init__(self, file, ready: dict[str, bytes]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.ready = ready

    def _open_to_write(self, zinfo, force_zip64=False):
        dest = super()._open_to_write(zinfo, force_zip64)
        ready = self.ready.get(zinfo.filename)
        if ready is not None and zinfo.compress_type == zipfile.ZIP_DEFLATED:
            dest._compressor = _Ready(ready)  # noqa: SLF001 - the writer's own compressor slot
        return dest


class _Members:
    """Stands in for python-docx's zip writer: keeps each (member name, bytes) in the order
    ``Document.save`` writes them."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.items.append((pack_uri.membername, blob))


def members(doc, holder) -> list[tuple[str, bytes]]:
    """The document's (member name, bytes) as ``Document.save`` writes them. ``doc`` is a
    document kept (in ``holder``, a thread's namespace) and refilled for each document of its
    kind, in which only the main document part changes: the other parts (styles, settings, theme,
    properties, relationships, content types) are serialised on the first call and kept in
    ``holder.members``."""
    main = doc.part.partname.membername
    kept = getattr(holder, "members", None)
    if kept is None:
        package = doc.part.package
        parts = package.parts
        for part in parts:
            part.before_marshal()
        writer = _Members()
        PackageWriter._write_content_types_stream(writer, parts)  # noqa: SLF001 - save's steps
        PackageWriter._write_pkg_rels(writer, package.rels)  # noqa: SLF001
        PackageWriter._write_parts(writer, parts)  # noqa: SLF001
        kept = holder.members = writer.items
    return [(name, doc.part.blob if name == main else blob) for name, blob in kept]


def save(doc, holder) -> bytes:
    """``doc.save(stream)``'s bytes for a document kept in ``holder`` as ``members`` says: the
    same members in the same order, each dated now as ``ZipFile.writestr`` dates it; the kept
    parts are deflated once (``holder.ready``)."""
    items = members(doc, holder)
    ready = getattr(holder, "ready", None)
    if ready is None:
        main = doc.part.partname.membername
        ready = holder.ready = {name: deflated(blob) for name, blob in items if name != main}
    out = io.BytesIO()
    with PrepackedZip(out, ready) as target:
        for name, blob in items:
            target.writestr(name, blob)
    return out.getvalue()
