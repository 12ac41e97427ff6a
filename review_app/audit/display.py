"""Audit events as people read them: "形式审查通过 · 郑州某某公司", states by their Chinese names,
changed fields by their form labels. Names are looked up in one query per object type."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ..applications.models import Application
from ..auth.models import User
from ..enterprises.models import Enterprise
from ..experts.models import Expert, Panel
from ..extensions import db
from ..programs.models import Prefecture, Program
from ..workflow.states import STATE_NAMES
from .labels import action_label, field_label, object_label
from .models import AuditEvent


@dataclass(frozen=True)
class EventView:
    event: AuditEvent
    action: str  # 形式审查通过
    obj: str  # 申报 · 郑州某某公司
    change: str  # 已提交 → 形式审查通过, or 修改：所属产业链、联系人


def _ids(events, obj_type: str) -> set[int]:
    return {int(e.object_id) for e in events if e.object_type == obj_type and e.object_id.isdigit()}


def _names(events: list[AuditEvent], identities: bool) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}

    def load(obj_type, query):
        ids = _ids(events, obj_type)
        if ids:
            for oid, name in db.session.execute(query(ids)).all():
                names[(obj_type, str(oid))] = name

    if identities:
        load("application", lambda ids: select(Application.id, Enterprise.name)
             .join(Enterprise, Application.enterprise_id == Enterprise.id)
             .where(Application.id.in_(ids)))  # fmt: skip
    else:
        load("application", lambda ids: select(Application.id, Application.anon_code)
             .where(Application.id.in_(ids)))  # fmt: skip
    load("user", lambda ids: select(User.id, User.display_name).where(User.id.in_(ids)))
    load("program", lambda ids: select(Program.id, Program.name).where(Program.id.in_(ids)))
    load(
        "prefecture",
        lambda ids: select(Prefecture.id, Prefecture.name).where(Prefecture.id.in_(ids)),
    )
    load("panel", lambda ids: select(Panel.id, Panel.name).where(Panel.id.in_(ids)))
    if identities:
        load("expert", lambda ids: select(Expert.id, Expert.name).where(Expert.id.in_(ids)))
    return names


def _change(event: AuditEvent) -> str:
    before, after = event.before or {}, event.after or {}
    if isinstance(after.get("state"), str):
        old = before.get("state")
        new = STATE_NAMES.get(after["state"], "其他状态")
        return f"{STATE_NAMES.get(old, '其他状态')} → {new}" if isinstance(old, str) else new
    fields = [k for k in after if "." in k and not k.startswith("http")]
    if fields:
        return "修改：" + "、".join(field_label(k) for k in fields)
    return ""


def describe(events: Iterable[AuditEvent], identities: bool) -> list[EventView]:
    """Readable rows for ``events``; ``identities``: whether the reader may see enterprise and
    expert names (otherwise an application shows its anonymous code, an expert its number)."""
    events = list(events)
    names = _names(events, identities)
    out = []
    for e in events:
        kind = object_label(e.object_type)
        name = names.get((e.object_type, e.object_id)) or f"#{e.object_id}"
        out.append(EventView(e, action_label(e.action), f"{kind} · {name}", _change(e)))
    return out
