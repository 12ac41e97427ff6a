"""The 申报书 generator reuses one blank document per thread: every form is built on a clean
one (the same parts whatever was built before, on any thread) and still parses back."""

import io
import threading
import zipfile

from review_app.intake.parser import parse_docx
from review_app.intake.template import blank_template, filled_template

from . import docgen


def _parts(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {name: z.read(name) for name in z.namelist()}


def test_forms_are_the_same_whatever_was_built_before():
    sample = docgen.sample("excellent")
    first = _parts(filled_template("excellent", sample))
    blank = _parts(blank_template("leading"))
    filled_template("leading", docgen.sample("leading"))
    assert _parts(filled_template("excellent", sample)) == first
    assert _parts(blank_template("leading")) == blank
    parsed = parse_docx(filled_template("excellent", sample))
    assert parsed.enterprise.name == sample.enterprise.name
    assert parsed.sections == sample.sections


def test_each_thread_builds_on_its_own_blank_document():
    sample = docgen.sample("excellent")
    expected = _parts(filled_template("excellent", sample))
    found = []
    threads = [threading.Thread(target=lambda: found.append(
        _parts(filled_template("excellent", sample)))) for _ in range(3)]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == [expected] * 3
