"""The worst 申报书 the intake still accepts: its parse time and peak memory (a script, not a test).

Builds, from the blank template filled by the test generator:
* ``baseline``: an ordinary filled 申报书;
* ``worst``: every narrative section one character under its cap (10x its word limit, or the
  fixed cap), document.xml padded to just under the XML part cap with cover paragraphs (parsed
  into elements, then discarded: the costliest kind of content that stores nothing), each
  carrying a random rsid and text so the part stays far under the zip-bomb ratio; and
  styles.xml padded to just under the cap with an incompressible comment.

Each file is checked (``check_docx``) and parsed (``parse_docx``) in a fresh subprocess, which
prints its wall time and its peak resident memory (VmHWM, else ``ru_maxrss``: both count lxml's
C allocations that tracemalloc does not see), next to the interpreter's peak before the file
was read. Issue 17 measured 80-90 s and 2.6 GB for a 157 MB document.xml before the caps.

Run from the project root: ``python bench/hostile_docx_bench.py``.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_app.applications.catalogue import required_sections  # noqa: E402
from review_app.intake.filecheck import MAX_XML_PART_BYTES  # noqa: E402
from review_app.intake.parser import section_cap  # noqa: E402
from review_app.intake.template import filled_template  # noqa: E402
from tests.intake.docgen import sample  # noqa: E402

SLACK = 4096  # bytes left under the part cap
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from review_app.intake.filecheck import check_docx
from review_app.intake.parser import parse_docx

def peak_kb():
    # VmHWM is this process's own high-water mark; ru_maxrss may carry the parent's from fork
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

before = peak_kb()
data = open({path!r}, "rb").read()
t0 = time.perf_counter()
check_docx(data, "bench.docx")
t1 = time.perf_counter()
parsed = parse_docx(data)
t2 = time.perf_counter()
peak = peak_kb()
print(json.dumps({{"check": t1 - t0, "parse": t2 - t1, "before_kb": before, "peak_kb": peak,
                  "chars": sum(len(t) for t in parsed.sections.values())}}))
"""


def baseline() -> bytes:
    return filled_template("excellent", sample("excellent"))


def worst() -> bytes:
    parsed = sample("excellent")
    for spec in required_sections("excellent"):
        cap = section_cap(spec.key)
        parsed.sections[spec.key] = ("智能工厂建设内容说明" * (cap // 10 + 1))[: cap - 1]
    data = filled_template("excellent", parsed)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    document = members["word/document.xml"]
    room = MAX_XML_PART_BYTES - SLACK - len(document)
    paragraphs, size = [], 0
    while size < room:
        p = (
            f'<w:p w:rsidR="{os.urandom(4).hex().upper()}"><w:r><w:t>'
            f"封面{os.urandom(6).hex()}</w:t></w:r></w:p>"
        ).encode()
        if size + len(p) > room:
            break
        paragraphs.append(p)
        size += len(p)
    members["word/document.xml"] = document.replace(
        b"<w:body>", b"<w:body>" + b"".join(paragraphs), 1
    )
    styles = members["word/styles.xml"]
    pad = MAX_XML_PART_BYTES - SLACK - len(styles) - len(b"<!---->")
    comment = b"<!--" + os.urandom(pad // 2 + 1).hex().encode()[:pad] + b"-->"
    head, sep, rest = styles.partition(b"?>")
    members["word/styles.xml"] = head + sep + comment + rest
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def measure(name: str, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(suffix=".docx", delete=False) as handle:
        handle.write(data)
    try:
        code = CHILD.format(root=str(ROOT), path=handle.name)
        result = subprocess.run(  # noqa: S603 - this interpreter running our own code
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(handle.name)
    if result.returncode != 0:
        print(f"{name}: refused or failed\n{result.stderr.strip()[-600:]}")
        return
    r = json.loads(result.stdout.strip().splitlines()[-1])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        largest = max(zf.infolist(), key=lambda i: i.file_size)
    print(
        f"{name:9} file {len(data) / 1e6:5.2f} MB, largest part {largest.filename} "
        f"{largest.file_size / 1e6:4.2f} MB, section text {r['chars']:7d} chars | "
        f"check {r['check']:5.2f} s, parse {r['parse']:5.2f} s | "
        f"peak RSS {r['peak_kb'] / 1024:6.0f} MB (interpreter before reading "
        f"{r['before_kb'] / 1024:4.0f} MB)"
    )


def main() -> None:
    print(f"XML part cap {MAX_XML_PART_BYTES / 1024 / 1024:g} MiB; sections at their caps")
    measure("baseline", baseline())
    measure("worst", worst())


if __name__ == "__main__":
    main()
