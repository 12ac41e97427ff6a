"""Panels, the conflict matrix, automatic assignment (preview, commit) and the expert's
declaration of a conflict."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import paging
from ..applications.catalogue import scored_sections
from ..applications.models import Application
from ..auth.permissions import permission_required
from ..errors import DomainError
from ..experts.models import Expert, Panel
from ..experts.permissions import can_review
from ..extensions import db
from ..forms_numeric import parse_decimal, parse_int
from ..ids import db_id
from ..jobs.tasks import commit_assignment
from ..jobs.views import start
from ..programs.models import TRACKS
from ..programs.selection import selected_program
from ..scoring.in_force import is_meeting_review
from ..web import act, posted, reads_only
from . import conflict_list, conflict_service, membership, service
from .forms import AutoAssignForm, ConflictForm, DeclareForm, ManualAssignForm, PanelMembersForm
from .models import CONFLICT_RULES, CONFLICT_STATUSES, Assignment, Conflict
from .permissions import can_adjust_experts, can_declare_conflict
from .solver import Infeasible

bp = Blueprint("assignment", __name__, url_prefix="/assignment")


def _share(raw) -> float | None:
    """The randomised mode's q: a finite number (NaN, Infinity refused by ``parse_decimal``)."""
    value = parse_decimal(raw)
    return None if value is None else float(value)


def _panel_args(panel: Panel | None = None) -> dict:
    """The panel page's choices as URL arguments: the track and panel, the search text and the
    members' page (after a POST, back to the same page)."""
    args = {"track": paging.choice("track", TRACKS, "excellent"),
            "panel": request.args.get("panel", type=db_id), "q": paging.text_arg("q", 50)}  # fmt: skip
    if panel is not None:
        args |= {"track": panel.track_code, "panel": panel.id}
    return paging.list_args(args)


@bp.route("/panels", methods=["GET", "POST"])
@reads_only
@permission_required(can_adjust_experts)
def panels():
    """A track's panels; one panel's members (paged) and the search for experts to add. A GET
    only reads: the panels are built by a POST (the page's 建立评审组 button, or the draws
    page), never as a side effect of viewing. Each add or remove is one transaction."""
    program = selected_program()
    track = paging.choice("track", TRACKS, "excellent")
    if request.method == "POST":
        form = posted(PanelMembersForm)
        if form.action.data == "ensure":
            act(lambda: service.ensure_panels(program, current_user), "已按重点环节建立评审组。")
            return redirect(url_for(".panels", track=track))
        panel = membership.panel_of(program, form.panel_id.data)
        if form.action.data == "add":
            expert = membership.add_member(panel, form.expert_id.data, current_user)
            # the newcomer's conflicts, before any assignment can use the panel
            conflict_service.detect_conflicts(program, current_user, [expert])
            message = f"已将{expert.name}加入{panel.name}，并检测了其利益冲突。"
        else:
            expert = membership.remove_member(panel, form.expert_id.data, current_user)
            message = f"已将{expert.name}移出{panel.name}。"
        db.session.commit()
        flash(message, "success")
        return redirect(url_for(".panels", **_panel_args(panel)))
    rows = db.session.execute(
        select(Panel).where(Panel.program_id == program.id, Panel.track_code == track).order_by(Panel.id)
    ).scalars().all()  # fmt: skip
    wanted = request.args.get("panel", type=db_id)
    panel = next((p for p in rows if p.id == wanted), rows[0] if rows else None)
    q = paging.text_arg("q", 50)
    return render_template(
        "assignment/panels.html", panels=rows, panel=panel, track=track, q=q,
        counts=membership.member_counts(rows),
        members=membership.member_page(panel) if panel else None,
        found=membership.search(panel, q) if panel else None, results=membership.RESULTS,
        form=PanelMembersForm(), missing=service.missing_panels(program, track),
    )  # fmt: skip


@bp.route("/conflicts", methods=["GET", "POST"])
@permission_required(can_adjust_experts)
def conflicts():
    program = selected_program()
    if request.method == "POST":
        form = posted(ConflictForm)
        action, reason = form.action.data, form.reason.data or ""
        if action == "detect":
            summary = conflict_service.detect_conflicts(program, current_user)
            db.session.commit()
            flash(f"检测完成：新增{summary['added']}项，移除{summary['removed']}项。", "success")
            return redirect(url_for(".conflicts", **conflict_list.list_args()))
        conflict = db.session.get(Conflict, form.conflict_id.data) or abort(404)
        verbs = {
            "waive": lambda: conflict_service.waive(conflict, reason, current_user),
            "pin": lambda: conflict_service.pin(conflict, reason, current_user),
            "confirm": lambda: conflict_service.confirm_pending(conflict, current_user),
            "dismiss": lambda: conflict_service.dismiss(conflict, reason, current_user),
        }
        verbs[action]()
        db.session.commit()
        flash("已记录。", "success")
        # back to the same page of the list
        return redirect(url_for(".conflicts", **conflict_list.list_args()))
    apps = service.staffing_applications(program, joinedload(Application.enterprise))
    f = conflict_list.filters()
    return render_template(
        "assignment/conflicts.html", listing=conflict_list.conflict_page(f), filters=f,
        apps=apps, matrix=conflict_list.conflict_matrix(apps), rules=CONFLICT_RULES,
        statuses=CONFLICT_STATUSES, sources=conflict_list.SOURCES, sorts=conflict_list.SORTS,
        form=ConflictForm(),
    )  # fmt: skip


