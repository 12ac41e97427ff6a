"""The Huey queue (DESIGN.md section 9).

Storage: Redis when ``HUEY_URL`` is a ``redis://`` URL (production), otherwise an SQLite file in
the instance folder (the embedded default). Under ``REVIEW_APP_ENV=testing`` tasks run in Huey's
immediate mode, inline. ``review-app worker`` runs a consumer.
"""

import os
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey

INSTANCE = Path(__file__).resolve().parent.parent.parent / "instance"


def _make_huey():
    url = os.environ.get("HUEY_URL", "")
    if os.environ.get("REVIEW_APP_ENV") == "testing":
        return MemoryHuey("review_app", immediate=True)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("review_app", url=url)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if path is None:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path = INSTANCE / "huey.sqlite3"
    return SqliteHuey("review_app", filename=str(path))


huey = _make_huey()


def init_queue(app: Flask) -> None:
    """Tests and ``TESTING`` apps run tasks inline."""
    if app.config.get("TESTING"):
        huey.immediate = True


_worker_app: Flask | None = None


def task_app() -> Flask:
    """The app a task runs in: the caller's in immediate mode, else one per worker process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from .. import create_app

        _worker_app = create_app()
    return _worker_app
