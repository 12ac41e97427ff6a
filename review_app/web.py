"""What form views share: run a verb as one transaction, or say in Chinese why it was refused."""

from collections.abc import Callable

from flask import flash

from .errors import DomainError
from .extensions import db


def commit_or_flash(verb: Callable[[], object]) -> tuple[bool, object]:
    """Run ``verb``: commit and return ``(True, its result)``; or, when it is refused, roll back
    (nothing of it is kept), flash the reason and return ``(False, None)``."""
    try:
        result = verb()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return False, None
    db.session.commit()
    return True, result
