"""The format report's blocking problems placed beside the edit form's fields.

A problem's ``field`` is a dotted code (``enterprise.legal_rep.phone``,
``figures.<year>.revenue``, ``maturity_level``); the edit form names the same things
``legal_rep_phone``, ``fig_<year>_revenue``, ``maturity_level``. Problems whose field the form
does not carry (a section, the prefecture, the track) are listed above the form instead."""

import re

from .parsed import BLOCKING

_FIGURE = re.compile(r"figures\.(\d{4})\.(\w+)")


def form_field_name(code: str) -> str:
    """The edit form's field name for a format-check field code."""
    m = _FIGURE.fullmatch(code)
    if m:
        return f"fig_{m.group(1)}_{m.group(2)}"
    return code.removeprefix("enterprise.").replace(".", "_")


def blocking_by_field(report: list[dict], field_names) -> tuple[dict[str, list[str]], list[dict]]:
    """(form field name → its blocking messages, the blocking problems no field carries)."""
    names = set(field_names)
    placed: dict[str, list[str]] = {}
    elsewhere: list[dict] = []
    for p in report or ():
        if p["severity"] != BLOCKING:
            continue
        name = form_field_name(p["field"])
        if name in names:
            placed.setdefault(name, []).append(p["message"])
        else:
            elsewhere.append(p)
    return placed, elsewhere
