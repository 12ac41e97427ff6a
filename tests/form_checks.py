"""Checks shared by the tests of forms that re-render when refused (issue 22): an error tied to
its field (``templates/_field.html``), and the whole database unchanged by a refused post."""

import re

from sqlalchemy import select

from review_app.extensions import db


def control(html: str, field_id: str) -> str:
    """The opening tag of the form control whose id is ``field_id``."""
    match = re.search(rf'<(input|textarea|select)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    assert match, f"no control with id {field_id}"
    return match.group(0)


def error_block(html: str, field_id: str) -> str | None:
    """The text of the errors shown beside ``field_id``, or None when there are none."""
    match = re.search(
        rf'<div class="field-errors" id="{re.escape(field_id)}-error">(.*?)</div>', html, re.S
    )
    return match.group(1) if match else None


def tied(html: str, field_id: str, message: str) -> bool:
    """``message`` is shown beside ``field_id``: the control is marked invalid and names the
    block holding it (aria-describedby)."""
    tag = control(html, field_id)
    block = error_block(html, field_id)
    return (
        'aria-invalid="true"' in tag
        and f'aria-describedby="{field_id}-error"' in tag
        and block is not None
        and f'<p class="field-error">{message}</p>' in block
    )


def contents() -> dict[str, list]:
    """Every row of every table (as text, sorted): compared before and after a refused post,
    nothing may differ. The test's session is rolled back first so it sees what is committed."""
    db.session.rollback()
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        out[table.name] = sorted(repr(tuple(row)) for row in rows)
    return out


def changed(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """The tables whose rows differ."""
    return [name for name in before if before[name] != after[name]]
