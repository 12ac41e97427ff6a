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
from docx.shared import Pt

from ..docx_fast import BodyWriter, PrepackedZip, deflated, members

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
        writer = BodyWriter(doc)  # doc.add_paragraph's elements, built directly
        writer.paragraph(f"{code} · {section_title}", "Heading1")
        writer.paragraph(f"{track_name} · 匿名评审材料（请勿外传）")
        for line in (text or "").split("\n"):
            writer.paragraph(line)
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


def _package(doc) -> bytes:
    """The document zipped as ``Document.save`` would (same members, same order), without the
    extended and custom properties, the thumbnail and custom XML and references to them; every
    member dated 2000-01-01. One compression instead of a save and a rewrite, and only the main
    document part's: the other members are the same in every packet (``docx_fast.members``),
    so they are filtered and deflated once per thread and their deflated bytes reused."""
    main = doc.part.partname.membername
    kept = getattr(_LOCAL, "packet_members", None)
    if kept is None:
        kept = []
        for name, content in members(doc, _LOCAL):
            if _DROPPED.match(name):
                continue
            if name.endswith(".rels"):
                content = _REL.sub(lambda m: b"" if _dropped(m.group(1)) else m.group(0), content)
            elif name == "[Content_Types].xml":
                content = _OVERRIDE.sub(
                    lambda m: b"" if _dropped(m.group(1)) else m.group(0), content
                )
            kept.append((name, None if name == main else content))
        _LOCAL.packet_members = kept
        _LOCAL.packet_ready = {name: deflated(c) for name, c in kept if c is not None}
    out = io.BytesIO()
    with PrepackedZip(out, _LOCAL.packet_ready) as target:
        for name, content in kept:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16  # as ZipFile.writestr gives a member it names
            target.writestr(info, doc.part.blob if content is None else content)
    return out.getvalue()


def _dropped(target: bytes) -> bool:
    name = target.decode().lstrip("/").removeprefix("../")
    return bool(_DROPPED.match(name))
