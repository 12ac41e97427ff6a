"""A memo of lookups inside one transaction (who leads a panel, who reviewed an application in
it, an account's expert record, a conflict, a leak scan's result), so that a run of verbs in
one transaction asks the database once for each.

It lives in ``session.info`` and is forgotten:
- at the end of any transaction or savepoint (commit, rollback), as the audit chain's head is
  (not at the end of a flush's inner transaction);
- at any flush that writes a row of a class outside ``SAFE`` (only the panel's own record,
  the audit chain and the outbox leave it), and at any ORM ``update``/``delete``/``insert``
  statement or textual statement run through the session;
- at a lookup while the session holds unflushed changes outside ``SAFE`` (the query the memo
  saves would have autoflushed them first).
So an answer is reused only while nothing it may depend on was written."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

KEY = "txmemo"
_MISSING = object()
# Tables whose writes leave every memoised answer valid: the panel's record (opinions, votes,
# posts, signed sheets), the audit chain (but not an ``application.update`` event: the leak scan
# reads former identifiers from those), the outbox. Names, so that this module imports no area.
SAFE = {"panel_opinion", "opinion_vote", "flag_post", "signed_sheet", "outbox_message",
        "audit_event"}  # fmt: skip
UNSAFE_AUDIT_ACTIONS = {"application.update"}


def get(kind: str, key, compute):
    """The memoised answer of ``compute()`` for ``(kind, key)`` in the current transaction."""
    session = db.session()
    if _unsafe(session.new) or _unsafe(session.deleted) or _unsafe(session.dirty):
        forget(session)
    memo = session.info.setdefault(KEY, {})
    value = memo.get((kind, key), _MISSING)
    if value is _MISSING:
        value = compute()
        session.info.setdefault(KEY, {})[(kind, key)] = value
    return value


def reading() -> dict:
    """Call before a batch read whose answers go to ``prime``: the memo as it is then (a write
    that forgets it before ``prime``, the read's own autoflush included, makes ``prime`` keep
    nothing)."""
    session = db.session()
    if _unsafe(session.new) or _unsafe(session.deleted) or _unsafe(session.dirty):
        forget(session)
    return session.info.setdefault(KEY, {})


def prime(kind: str, values, memo: dict) -> None:
    """Answers read together (a batch read of what ``get`` would compute one key at a time:
    ``values`` maps each key to its answer), kept as ``get`` keeps them, provided nothing they
    may depend on was written since ``memo = reading()`` (then ``values`` may be out of date
    and are not kept)."""
    session = db.session()
    if _unsafe(session.new) or _unsafe(session.deleted) or _unsafe(session.dirty):
        forget(session)
        return
    if session.info.get(KEY) is not memo:
        return  # forgotten since the read began
    for key, value in values.items():
        memo[(kind, key)] = value


def forget(session) -> None:
    session.info.pop(KEY, None)


def _unsafe(instances) -> bool:
    for obj in instances:
        table = getattr(obj, "__tablename__", None)
        if table not in SAFE:
            return True
        if table == "audit_event" and getattr(obj, "action", None) in UNSAFE_AUDIT_ACTIONS:
            return True
    return False


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session, transaction) -> None:
    if transaction.parent is not None and not transaction.nested:
        return  # the inner transaction of a flush: that one is watched before it
    forget(session)


@event.listens_for(Session, "before_flush")
def _forget_at_flush(session, flush_context, instances) -> None:
    if KEY in session.info and (
        _unsafe(session.new) or _unsafe(session.deleted) or _unsafe(session.dirty)
    ):
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _forget_at_write(state) -> None:
    if KEY in state.session.info and not state.is_select:
        forget(state.session)
