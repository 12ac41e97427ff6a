"""The checklist saved as one: every item's finding, note and photos in one transaction, so a
save keeps every item's input, and a refusal names the item it is about. A save carries an id
(the page's, or one the offline queue gave it); a save whose id was accepted before is a replay
(the phone's queue sent it again when its connection came back) and writes nothing."""

from dataclasses import dataclass

from sqlalchemy import select

from ..clock import utcnow
from ..errors import DomainError
from ..extensions import db
from . import service
from .models import ChecklistSave, Inspection


@dataclass(frozen=True)
class Entry:
    finding: str | None
    note: str
    uploads: tuple  # service.Upload, in the order chosen


class ItemRefused(DomainError):
    """A save refused because of one item: ``at`` is its code (None: not about one item)."""

    def __init__(self, err: DomainError, at: str | None):
        super().__init__(err.message, err.code)
        self.status = err.status
        self.at = at


def replayed(client_id: str | None) -> bool:
    return bool(client_id) and db.session.execute(
        select(ChecklistSave.id).where(ChecklistSave.client_id == client_id)
    ).first() is not None  # fmt: skip


def save(inspection: Inspection, entries: dict[str, Entry], client_id: str | None,
         actor) -> int:  # fmt: skip
    """Record the items that changed and their photos; return how many items were written.
    The caller commits (or rolls back on a refusal)."""
    service.may_record(inspection, actor)
    items = {i.code: i for i in inspection.items}
    written = 0
    for code, entry in entries.items():
        item = items.get(code)
        if item is None:
            continue
        changed = (entry.finding or None) != item.finding or entry.note.strip() != item.note
        try:
            if changed:
                service.record_item(inspection, code, entry.finding, entry.note, actor)
            for upload in entry.uploads:
                service.add_evidence(inspection, code, upload, actor)
        except DomainError as err:
            raise ItemRefused(err, code) from err
        written += bool(changed or entry.uploads)
    if client_id:
        db.session.add(
            ChecklistSave(client_id=client_id, inspection_id=inspection.id,
                          user_id=getattr(actor, "id", None), saved_at=utcnow())
        )  # fmt: skip
        db.session.flush()
    return written
