"""What the applicant's and the administrator's dashboards read: an enterprise's own
applications (with their state as the applicant may see it) and the accounts at a glance (users
per role, locked and disabled accounts, recent sign-ins and account events). No scores and no
identity the administrator's user list does not already show."""

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from ..applications.models import Application
from ..audit.models import AuditEvent
from ..auth.models import ROLES, User
from ..clock import utcnow
from ..extensions import db

ACCOUNT_EVENT_PREFIXES = ("user.", "auth.", "login.", "session.", "password.")


def own_applications(user) -> list[Application]:
    """The applicant's enterprise's applications, newest program first."""
    if user.enterprise_id is None:
        return []
    return list(
        db.session.execute(
            select(Application)
            .where(Application.enterprise_id == user.enterprise_id)
            .order_by(Application.program_id.desc(), Application.track_code)
        ).scalars()
    )


@dataclass(frozen=True)
class RoleRow:
    role: str
    name: str
    total: int
    disabled: int
    locked: int


def accounts_by_role() -> list[RoleRow]:
    """Users per role with how many are disabled or locked now, in one statement."""
    now = utcnow()
    rows = db.session.execute(
        select(
            User.role,
            func.count(User.id),
            func.sum(case((User.is_active_account.is_(False), 1), else_=0)),
            func.sum(case((User.locked_until > now, 1), else_=0)),
        ).group_by(User.role)
    ).all()
    got = {role: (n, int(off or 0), int(locked or 0)) for role, n, off, locked in rows}
    return [RoleRow(r, name, *got.get(r, (0, 0, 0))) for r, name in ROLES.items()]


def recent_sign_ins(limit: int = 10) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .where(User.last_login_at.is_not(None))
            .order_by(User.last_login_at.desc())
            .limit(limit)
        ).scalars()
    )


def recent_account_events(limit: int = 20) -> list[AuditEvent]:
    """The latest audit events about accounts and signing in (locks, creations, resets…)."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(or_(*(AuditEvent.action.startswith(p) for p in ACCOUNT_EVENT_PREFIXES)))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
    )
