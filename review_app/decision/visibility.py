"""When a result becomes visible (DESIGN.md section 10): a prefecture officer or an applicant
sees an application as admitted or rejected only once the result letter of its program and
prefecture is released (after 正式发文); until then they see the neutral 评审中, also while the
application is proposed, not selected, in 公示 or revoked. Coordinators (and the
provincial inspectors) see the real state.

This module is the one place of that rule: ``visible_state`` for one application (pages, the
API's serialisation), ``state_column`` for queries (lists, filters, counts), and
``hides_result`` / ``visible_timeline`` for what would tell the result another way (the
decision's reason, the timeline's transitions)."""

from sqlalchemy import and_, case, exists, not_, select

from ..applications.models import Application
from ..extensions import db
from ..workflow.states import HIDDEN_UNTIL_RELEASE_STATES, STATE_NAMES
from .models import ResultNotice

NEUTRAL_STATE = "in_review"
NEUTRAL_NAME = "评审中"
# Provincial staff: they see results as soon as the state machine has them.
SEES_EARLY = frozenset({"coordinator", "inspector"})
# Every state a user may see, with its name: the machine's and the neutral one.
VISIBLE_STATE_NAMES = {**STATE_NAMES, NEUTRAL_STATE: NEUTRAL_NAME}


def sees_results_early(user) -> bool:
    return getattr(user, "role", None) in SEES_EARLY


def _released(program_id, prefecture_id):
    return exists().where(
        ResultNotice.program_id == program_id,
        ResultNotice.prefecture_id == prefecture_id,
        ResultNotice.status == "released",
    )


def released_for(program_id: int, prefecture_id: int) -> bool:
    """Whether the result letter of this program and prefecture has been released."""
    return bool(db.session.scalar(select(_released(program_id, prefecture_id))))


def hides_result(application, user) -> bool:
    """True when ``user`` must not learn ``application``'s result yet."""
    return (
        application.state in HIDDEN_UNTIL_RELEASE_STATES
        and not sees_results_early(user)
        and not released_for(application.program_id, application.prefecture_id)
    )


def visible_state(application, user) -> str:
    """The state ``user`` is shown: the neutral ``in_review`` for an unreleased result."""
    return NEUTRAL_STATE if hides_result(application, user) else application.state


def visible_state_name(application, user) -> str:
    return VISIBLE_STATE_NAMES[visible_state(application, user)]


def state_column(user):
    """``visible_state`` as an SQL expression over ``Application``, for filters and counts."""
    if sees_results_early(user):
        return Application.state
    hidden = and_(
        Application.state.in_(sorted(HIDDEN_UNTIL_RELEASE_STATES)),
        not_(_released(Application.program_id, Application.prefecture_id)),
    )
    return case((hidden, NEUTRAL_STATE), else_=Application.state)


def visible_timeline(application, user, events: list) -> list:
    """The application's audit events ``user`` may see: while its result is hidden, none that
    moved it into or out of a result state."""
    if not hides_result(application, user):
        return events
    return [
        ev
        for ev in events
        if (ev.before or {}).get("state") not in HIDDEN_UNTIL_RELEASE_STATES
        and (ev.after or {}).get("state") not in HIDDEN_UNTIL_RELEASE_STATES
    ]
