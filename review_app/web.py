"""What form views share: run a verb as one transaction, or say in Chinese why it was refused."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import flash, request

from .errors import DomainError, InvalidInput
from .extensions import db


def commit_or_flash(verb: Callable[[], object], success: str = "") -> tuple[bool, object]:
    """Run ``verb``: commit, flash ``success`` if given and return ``(True, its result)``; or,
    when it is refused, roll back (nothing of it is kept), flash the reason and return
    ``(False, None)``."""
    try:
        result = verb()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return False, None
    db.session.commit()
    if success:
        flash(success, "success")
    return True, result


def act(verb: Callable[[], object], success: str = "") -> bool:
    """``commit_or_flash`` when only whether it was done matters."""
    return commit_or_flash(verb, success)[0]


def form_int(name: str, default: int | None = None, label: str = "") -> int | None:
    """An integer form field, ``default`` when left empty; a Chinese refusal naming the field
    (``label``, else its name) when it is not a number."""
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"“{label or name}”须为整数。") from None


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path of this site, else None: never an open redirect (no scheme,
    no host, and not ``//host`` or ``/\\host``, which browsers also read as another host)."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