@bp.route("/<track>", methods=["GET", "POST"])
@permission_required(can_adjust_experts)
def auto(track: str):
    if track not in TRACKS:
        abort(404)
    program = selected_program()
    form = posted(AutoAssignForm) if request.method == "POST" else None
    if form is not None:
        seed, mode, q = form.seed.data, form.mode.data, form.q.data
    else:
        seed = request.args.get("seed", type=parse_int)
        mode, q = request.args.get("mode"), request.args.get("q", type=_share)
    seed = program.year if seed is None else seed  # the page suggests the year: any integer
    mode = "randomised" if mode == "randomised" else "optimal"
    q = (0.5 if q is None else q) if mode == "randomised" else None
    ready, waiting = service.ready_applications(program, track)
    if form is not None:
        due_date = form.due.data

        job = start("assignment", {
            "program_id": program.id, "track": track, "seed": seed, "q": q,
            "due": due_date.isoformat() if due_date else None,
            "back": url_for(".auto", track=track, seed=seed, mode=mode, q=q),
        })  # fmt: skip
        db.session.commit()
        commit_assignment(job.id)
        return redirect(url_for("jobs.show", job_id=job.id))
    solution, problem_error, shortages = None, None, []
    if ready and request.args.get("preview"):
        try:
            solution, _ = service.preview(program, track, seed, q)
        except Infeasible as err:
            problem_error, shortages = err.message, err.shortages
        except DomainError as err:
            problem_error = err.message
    sections = {s.id: s for a in ready for s in a.sections}
    experts = {e.id: e for e in db.session.execute(select(Expert)).scalars()}
    return render_template(
        "assignment/auto.html", track=track, seed=seed, mode=mode, q=q if q is not None else 0.5,
        ready=ready, waiting=waiting,
        solution=solution, problem_error=problem_error, shortages=shortages,
        sections=sections, experts=experts, form=AutoAssignForm(formdata=None),
    )  # fmt: skip


@bp.route("/applications/<int:application_id>", methods=["GET", "POST"])
@permission_required(can_adjust_experts)
def manual(application_id: int):
    """调整评审专家: the reviewers of each scored section; add or remove one by hand."""
    application = db.session.get(Application, application_id) or abort(404)
    if request.method == "POST":
        form = posted(ManualAssignForm)
        if form.action.data == "remove":
            item = db.session.get(Assignment, form.assignment_id.data)
            if item is None or item.application_id != application.id:
                abort(404)
            service.manual_remove(item, current_user)
            flash("已撤销该专家的任务。", "success")
        else:
            wanted = form.section_id.data
            section = next((s for s in application.sections if s.id == wanted), None) or abort(404)
            expert = db.session.get(Expert, form.expert_id.data) or abort(404)
            service.manual_assign(section, expert, current_user)
            flash(f"已将{section.title}分配给{expert.name}。", "success")
        db.session.commit()
        return redirect(url_for(".manual", application_id=application.id))

    panels = {
        p.section_group: p
        for p in db.session.execute(
            select(Panel).where(
                Panel.program_id == application.program_id,
                Panel.track_code == application.track_code,
            )
        ).scalars()
    }
    rows = []
    assignments = db.session.execute(
        select(Assignment).where(Assignment.application_id == application.id)
    ).scalars().all()  # fmt: skip
    for spec in scored_sections(application.track_code):
        section = application.section(spec.key)
        if section is None:
            continue
        panel = panels.get(spec.group)
        rows.append(
            {
                "section": section,
                "assignments": [a for a in assignments if a.section_id == section.id],
                "candidates": [m.expert for m in panel.members] if panel else [],
            }
        )
    return render_template(
        "assignment/manual.html", app_=application, rows=rows, form=ManualAssignForm(),
        blocked=conflict_service.blocking_pairs(application.program),
    )  # fmt: skip


@bp.route("/mine/<int:assignment_id>/declare", methods=["POST"])
@permission_required(can_declare_conflict)
def declare(assignment_id: int):
    """回避: the expert declares a conflict; the section is reassigned at once."""
    item = db.session.get(Assignment, assignment_id) or abort(404)
    if not can_review(current_user, item):
        abort(403)
    form = posted(DeclareForm)
    try:  # solve first, then append to the audit chain (its lock never held by the solver)
        created = service.declare_and_reassign(item, form.reason.data or "", current_user)
        message = (
            "已申报回避，该章节已改由其他专家评审。"
            if created is not None or not is_meeting_review(item.application)
            else "已申报回避，该申报改由其他到会专家评分。"
        )
    except Infeasible:
        # No free expert now: the section shows as short on the coordinator's page.
        message = "已申报回避，省厅协调员将另行安排其他专家。"
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("expert.assignments"))
