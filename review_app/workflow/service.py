"""Firing transitions: permission, guards, state change and audit event in one unit of work.

The verb flushes; the caller (request or CLI command) commits once, or rolls back on error.
Signals: once the new state and its audit event are flushed, ``fire`` sends
``signals.state_changed`` (sender: the app; keywords ``application``, ``from_state``,
``trigger``, ``actor``, ``reason``). The areas that act on a transition (webhooks, …) subscribe
at app creation, so this package imports none of them. The signal is sent inside the caller's
transaction, before its commit: the rows a receiver adds (a webhook delivery, …) are flushed in
that transaction, so they are committed with the new state or vanish with it when the caller
rolls back. A refused transition sends nothing; one rolled back afterwards leaves nothing to
deliver; a receiver that raises fails the transition the same way.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..applications.models import Application
from ..audit import service as audit
from ..auth.permissions import can_view_application
from ..clock import utcnow
from ..errors import DomainError, NotFound, PermissionDenied
from ..extensions import db
from ..signals import state_changed
from .guards import Context
from .machine import MACHINE, SYSTEM_ACTOR, TRANSITIONS, TransitionSpec, first_refusal, spec_for
from .states import ENDORSED_STATES, STATE_NAMES


def load_for_transition(application_id: int) -> Application:
    """Load a row locked for update (PostgreSQL) and fresh from the database."""
    application = db.session.get(
        Application, application_id, with_for_update=True, populate_existing=True
    )
    if application is None:
        raise NotFound("未找到该申报。")
    return application


def _permission_refusal(spec: TransitionSpec, actor, application: Application) -> str | None:
    if actor is None or actor.role not in spec.roles:
        return f"您的角色不能执行“{spec.label}”。"
    if actor is SYSTEM_ACTOR:  # the system acts on every application, on the rows naming it
        return None
    if not can_view_application(actor, application):
        return "该申报不在您的管辖范围内。"
    return None


def fire(
    application: Application,
    trigger: str,
    actor,
    *,
    reason: str = "",
    now: datetime | None = None,
    **data,
) -> Application:
    """Fire ``trigger`` on ``application`` as ``actor``; raise a DomainError when refused."""
    state = application.state
    ctx = Context(application, actor, (reason or "").strip(), now or utcnow(), data)
    spec = _checked(application, trigger, ctx)
    # Queries autoflush: run them before the state changes so the row is updated once.
    prepared = _prepare_effects(spec, ctx)
    if not MACHINE.events[trigger].trigger(application, ctx):
        raise DomainError("操作未能完成，请刷新后重试。", code="condition")
    _apply_effects(spec, ctx, prepared)
    audit.record(
        f"application.{trigger}",
        "application",
        application.id,
        actor=actor,
        before={"state": state},
        after={"state": application.state, **_effect_summary(spec, application)},
        reason=ctx.reason,
    )
    db.session.flush()
    # In the caller's transaction: receivers' rows commit or roll back with the new state.
    state_changed.send(
        current_app._get_current_object(),
        application=application,
        from_state=state,
        trigger=trigger,
        actor=actor,
        reason=ctx.reason,
    )
    return application


def _prepare_effects(spec: TransitionSpec, ctx: Context) -> dict:
    if spec.trigger == "endorse":
        return {"priority_rank": _rank_for_endorsement(ctx.application)}
    return {}


def _apply_effects(spec: TransitionSpec, ctx: Context, prepared: dict) -> None:
    app = ctx.application
    if spec.needs_reason:
        app.state_reason = ctx.reason
    if "priority_rank" in prepared:
        app.priority_rank = prepared["priority_rank"]
    if spec.trigger == "resubmit":
        app.submitted_at = ctx.now
        app.state_reason = ""


def _effect_summary(spec: TransitionSpec, app: Application) -> dict:
    if spec.trigger == "endorse":
        return {"priority_rank": app.priority_rank}
    return {}


def _rank_for_endorsement(app: Application) -> int:
    """Keep the rank the prefecture set unless another recommended application holds it;
    otherwise the next free place at the end of the list."""
    taken = set(
        db.session.execute(
            select(Application.priority_rank).where(
                Application.program_id == app.program_id,
                Application.prefecture_id == app.prefecture_id,
                Application.track_code == app.track_code,
                Application.state.in_(ENDORSED_STATES),
                Application.id != app.id,
                Application.priority_rank.is_not(None),
            )
        ).scalars()
    )
    if app.priority_rank is not None and app.priority_rank not in taken:
        return app.priority_rank
    return max(taken, default=0) + 1


@dataclass(frozen=True)
class Available:
    """A transition the user could fire now, or the reason it cannot."""

    trigger: str
    label: str
    needs_reason: bool
    refusal: str | None


def available_transitions(application: Application, actor, now: datetime | None = None):
    """Transitions from the current state that ``actor``'s role may fire, with guard results."""
    result = []
    ctx = Context(application, actor, "-", now or utcnow(), preview=True)
    for spec in TRANSITIONS:
        if application.state not in spec.source:
            continue
        if _permission_refusal(spec, actor, application):
            continue
        guards = [gd for gd in spec.guards if gd.__name__ != "reason_given"]
        refusal = next((r for r in (gd(ctx) for gd in guards) if r), None)
        result.append(Available(spec.trigger, spec.label, spec.needs_reason, refusal))
    return result


def _checked(application: Application, trigger: str, ctx: Context) -> TransitionSpec:
    """The table row ``trigger`` fires from the application's state, once the actor's role,
    scope and the row's guards allow it; otherwise raise the refusal as a DomainError."""
    state = application.state
    spec = spec_for(trigger, state)
    if spec is None:
        label = next((t.label for t in TRANSITIONS if t.trigger == trigger), trigger)
        raise DomainError(
            f"申报当前状态为“{STATE_NAMES.get(state, state)}”，不能执行“{label}”。",
            code="illegal_transition",
        )
    why = _permission_refusal(spec, ctx.actor, application)
    if why:
        raise PermissionDenied(why)
    why = first_refusal(spec, ctx)
    if why:
        raise DomainError(why, code="guard")
    return spec


def refusal(
    application: Application, trigger: str, actor, *, reason: str = "", now=None, **data
) -> str | None:
    """Why ``actor`` may not fire ``trigger`` on ``application`` now (the message ``fire`` would
    raise: wrong state, role or scope, or the first guard's reason), or None when it may.
    Reads only; callers ask this instead of restating the table's guards."""
    ctx = Context(application, actor, (reason or "").strip(), now or utcnow(), data)
    try:
        _checked(application, trigger, ctx)
    except DomainError as err:
        return err.message
    return None
