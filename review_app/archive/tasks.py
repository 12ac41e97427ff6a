"""The 归档 job: the archive written into a temporary folder by ``archive.service`` (the verb the
command line runs), then zipped, manifest included, as the job's result."""

import io
import tempfile
import zipfile
from pathlib import Path

from ..auth.models import User
from ..errors import DomainError
from ..extensions import db
from ..jobs import lease
from ..jobs.models import Job, UploadedBlob
from ..jobs.queue import huey, task_app
from ..programs.models import Program
from . import service


@huey.task()
def build_archive(job_id: int) -> None:
    """Write the program's archive and keep it as a .zip for the coordinator to download."""
    app = task_app()
    with app.app_context():
        attempt = lease.claim(job_id, "archive")
        if attempt is None:
            return
        try:
            _archive(job_id, attempt)
        except lease.LeaseLost:
            return


def _archive(job_id: int, attempt: int) -> None:
    job = db.session.get(Job, job_id)
    program = db.session.get(Program, job.params["program_id"])
    owner = db.session.get(User, job.owner_id)

    def progress(done: int, total: int, name: str) -> None:
        job.total, job.done, job.message = total, done, f"已写入：{name}"
        if done % 20 == 0:  # the heartbeat: a long archive keeps its lease
            lease.commit(job_id, attempt)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        try:
            manifest = service.write_archive(program, root, owner, progress=progress)
        except DomainError as err:
            db.session.rollback()
            job = db.session.get(Job, job_id)
            job.state, job.message = "failed", err.message
            lease.commit(job_id, attempt)
            return
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                archive.write(path, path.relative_to(root).as_posix())
    db.session.add(UploadedBlob(job_id=job.id, position=0, filename=job.params["filename"],
                                data=buffer.getvalue()))  # fmt: skip
    job.state = "done"
    job.message = f"共{len(manifest['files'])}个文件，已归档（含 manifest.json）。"
    job.result_url = f"/jobs/{job.id}/file"
    lease.commit(job_id, attempt)
