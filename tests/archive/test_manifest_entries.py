"""The archive's writer lists its files in the manifest from the bytes it has just written
(``file_entry``), without reading the folder back: the list is the one a scan of the folder
gives (same entries, same order: by path part by part, so ``a/b/c.txt`` before ``a/b.docx``)."""

import json

from review_app.archive.manifest import MANIFEST, file_entry, verify_tree, write_manifest

FILES = {
    "a-b/x.json": b"{}",
    "a/b.docx": b"PK\x03\x04 one",
    "a/b/c.txt": "中文内容".encode(),
    "a b/空格 名.txt": b"",
    "结果通知/通知（草稿）.docx": b"\x00\x01\x02" * 1000,
    "z.json": b"[1]",
    "A.json": b"[2]",
}


def test_entries_from_the_written_bytes_are_the_scan_of_the_folder(tmp_path):
    scanned, listed = tmp_path / "scanned", tmp_path / "listed"
    entries = []
    for root in (scanned, listed):
        for rel, data in reversed(FILES.items()):  # written in another order than listed
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for rel, data in reversed(FILES.items()):
        entries.append(file_entry(rel, data))
    head, meta = {"id": 1, "hash": "h"}, {"program": "p"}
    by_scan = write_manifest(scanned, head, meta)
    by_bytes = write_manifest(listed, head, meta, entries)
    assert by_bytes == by_scan
    assert [f["path"] for f in by_bytes["files"]][:3] == ["A.json", "a/b/c.txt", "a/b.docx"]
    assert (listed / MANIFEST).read_bytes() == (scanned / MANIFEST).read_bytes()
    assert json.loads((listed / MANIFEST).read_text(encoding="utf-8"))["files"] == by_scan["files"]
    assert verify_tree(listed).ok and verify_tree(listed).checked == len(FILES)
