"""专家抽取 pages: the coordinator draws each panel from the pool with a seed typed at the draw
and follows the invitations; an expert answers its invitations and signs the pledge, without
which no text of the program is shown (``require_pledge``)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..applications.catalogue import GROUP_NAMES
from ..assignment.service import ensure_panels
from ..auth.permissions import permission_required
from ..errors import DomainError, NotFound
from ..experts import expert_list
from ..experts.models import RELATION_KINDS, Expert, ExpertAvailability, Panel
from ..experts.service import expert_of
from ..extensions import db
from ..form_fields import ActionForm
from ..paging import choice, list_args, paginate
from ..programs.models import TRACK_NAMES, Prefecture, Program
from ..programs.selection import selected_program
from ..web import act, first_error, local_path, posted
from . import service
from .forms import AnswerForm, AvailabilityForm, DrawForm, PledgeForm
from .models import INVITATION_STATUSES, DrawRun, Invitation
from .permissions import can_answer_invitation, can_manage_draws, can_sign_pledge
from .typed import defaults, typed

bp = Blueprint("draws", __name__)
INVITATIONS_PER_PAGE = 50

# Pages that show an application's text to an expert: the pledge comes first.
TEXT_ENDPOINTS = {
    "scoring.score",
    "scoring.sheet_download",
    "scoring.sheet_upload",
    "expert.assignment",
    "expert.packet",
}


@bp.before_app_request
def require_pledge():
    if request.endpoint not in TEXT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not can_sign_pledge(current_user):
        return None
    if service.signed_current_pledge(current_user):  # one statement on every text page
        return None
    # (without a program at all the pledge page says so)
    flash("查看评审材料前，请先阅读并签署保密与回避承诺。", "warning")
    return redirect(url_for("draws.pledge", next=request.full_path))


def _panel(panel_id: int, program) -> Panel:
    panel = db.session.get(Panel, panel_id)
    if panel is None or panel.program_id != program.id:
        raise NotFound("没有这个专家组。")
    return panel


# -- coordinator ----------------------------------------------------------------------------


@bp.route("/draws/", methods=["GET", "POST"])
@permission_required(can_manage_draws)
def index():
    program = selected_program()
    if request.method == "POST":
        posted(ActionForm)
        act(lambda: ensure_panels(program, current_user), "已按重点环节建立专家组。")
        return redirect(url_for(".index"))
    panels = list(
        db.session.execute(
            select(Panel).where(Panel.program_id == program.id).order_by(Panel.track_code, Panel.id)
        ).scalars()
    )
    rows = [(p, service.panel_status(p)) for p in panels]
    return render_template("draws/index.html", rows=rows, program=program, form=ActionForm(),
                           TRACK_NAMES=TRACK_NAMES)  # fmt: skip


@bp.route("/draws/panels/<int:panel_id>", methods=["GET", "POST"])
@permission_required(can_manage_draws)
def panel(panel_id: int):
    program = selected_program()
    the_panel = _panel(panel_id, program)
    if request.method == "POST":
        form = DrawForm()
        if form.validate_on_submit() and form.action.data == "expire":
            act(service.expire_overdue, "已处理逾期未答复的邀请。")
            return redirect(url_for(".panel", panel_id=panel_id))
        if not form.validate_on_submit():
            return _panel_page(program, the_panel, typed(form), first_error(form))
        try:
            run = service.run_draw(program, the_panel, _values(form), form.seed.data or "",
                                   current_user)  # fmt: skip
        except DomainError as err:  # nothing kept; the reason once, beside what was typed
            db.session.rollback()
            return _panel_page(program, the_panel, typed(form), err.message)
        db.session.commit()
        flash(f"已抽取{len(run.drawn)}名专家和{len(run.backups)}名备选，邀请已放入发件箱。",
              "success")  # fmt: skip
        return redirect(url_for(".panel", panel_id=panel_id))
    return _panel_page(program, the_panel)


def _values(form: DrawForm) -> dict:
    return {
        "count": form.count.data or 0,
        "backups": form.backups.data or 0,
        "specialties": form.specialties.data or [],
        "max_per_unit": form.max_per_unit.data,
        "max_per_prefecture": form.max_per_prefecture.data,
        "excluded_prefectures": form.excluded_prefectures.data or [],
        "exclude_recent": form.exclude_recent.data,
        "recent_programs": form.recent_programs.data or 0,
        "answer_hours": form.answer_hours.data or service.DEFAULT_ANSWER_HOURS,
    }


def _panel_page(program, the_panel: Panel, values: dict | None = None, error: str = ""):
    """The panel's page; after a refused draw (``error``) with the typed ``values``, 400."""
    status = service.panel_status(the_panel)
    experts = {
        e.id: e
        for e in db.session.execute(
            select(Expert).where(
                Expert.id.in_([i.expert_id for r in status["runs"] for i in r.invitations] or [-1])
            )
        ).scalars()
    }
    prefectures = list(
        db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars()
    )
    excluded_default = (program.settings or {}).get("draw_excluded_prefectures", [])
    default_specialty = (
        the_panel.section_group if the_panel.section_group.startswith("link.") else ""
    )
    shown = values or defaults(status, excluded_default, default_specialty)
    page = render_template(
        "draws/panel.html", panel=the_panel, label=service.panel_label(the_panel), status=status,
        experts=experts, prefectures=prefectures, values=shown, error=error,
        specialties=GROUP_NAMES, form=DrawForm(formdata=None),
    )  # fmt: skip
    return (page, 400) if error else page


