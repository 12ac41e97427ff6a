"""Pure functions of the hash chain: canonical form, hash, and verification."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

HASHED_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
)


def _default(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    # Decimal and other numbers: their plain string form.
    return str(value)


def canonical_json(event: Mapping) -> str:
    """The event's hashed fields as canonical JSON (sorted keys, no spaces, UTF-8 text)."""
    payload = {name: event[name] for name in HASHED_FIELDS}
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def event_hash(prev_hash: str, event: Mapping) -> str:
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head: str
    broken_id: int | None = None
    problem: str = ""


def verify_chain(events: Iterable[Mapping], genesis: str) -> ChainReport:
    """Walk events in id order; report the first whose link or hash does not hold."""
    expected_prev = genesis
    count = 0
    for event in events:
        if event["prev_hash"] != expected_prev:
            return ChainReport(
                False,
                count,
                expected_prev,
                event["id"],
                "前一哈希不符：其前面的事件被删除、插入或改动",
            )
        if event_hash(event["prev_hash"], event) != event["hash"]:
            return ChainReport(
                False, count, expected_prev, event["id"], "内容与哈希不符：事件被改动"
            )
        expected_prev = event["hash"]
        count += 1
    return ChainReport(True, count, expected_prev)
