"""Expert packets: one anonymised section as .docx with nothing about its origin.

The document is built fresh (never a copy of the applicant's file), so it carries no images,
comments, tracked changes, headers or footers from the source. Core properties are emptied and
the extended properties part (docProps/app.xml: company, template, application) is removed.
"""

import io
import re
import zipfile
from datetime import datetime

from docx import Document
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
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    doc.add_heading(f"{code} · {section_title}", level=1)
    doc.add_paragraph(f"{track_name} · 匿名评审材料（请勿外传）")
    for line in (text or "").split("\n"):
        doc.add_paragraph(line)
    props = doc.core_properties
    for name in ("author", "title", "subject", "keywords", "comments", "category",
                 "last_modified_by", "content_status", "identifier", "language", "version"):  # fmt: skip
        setattr(props, name, "")
    props.revision = 1
    props.created = props.modified = EPOCH
    props.last_printed = EPOCH
    buffer = io.BytesIO()
    doc.save(buffer)
    return _strip_parts(buffer.getvalue())


def _dropped(target: bytes) -> bool:
    name = target.decode().lstrip("/").removeprefix("../")
    return bool(_DROPPED.match(name))


def _strip_parts(data: bytes) -> bytes:
    """Drop extended and custom properties, the thumbnail and custom XML, with references."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if _DROPPED.match(info.filename):
                continue
            content = source.read(info.filename)
            if info.filename.endswith(".rels"):
                content = _REL.sub(lambda m: b"" if _dropped(m.group(1)) else m.group(0), content)
            elif info.filename == "[Content_Types].xml":
                content = _OVERRIDE.sub(
                    lambda m: b"" if _dropped(m.group(1)) else m.group(0), content
                )
            info.date_time = (2000, 1, 1, 0, 0, 0)
            target.writestr(info, content)
    return out.getvalue()
