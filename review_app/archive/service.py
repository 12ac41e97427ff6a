"""归档: write a program's archive into a folder (the files, then ``manifest.json`` with the audit
chain's head), and verify one: every hash recomputed offline, and the head checked against the
database when it holds the chain. One verb for the command line and the job of the web button."""

import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..audit import service as audit
from ..audit.models import AuditEvent
from ..auth.permissions import is_coordinator, require
from ..clock import utcnow
from ..errors import InvalidInput, NotFound
from ..extensions import db
from ..programs.models import Program
from . import collect
from .manifest import Verdict, file_entry, safe_relative, verify_tree, write_manifest


def program_of_year(year: int) -> Program:
    program = db.session.execute(
        select(Program).where(Program.year == year).order_by(Program.id.desc()).limit(1)
    ).scalar_one_or_none()
    if program is None:
        raise NotFound(f"没有{year}年度的培育批次。")
    return program


def write_archive(program: Program, out: Path, actor=None, progress=None) -> dict:
    """Write every file of the archive under ``out`` (new or empty), then the manifest. The
    ``archive.write`` audit event is appended first, so the recorded head covers the archive
    itself. ``progress(done, total, name)`` is called after each file. Returns the manifest."""
    if actor is not None:
        require(is_coordinator(actor), "只有省厅协调员可以生成归档。")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(
            f"输出目录 {out} 已存在且不为空：请指定一个新目录。", code="out_not_empty"
        )
    entries = collect.archive_entries(program)
    names = [safe_relative(name).as_posix() for name, _ in entries]
    if len(set(names)) != len(names):
        raise InvalidInput("归档中有重名文件。", code="duplicate")
    out.mkdir(parents=True, exist_ok=True)
    written, folders = [], {out}
    try:
        for n, (name, make) in enumerate(entries, start=1):
            path = out / name
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            data = make()
            path.write_bytes(data)
            written.append(file_entry(name, data))
            if progress is not None:
                progress(n, len(entries), name)
        event = audit.record("archive.write", "program", program.id, actor=actor,
                             after={"files": len(entries), "out": out.name})  # fmt: skip
        meta = {"program": program.name, "year": program.year,
                "created_at": utcnow().isoformat(timespec="seconds")}  # fmt: skip
        return write_manifest(out, {"id": event.id, "hash": event.hash}, meta, written)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # nothing half-written is left behind
        raise


def head_problem(manifest: dict) -> str | None:
    """Why the manifest's audit head does not hold in this database (None: it holds). A database
    without that event (another machine, an empty one) cannot confirm it: that is said too."""
    head = manifest.get("audit_head") or {}
    try:
        event_id, recorded = int(head["id"]), str(head["hash"])
    except (KeyError, TypeError, ValueError):
        return "清单中没有审计链头。"
    stored = db.session.execute(
        select(AuditEvent.hash).where(AuditEvent.id == event_id)
    ).scalar_one_or_none()
    if stored is None:
        return f"数据库中没有审计事件 #{event_id}，无法核对审计链头。"
    if stored != recorded:
        return f"审计链头不符：数据库中事件 #{event_id} 的哈希与清单记录不同。"
    return None


def database_holds_a_chain() -> bool:
    """Whether the configured database holds an audit chain to check a head against."""
    try:
        return db.session.execute(select(AuditEvent.id).limit(1)).first() is not None
    except SQLAlchemyError:  # no schema there (a machine that only verifies)
        db.session.rollback()
        return False


def verify_archive(root: Path, *, with_database: bool) -> Verdict:
    """Every file's hash, then (``with_database``) the audit head against the database."""
    verdict = verify_tree(root)
    if verdict.ok and with_database:
        problem = head_problem(verdict.manifest)
        if problem:
            return Verdict(False, verdict.checked, problem, verdict.manifest)
    return verdict
