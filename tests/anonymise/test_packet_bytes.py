"""The expert packet is built from one reused blank document and zipped once; its bytes are
those of the former build (a fresh ``Document()``, ``save``, then the parts rewritten without
the extended properties), kept here as the reference."""

import io
import re
import threading
import zipfile

import pytest
from docx import Document
from docx.shared import Pt

from review_app.anonymise.packet import EPOCH, section_packet

_DROPPED = re.compile(r"^(docProps/(?!core\.xml$).*|customXml/.*)$")
_REL = re.compile(rb'<Relationship [^>]*Target="([^"]+)"[^>]*/>')
_OVERRIDE = re.compile(rb'<Override [^>]*PartName="/([^"]+)"[^>]*/>')


def _dropped(target: bytes) -> bool:
    return bool(_DROPPED.match(target.decode().lstrip("/").removeprefix("../")))


def reference_packet(code: str, track_name: str, section_title: str, text: str) -> bytes:
    doc = Document()
    doc.styles["Normal"].font.size = Pt(12)
    doc.add_heading(f"{code} · {section_title}", level=1)
    doc.add_paragraph(f"{track_name} · 匿名评审材料（请勿外传）")
    for line in (text or "").split("\n"):
        doc.add_paragraph(line)
    props = doc.core_properties
    for name in ("author", "title", "subject", "keywords", "comments", "category",
                 "last_modified_by", "content_status", "identifier", "language", "version"):  # fmt: skip
        setattr(props, name, "")
    props.revision = 1
    props.created = props.modified = props.last_printed = EPOCH
    buffer = io.BytesIO()
    doc.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
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


CASES = [
    ("A001", "卓越级", "企业概况", ""),
    ("A001", "卓越级", "企业概况", "一行"),
    ("B-17", "领航级", "一、建设 & 成效 <x>", "第一段\n\n  第二段 有空格 \t制表\n末尾空行\n"),
    ("C9", "卓越级", "章节", "A&B <x> \"q\" 'a'\n" * 3 + "零宽\u200b字符"),
    ("D2", "卓越级", "长章节", "\n".join("建设内容" * (n % 37 + 1) for n in range(60))),
]


def test_packets_are_byte_identical_to_the_former_build():
    for case in CASES:
        assert section_packet(*case) == reference_packet(*case), case
    # the reused document is emptied after each packet: the same packet again, in any order
    for case in reversed(CASES):
        assert section_packet(*case) == reference_packet(*case), case


def test_a_failed_packet_leaves_the_blank_document_clean():
    assert section_packet("A1", "卓越级", "章节", None) == reference_packet(
        "A1", "卓越级", "章节", None
    )
    with pytest.raises(ValueError):  # a control character: lxml refuses it, as it did before
        section_packet("A1", "卓越级", "章节", "第一行\n第二行\x0b")
    assert section_packet(*CASES[1]) == reference_packet(*CASES[1])


def test_each_thread_builds_its_own_packets():
    results: dict[int, list[bytes]] = {}

    def build(n: int) -> None:
        results[n] = [section_packet(*case) for case in CASES]

    threads = [threading.Thread(target=build, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = [reference_packet(*case) for case in CASES]
    assert all(found == expected for found in results.values())
