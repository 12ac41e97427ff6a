"""Sending generated or stored files as downloads (one place for the MIME types)."""

from io import BytesIO
from pathlib import PurePosixPath

from flask import send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES = {".xlsx": XLSX, ".docx": DOCX, ".pdf": "application/pdf", ".png": "image/png",
         ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}  # fmt: skip


def send_bytes(data: bytes, filename: str, mimetype: str | None = None):
    """``data`` as an attachment named ``filename`` (UTF-8 names are encoded per RFC 6266)."""
    mimetype = mimetype or TYPES.get(
        PurePosixPath(filename.lower()).suffix, "application/octet-stream"
    )
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
