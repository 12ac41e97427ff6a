"""An archive entry (a relative path and a function that makes its bytes), file names that are
one path component on every system, and JSON records as the archive writes them."""

import json
import re
from collections.abc import Callable

Entry = tuple[str, Callable[[], bytes]]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def clean_name(name: str) -> str:
    """A file name that is one path component on every system."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:120] or "_"


def json_bytes(value) -> Callable[[], bytes]:
    """A JSON record (UTF-8, keys sorted, dates as text) made when the archive is written."""
    return lambda: json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True,
                              default=str).encode("utf-8")  # fmt: skip
