"""Expert packets: one anonymised section as .docx with nothing about its origin.

The document is built fresh (never a copy of the applicant's file), so it carries no images,
comments, tracked changes, headers or footers from the source. Core properties are emptied and
the extended properties part (docProps/app.xml: company, template, application) is removed.
"""

import io
import re
import threading
import zipfile
from datetime import datetime

from docx import Document
from docx.opc.pkgwriter import PackageWriter
from docx.shared import Pt

EPOCH = datetime(2000, 1, 1)
# Parts that python-docx's default template carries and a packet does not need.
_DROPPED = re.compile(r"^(docProps/(?!core\.xml$).*|customXml/.*)$")
_REL = re.compile(rb'<Relationship [^>]*Target="([^"]+)"[^>]*/>')
_OVERRIDE = re.compile(rb'<Override [^>]*PartName="/([^"]+)"[^>]*/>')


def packet_filename(code: str, section_title: str) -> str:
    return f"{code}-{section_title}.docx"


def section_packet(code: str, track_name: str, section_title: str, text: str) -> bytes:
    """The .docx an expert downloads for one assignment."""
    doc = _blank()
    body = doc.element.body
    try:
        # add_heading(level=1) without looking the style up by name among all styles
        doc.add_paragraph(f"{code} · {section_title}")._p.style = "Heading1"
        doc.add_paragraph(f"{track_name} · 匿名评审材料（请勿外传）")
        for line in (text or "").split("\n"):
            doc.add_paragraph(line)
        return _package(doc)
    finally:
        for child in body[:-1]:  # back to the blank document: only its section properties
            body.remove(child)


def _blank():
    """This thread's blank packet document: python-docx's default template with the packet's
    font size and empty core properties, parsed once and emptied again after each packet
    (parsing the template was a third of a packet's time)."""
    doc = getattr(_LOCAL, "doc", None)
    if doc is None:
        doc = Document()
        style = doc.styles["Normal"]
        style.font.size = Pt(12)
        props = doc.core_properties
        for name in ("author", "title", "subject", "keywords", "comments", "category",
                     "last_modified_by", "content_status", "identifier", "language", "version"):  # fmt: skip
            setattr(props, name, "")
        props.revision = 1
        props.created = props.modified = EPOCH
        props.last_printed = EPOCH
        _LOCAL.doc = doc
    return doc


_LOCAL = threading.local()


class _Members:
    """Stands in for python-docx's zip writer: keeps each (member name, bytes) in the order
    ``Document.save`` writes them."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:
        self.items.append((pack_uri.membername, blob))


def _package(doc) -> bytes:
    """The document zipped as ``Document.save`` would (same members, same order), without the
    extended and custom properties, the thumbnail and custom XML and references to them; every
    member dated 2000-01-01. One compression instead of a save and a rewrite."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in _members(doc):
            if _DROPPED.match(name):
                continue
            if name.endswith(".rels"):
                content = _REL.sub(lambda m: b"" if _dropped(m.group(1)) else m.group(0), content)
            elif name == "[Content_Types].xml":
                content = _OVERRIDE.sub(
                    lambda m: b"" if _dropped(m.group(1)) else m.group(0), content
                )
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16  # as ZipFile.writestr gives a member it names
            target.writestr(info, content)
    return out.getvalue()


def _members(doc) -> list[tuple[str, bytes]]:
    """The document's (member name, bytes) as ``Document.save`` writes them. Only the main
    document part changes from one packet to the next (the blank document's styles, settings,
    theme, properties and relationships stay as they are): the others are serialised once per
    thread and kept."""
    main = doc.part.partname.membername
    kept = getattr(_LOCAL, "members", None)
    if kept is None:
        package = doc.part.package
        parts = package.parts
        for part in parts:
            part.before_marshal()
        members = _Members()
        PackageWriter._write_content_types_stream(members, parts)  # noqa: SLF001 - save's steps
        PackageWriter._write_pkg_rels(members, package.rels)  # noqa: SLF001
        PackageWriter._write_parts(members, parts)  # noqa: SLF001
        kept = _LOCAL.members = members.items
    return [(name, doc.part.blob if name == main else blob) for name, blob in kept]


def _dropped(target: bytes) -> bool:
    name = target.decode().lstrip("/").removeprefix("../")
    return bool(_DROPPED.match(name))
