"""Application list (by state, with filters) and the application page with its timeline."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, or_, select

from ..audit.service import events_for
from ..auth.models import User
from ..auth.permissions import permission_required
from ..clock import utcnow
from ..decision.visibility import (
    NEUTRAL_STATE,
    VISIBLE_STATE_NAMES,
    sees_results_early,
    state_column,
    visible_timeline,
)
from ..enterprises.models import Enterprise
from ..errors import DomainError, NotFound, PermissionDenied
from ..extensions import db
from ..ids import db_id
from ..paging import like_pattern, paginate, sort_arg
from ..programs.models import TRACKS, Prefecture
from ..programs.selection import selected_program
from ..web import flash_hidden_errors, keeps_input_on_csrf, local_path
from ..workflow.guards import Context, reason_given
from ..workflow.machine import TRIGGERS, expected_next
from ..workflow.service import available_transitions, fire, load_for_transition
from ..workflow.states import STATE_NAMES
from .action_display import shown_actions
from .forms import TransitionForm
from .models import Application
from .permissions import (
    application_scope,
    can_view_application,
    can_view_applications,
    can_view_every_prefecture,
)

bp = Blueprint("applications", __name__, url_prefix="/applications")


# The list's orders; the first is the default.
SORTS = {"rank": "地市与推荐顺序", "name": "企业名称", "state": "状态", "updated": "最近更新"}


def _filters():
    args = request.args
    return {
        "state": args.get("state") if args.get("state") in VISIBLE_STATE_NAMES else "",
        "track": args.get("track") if args.get("track") in TRACKS else "",
        "prefecture": args.get("prefecture", type=db_id),
        "q": (args.get("q") or "").strip()[:100],
        "sort": sort_arg(SORTS),
    }


def _order(sort: str, state) -> tuple:
    """The list's order by ``sort``; ``state`` is the state the user may see, so neither the
    state order nor the last update tells a result still hidden (a hidden one counts as 评审中,
    its update time as unknown)."""
    by_rank = (Application.prefecture_id, Application.track_code,
               Application.priority_rank.is_(None), Application.priority_rank, Application.id)  # fmt: skip
    if sort == "name":
        return (Enterprise.name, Application.id)
    if sort == "state":
        place = case({code: i for i, code in enumerate(VISIBLE_STATE_NAMES)}, value=state)
        return (place, *by_rank)
    if sort == "updated":
        shown = case((state == NEUTRAL_STATE, None), else_=Application.updated_at)
        return (shown.is_(None), shown.desc(), Application.id.desc())
    return by_rank


@bp.route("/")
@permission_required(can_view_applications)
def index():
    f = _filters()
    base = application_scope(
        current_user,
        select(Application)
        .join(Application.enterprise)
        .where(Application.program_id == selected_program().id),
    )
    if f["track"]:
        base = base.where(Application.track_code == f["track"])
    if f["prefecture"] and can_view_every_prefecture(current_user):
        base = base.where(Application.prefecture_id == f["prefecture"])
    if f["q"]:
        like = like_pattern(f["q"])
        base = base.where(
            or_(
                Enterprise.name.like(like, escape="\\"),
                Enterprise.uscc.like(like, escape="\\"),
                Application.anon_code.like(like, escape="\\"),
            )
        )
    state = state_column(current_user)  # results hidden until their letter is released
    counts = dict(
        db.session.execute(
            base.with_only_columns(state, func.count(Application.id)).group_by(state)
        ).all()
    )
    query = base.where(state == f["state"]) if f["state"] else base
    listing = paginate(query.order_by(*_order(f["sort"], state)))
    prefectures = (
        db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars().all()
        if can_view_every_prefecture(current_user)
        else []
    )
    return render_template(
        "applications/index.html",
        rows=listing.rows,
        listing=listing,
        counts=counts,
        total=listing.total,
        filters=f,
        prefectures=prefectures,
        state_names=STATE_NAMES if sees_results_early(current_user) else VISIBLE_STATE_NAMES,
        sorts=SORTS,
    )


def _get_visible(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if not can_view_application(current_user, application):
        abort(403)
    return application


@bp.route("/<int:application_id>")
@permission_required(can_view_applications)
def show(application_id: int):
    return _page(_get_visible(application_id))


def _page(application: Application, refused: tuple[str, TransitionForm] | None = None,
          status: int = 200):  # fmt: skip
    """The application page. ``refused`` is the action whose post was refused with its form
    as posted: its reason box shows what was typed and the error beside it."""
    timeline = visible_timeline(
        application, current_user, events_for("application", application.id)
    )

    ids = {ev.actor_id for ev in timeline if ev.actor_id}
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )
    actions = shown_actions(
        expected_next(application), available_transitions(application, current_user)
    )
    # One reason box per action that may be taken, each with its own id; the refused one's
    # keeps what was typed even when the action is no longer possible (to copy elsewhere).
    reason_forms = {}
    for action in actions:
        if not action.needs_reason:
            continue
        if refused and refused[0] == action.trigger:
            form = refused[1]
        elif not action.refusal:
            form = TransitionForm(formdata=None)
        else:
            continue
        form.reason.id = f"reason-{action.trigger}"
        reason_forms[action.trigger] = form
    if refused and refused[0] not in reason_forms:  # no box to show it beside: said above
        for error in refused[1].reason.errors:
            flash(error, "error")
    return render_template(
        "applications/show.html",
        app_=application,
        timeline=timeline,
        actor_names=names,
        actions=actions,
        form=TransitionForm(formdata=None),
        reason_forms=reason_forms,
    ), status


@bp.route("/<int:application_id>/transition/<trigger>", methods=["POST"])
@keeps_input_on_csrf
@permission_required(can_view_applications)
def transition(application_id: int, trigger: str):
    """Fire ``trigger``. Refused from the application page (a reason missing or too long, a
    guard, a stale token): the page again with the reason typed, its error beside the box (400)
    or, for a guard's refusal, said above (its status); nothing changed. Refused from a list
    (``back``, a button without a reason box): back to the list with the refusal said."""
    if trigger not in TRIGGERS:
        abort(404)
    application = _get_visible(application_id)
    form = TransitionForm()
    back = local_path(form.back.data)  # the list the form was on, never another host
    if not form.validate():
        flash_hidden_errors(form)
        if back and not form.reason.errors:
            return redirect(back)
        return _page(application, (trigger, form), 400)
    try:
        application = load_for_transition(application.id)
        fire(application, trigger, current_user, reason=form.reason.data or "")
    except (PermissionDenied, NotFound):
        raise
    except DomainError as err:
        db.session.rollback()
        reason = (form.reason.data or "").strip()
        if err.message == reason_given(Context(application, current_user, reason, utcnow())):
            form.reason.errors = [*form.reason.errors, err.message]
            status = 400
        else:
            flash(err.message, "error")
            status = err.status
        if back:
            if form.reason.errors:
                flash(err.message, "error")
            return redirect(back)
        return _page(_get_visible(application_id), (trigger, form), status)
    db.session.commit()
    flash(f"{application.enterprise.name}：{STATE_NAMES[application.state]}。", "success")
    if back:
        return redirect(back)
    return redirect(url_for(".show", application_id=application.id))
