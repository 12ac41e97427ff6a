"""Where the app's shipped folders are: inside the installed package (a wheel carries the
top-level ``templates/`` and ``rubrics/`` as ``review_app/templates`` and ``review_app/rubrics``;
see setup.py), else beside the package in a checkout or an editable install."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def shipped_dir(name: str) -> Path:
    """The folder ``name`` (``templates`` or ``rubrics``) the running code should read."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else CHECKOUT / name


TEMPLATES = shipped_dir("templates")
RUBRICS = shipped_dir("rubrics")