@bp.route("/draws/runs/<int:draw_id>/verify", methods=["POST"])
@permission_required(can_manage_draws)
def verify(draw_id: int):
    run = db.session.get(DrawRun, draw_id)
    if run is None:
        raise NotFound("没有这次抽取。")
    problems = service.verify_run(run)
    if problems:
        flash("复核不一致：" + "；".join(problems), "error")
    else:
        flash(
            f"复核一致：以种子“{run.seed}”和记录的专家库快照重算，得到同样的抽取结果。", "success"
        )
    return redirect(url_for(".panel", panel_id=run.panel_id))


@bp.route("/draws/pool", methods=["GET", "POST"])
@permission_required(can_manage_draws)
def pool():
    program = selected_program()
    if request.method == "POST":
        form = posted(AvailabilityForm)
        expert = db.session.get(Expert, form.expert_id.data)
        if expert is None:
            raise NotFound("没有这位专家。")
        available = form.available.data == "1"
        act(lambda: service.set_availability(program, expert, available, form.note.data or "",
                                              current_user),
             f"已更新{expert.name}在本批次的可参加状态。")  # fmt: skip
        return redirect(url_for(".pool", **list_args(pool_filters(), expert_list.DEFAULTS)))
    f, listing = pool_page(program)
    return render_template(
        "draws/pool.html", listing=listing, filters=f, availability=service.availability(program),
        history=service.history(e.id for e in listing.rows), program=program,
        form=AvailabilityForm(), GROUP_NAMES=GROUP_NAMES, prefectures=expert_list.prefectures(),
        specialties=expert_list.SPECIALTIES, sorts=expert_list.SORTS, AVAILABILITY=AVAILABILITY,
    )  # fmt: skip


AVAILABILITY = {"available": "可参加", "unavailable": "本批次不能参加"}


def pool_filters() -> dict:
    """The pool's filters from the URL: the expert list's and 本批次 availability."""
    return {**expert_list.filters(), "available": choice("available", AVAILABILITY)}


def pool_page(program: Program):
    """The filters and one page of the pool (50 experts at most)."""
    f = pool_filters()
    unavailable = select(ExpertAvailability.expert_id).where(
        ExpertAvailability.program_id == program.id, ExpertAvailability.available.is_(False)
    )
    where = {"available": (Expert.id.not_in(unavailable),),
             "unavailable": (Expert.id.in_(unavailable),)}.get(f["available"], ())  # fmt: skip
    return f, expert_list.expert_page(f, *where)


# -- expert ---------------------------------------------------------------------------------


@bp.route("/invitations/")
@permission_required(can_answer_invitation)
def invitations():
    expert = expert_of(current_user)
    shown = {k: v for k, v in INVITATION_STATUSES.items() if k != "standby"}
    status = choice("status", shown)  # unknown values ignored
    query = select(Invitation).where(
        Invitation.expert_id == (expert.id if expert is not None else -1),
        Invitation.status != "standby",
    )
    if status:
        query = query.where(Invitation.status == status)
    listing = paginate(query.order_by(Invitation.id.desc()), size=INVITATIONS_PER_PAGE)
    return render_template(
        "draws/invitations.html", listing=listing, rows=listing.rows, status=status,
        statuses=shown, label=service.panel_label,
    )  # fmt: skip


@bp.route("/invitations/<int:invitation_id>", methods=["GET", "POST"])
@permission_required(can_answer_invitation)
def invitation(invitation_id: int):
    inv = service.own_invitation(invitation_id, current_user)
    if request.method == "POST":
        form = posted(AnswerForm)
        accept = form.action.data == "accept"
        reason = form.reason.data or ""
        done = act(
            lambda: service.answer(inv, accept, reason, current_user),
            "已接受邀请。" if accept else "已谢绝邀请，系统将递补备选专家。",
        )
        expert = expert_of(current_user)
        program = db.session.get(Program, inv.panel.program_id)  # the invitation's program
        if done and accept and service.pledge_of(expert, program) is None:
            return redirect(url_for(".pledge"))
        return redirect(url_for(".invitation", invitation_id=invitation_id))
    return render_template("draws/invitation.html", inv=inv, label=service.panel_label(inv.panel),
                           form=AnswerForm())  # fmt: skip


@bp.route("/pledge", methods=["GET", "POST"])
@permission_required(can_sign_pledge)
def pledge():
    program = selected_program()
    expert = expert_of(current_user)
    if expert is None:
        raise NotFound("您的账号尚未关联专家信息，请联系省厅协调员。")
    signed = service.pledge_of(expert, program)
    nxt = local_path(request.values.get("next")) or ""
    if request.method == "POST" and signed is None:
        form = posted(PledgeForm)
        declared = [
            {"enterprise": e, "kind": k, "note": n}
            for e, k, n in zip(form.enterprise.data or [], form.kind.data or [],
                               form.note.data or [], strict=False)
        ]  # fmt: skip
        ok = act(
            lambda: service.sign_pledge(
                expert, program, signed_name=form.signed_name.data or "",
                agreed=form.agreed.data, declared=declared, actor=current_user,
            ),
            "已签署保密与回避承诺。",
        )  # fmt: skip
        if ok:
            return redirect(nxt or url_for("expert.assignments"))
        return redirect(url_for(".pledge", next=nxt or None))
    return render_template(
        "draws/pledge.html", program=program, expert=expert, signed=signed,
        items=service.PLEDGE_ITEMS, kinds=RELATION_KINDS, form=PledgeForm(), next=nxt,
    )  # fmt: skip
