"""The generated 申报书 is written with the elements built directly, the basic table copied
from one empty table per thread and the unchanged parts deflated once (``docx_fast``); its
parts are those of the former build (python-docx's ``add_paragraph``/``add_run``, the table
merged cell by cell, ``Document.save``), pinned here by their digest as the former build gave
them (commit 4b134b6), and its zip is ``Document.save``'s at the same moment."""

import hashlib
import io
import zipfile
from unittest import mock

from review_app.intake import template
from review_app.intake.template import blank_template, filled_template

from . import docgen

# SHA-256 over every member (name, NUL, bytes, NUL) in zip order, from the former builder.
FORMER = {
    "filled excellent": "70de89c8b6a853fb6972d0e521c8246e951d6b524db0c670448d0d5d275731af",
    "filled leading": "a1736b4f18f247af3154b562d0fe976a0fd73253f8c2b33b1cbfdcd20fd11d88",
    "blank excellent": "06dc02a0cd6b15bef1a715189f3542a46c2f87a5f6814f20b2e94d9016d7cd0c",
    "blank leading 2024": "ba3ae7c8c4cabd18e0d3664a9d484a91da7cd7403ef83abf9e526b5e90791f5e",
}


def _digest(data: bytes) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    h = hashlib.sha256()
    for name in z.namelist():
        h.update(name.encode() + b"\0" + z.read(name) + b"\0")
    return h.hexdigest()


def _forms() -> dict[str, bytes]:
    sample = docgen.sample("excellent")
    # white space at both ends, a tab, a line feed and a carriage return inside one line
    sample.sections["overview.background"] = " 首尾空格 \t制表\n换行\r回车 "
    return {
        "filled excellent": filled_template("excellent", sample),
        "filled leading": filled_template("leading", docgen.sample("leading")),
        "blank excellent": blank_template("excellent"),
        "blank leading 2024": blank_template("leading", 2024),
    }


def test_parts_are_those_of_the_former_build():
    assert {name: _digest(data) for name, data in _forms().items()} == FORMER
    # built again after the others (the table copied, the kept parts reused): the same
    assert {name: _digest(data) for name, data in _forms().items()} == FORMER


def test_the_zip_is_what_document_save_writes():
    sample = docgen.sample("excellent")
    saved = {}
    fast_save = template.save

    def keep(doc, holder):
        out = io.BytesIO()
        doc.save(out)
        saved["document.save"] = out.getvalue()
        return fast_save(doc, holder)

    moment = 1_790_000_000.0  # zipfile dates each member with time.time()
    with mock.patch("time.time", return_value=moment), mock.patch.object(template, "save", keep):
        ours = filled_template("excellent", sample)
    assert ours == saved["document.save"]
