"""``docx_fast``: runs and paragraphs as python-docx writes them, and a zip whose members'
deflated bytes were made beforehand that is byte for byte the zip ``zipfile`` writes."""

import io
import zipfile

import pytest
from docx import Document
from lxml import etree

from review_app.docx_fast import BodyWriter, PrepackedZip, add_run, deflated

TEXTS = [
    "",
    "一行",
    " 前后空格 ",
    "制表\t符",
    "换行\n回车\r混合\r\n",
    "\t",
    "\n\n",
    'a&b <x> "q"',
    "末尾 ",
]


def _xml(doc) -> bytes:
    return etree.tostring(doc.element.body)


def test_paragraphs_and_runs_are_python_docx_s():
    ours, theirs = Document(), Document()
    writer = BodyWriter(ours)
    for text in TEXTS:
        writer.paragraph(text)
        writer.paragraph(text, "Heading1")
        theirs.add_paragraph(text)
        theirs.add_paragraph(text)._p.style = "Heading1"
        p_ours, p_theirs = ours.add_paragraph(), theirs.add_paragraph()
        add_run(p_ours._p, text)
        p_theirs.add_run(text)
    assert _xml(ours) == _xml(theirs)


def test_a_control_character_is_refused_as_python_docx_refuses_it():
    with pytest.raises(ValueError):
        Document().add_paragraph("x\x0by")
    with pytest.raises(ValueError):
        BodyWriter(Document()).paragraph("x\x0by")


def test_prepacked_members_give_the_bytes_zipfile_writes():
    members = [("a.xml", b"<a/>" * 5000), ("b/c.xml", "中文".encode() * 300), ("empty", b"")]
    ready = {name: deflated(data) for name, data in members[:2]}  # "empty" compressed as usual
    packed = io.BytesIO()
    with PrepackedZip(packed, ready) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    assert packed.getvalue() == plain_zip.getvalue()
    with zipfile.ZipFile(io.BytesIO(packed.getvalue())) as z:
        assert z.testzip() is None
        assert [z.read(name) for name, _ in members] == [data for _, data in members]
