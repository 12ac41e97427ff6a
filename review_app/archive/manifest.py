"""The manifest of an archive folder and its offline check (pure: files and JSON, no database).

``manifest.json`` lists every other file of the folder with its path (POSIX, relative), SHA-256
and size, and records the audit chain's head when the archive was written. ``verify_tree``
recomputes every hash and names the first difference: a file missing, altered, or not listed."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def safe_relative(name: str) -> PurePosixPath:
    """A relative path inside the folder (no absolute path, no ``..``): else ValueError."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != path.as_posix():
        raise ValueError(f"归档路径不合法：{name}")
    return path


def file_entry(rel: str, data: bytes) -> dict:
    """A manifest entry for the file at ``rel`` holding ``data``."""
    return {"path": rel, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def write_manifest(root: Path, head: dict, meta: dict, files: list[dict] | None = None) -> dict:
    """Write ``manifest.json``: every file under ``root`` (but the manifest), read back and
    hashed, or ``files`` (``file_entry`` of each, from the bytes just written: the writer of a
    new folder knows them) in the same order, by path part by part as the folder is listed."""
    if files is None:
        files = []
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p != root / MANIFEST):
            rel = path.relative_to(root).as_posix()
            files.append({"path": rel, "sha256": file_sha256(path), "size": path.stat().st_size})
    else:
        files = sorted(files, key=lambda f: PurePosixPath(f["path"]).parts)
    manifest = {**meta, "audit_head": head, "files": files}
    (root / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )
    return manifest


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    problem: str = ""  # the first difference, in Chinese, naming the file
    manifest: dict | None = None


def read_manifest(root: Path) -> dict:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ValueError(f"找不到 {MANIFEST}：{root} 不是归档目录。") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{MANIFEST} 无法读取（{err}）。") from err
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise ValueError(f"{MANIFEST} 缺少文件清单。")
    return data


def verify_tree(root: Path) -> Verdict:
    """Recompute every listed file's size and SHA-256; the first difference ends the check."""
    try:
        manifest = read_manifest(root)
    except ValueError as err:
        return Verdict(False, 0, str(err))
    listed = set()
    for n, entry in enumerate(manifest["files"]):
        try:
            rel = safe_relative(str(entry["path"]))
            sha, size = str(entry["sha256"]), int(entry["size"])
        except (KeyError, TypeError, ValueError) as err:
            return Verdict(False, n, f"清单第{n + 1}项无效：{err}", manifest)
        listed.add(rel.as_posix())
        path = root / rel
        if not path.is_file():
            return Verdict(False, n, f"缺少文件：{rel}", manifest)
        if path.stat().st_size != size or file_sha256(path) != sha:
            return Verdict(False, n, f"文件已被改动（SHA-256 不符）：{rel}", manifest)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p != root / MANIFEST):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            return Verdict(False, len(listed), f"清单中没有的文件：{rel}", manifest)
    return Verdict(True, len(listed), "", manifest)
