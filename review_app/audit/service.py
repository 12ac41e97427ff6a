"""Writing and verifying audit events."""

from collections.abc import Mapping

from sqlalchemy import event as sa_event
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..extensions import db
from .chain import ChainReport, event_hash, verify_chain
from .models import GENESIS_HASH, AuditEvent

# An arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends (the
# value of the first releases, kept so that an old and a new process still take the same lock).
_CHAIN_LOCK_KEY = 7_270_102_026
_HEAD = "audit_chain_head"  # session.info key: (id, hash) of the event this transaction appended


def _json_safe(value):
    """Values as the JSON column returns them, so the hash survives a round trip."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def record(
    action: str,
    obj_type: str,
    obj_id,
    *,
    actor=None,
    before: Mapping | None = None,
    after: Mapping | None = None,
    reason: str = "",
    actor_label: str | None = None,
    flush: bool = True,
) -> AuditEvent:
    """Append one event to the chain (flushes; the caller commits with its other writes).
    ``flush=False``: the event (with the verb's pending rows) is written by the transaction's
    next flush, for a verb that needs nothing of it written now and is often run several times
    in a row (the chain's head is kept in the session either way; the ids are assigned here)."""
    session = db.session
    head = session.info.get(_HEAD)
    if head is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
        last = session.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
        head = (last.id, last.hash) if last else (0, GENESIS_HASH)
    last_id, prev_hash = head
    event = AuditEvent(
        id=last_id + 1,
        created_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=actor_label or getattr(actor, "username", None) or "system",
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        before=_json_safe(dict(before or {})),
        after=_json_safe(dict(after or {})),
        reason=reason or "",
        prev_hash=prev_hash,
    )
    event.hash = event_hash(prev_hash, _as_mapping(event))
    session.add(event)
    if flush:
        session.flush()
    session.info[_HEAD] = (event.id, event.hash)
    return event


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_head(session, transaction) -> None:
    """The chain's head is known only inside the transaction that appended it: there the append
    lock (PostgreSQL's advisory lock, SQLite's write lock) keeps every other writer out, so the
    next event needs no query. Any end (commit, rollback, a savepoint's) forgets it; not the end
    of the inner transaction each flush opens and closes (a failed flush deactivates the whole
    transaction, whose rollback then forgets it)."""
    if transaction.parent is not None and not transaction.nested:
        return  # a flush's subtransaction
    session.info.pop(_HEAD, None)


def _as_mapping(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "created_at": event.created_at,
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def verify(session=None) -> ChainReport:
    """Verify the whole chain as stored, reading in id order in batches. ``session``: another
    session (a backup's copy or snapshot, ``backup.py``); by default the app's."""
    rows = (
        (session or db.session)
        .execute(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
        .scalars()
    )
    return verify_chain((_as_mapping(e) for e in rows), GENESIS_HASH)


def events_for(obj_type: str, obj_id) -> list[AuditEvent]:
    """The timeline of one object, oldest first."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.object_type == obj_type, AuditEvent.object_id == str(obj_id))
            .order_by(AuditEvent.id)
        ).scalars()
    )
