"""Who may see and act on what. Views, the CLI, the workflow and templates all ask here."""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, select

from ..applications.models import Application
from ..errors import PermissionDenied
from ..extensions import db, login_manager
from ..inspection.models import Inspection, InspectionInspector

# Roles that see enterprise identities (DESIGN.md section 2); experts and admins never do.
IDENTITY_ROLES = frozenset({"coordinator", "prefecture", "inspector", "applicant"})


def is_coordinator(user, obj=None) -> bool:
    """省厅协调员: the role that runs the program (draws, decisions, outbox, webhooks…)."""
    return has_role(user, "coordinator")


def has_role(user, *roles: str) -> bool:
    """Whether ``user`` is signed in with one of ``roles``."""
    return getattr(user, "is_authenticated", True) and getattr(user, "role", None) in roles


def role_predicate(*roles: str):
    """A predicate ``(user, obj=None) -> bool`` that allows exactly ``roles``."""

    def allowed(user, obj=None) -> bool:
        return has_role(user, *roles)

    allowed.__name__ = "role_in_" + "_".join(roles)
    return allowed


def require(allowed: bool, message: str) -> None:
    """Raise PermissionDenied with the area's Chinese ``message`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def permission_required(predicate):
    """Refuse (403) a signed-in user for whom ``predicate(user)`` is false; anonymous users log in.

    The same predicate is a Jinja global and gates the navigation link, so the link shows exactly
    when the page answers."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _inspector_application_ids(user) -> Select:
    return (
        select(Inspection.application_id)
        .join(InspectionInspector)
        .where(InspectionInspector.user_id == user.id)
    )


def _inspection_application_id():
    return Inspection.application_id


def can_view_application(user, application: Application) -> bool:
    """Object scope for an identified application (experts never qualify)."""
    if not getattr(user, "is_authenticated", False):
        return False
    match user.role:
        case "coordinator":
            return True
        case "prefecture":
            return application.prefecture_id == user.prefecture_id
        case "applicant":
            return application.enterprise_id == user.enterprise_id
        case "inspector":
            query = _inspector_application_ids(user).where(
                _inspection_application_id() == application.id
            )
            return db.session.execute(query).first() is not None
        case _:
            return False


def application_scope(user, query: Select) -> Select:
    """Restrict an Application query to what ``user`` may see."""
    match user.role:
        case "coordinator":
            return query
        case "prefecture":
            return query.where(Application.prefecture_id == user.prefecture_id)
        case "applicant":
            return query.where(Application.enterprise_id == user.enterprise_id)
        case "inspector":
            return query.where(Application.id.in_(_inspector_application_ids(user)))
        case _:
            return query.where(false())


def can_view_inspection(user, inspection) -> bool:
    if user.role == "coordinator":
        return True
    return user.role == "inspector" and inspection.has_inspector(user.id)
