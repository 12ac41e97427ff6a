"""The expert's scoring form; the coordinator's 复议 flags, reopening and breakdown."""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from ..anonymise.service import check_distributable
from ..applications.models import Application, Section
from ..assignment.models import Assignment
from ..auth.permissions import permission_required
from ..clock import china_date, utcnow
from ..errors import DomainError
from ..experts.models import Expert
from ..experts.service import expert_of
from ..extensions import db
from ..ids import db_id
from ..intake.parsed import UnreadableFile
from ..meeting.people import slot_of
from ..paging import paginate
from ..panel import roles, threads
from ..panel.comments import refuse_leaky_comment, review_comment_hits
from ..programs.selection import selected_program
from ..web import flash_hidden_errors, keeps_input_on_csrf, posted, reads_only, refusal_beside
from . import progress as progress_list
from . import service, stored
from .forms import FlagForm, ReasonForm, SheetForm, score_form_class, values_from
from .in_force import is_meeting_review
from .models import DispersionFlag, Review
from .permissions import (
    can_enter_scores,
    can_reopen_review,
    can_resolve_flag,
    can_score,
    can_view_score_breakdown,
    can_view_scoring_progress,
)
from .queue import place_of
from .sheet import write_sheet

bp = Blueprint("scoring", __name__)
# 复议's lists: the open flags first (what is left to do), the resolved ones, all; paged so the
# page stays short at province scale (each flag is a card with its reviews and a form).
FLAG_VIEWS = {"open": "待复议", "resolved": "已处理", "all": "全部"}
FLAGS_PER_PAGE = 20


@bp.route("/expert/assignments/<int:assignment_id>/score", methods=["GET", "POST"])
@reads_only
@keeps_input_on_csrf
@permission_required(can_score)
def score(assignment_id: int):
    """The score sheet. A refused post (bad value, stale token, stale version) re-renders it
    with everything typed; score.js autosaves a draft through the same post (``X-Autosave``:
    answered with JSON, the new version, instead of a page)."""
    item, review = service.scoring_task(assignment_id) or abort(404)
    if not can_score(current_user, item):
        abort(403)
    if is_meeting_review(item.application):  # 会议评审: the whole application on one page
        slot = slot_of(item.application_id) or abort(404)
        return redirect(url_for("meeting.score", slot_id=slot.id))
    section = item.section
    check_distributable(section)  # never a text that is not confirmed anonymous (409)
    section_rubric = service.rubric_section(section)
    form = score_form_class(section_rubric)()
    status = 200
    if request.method == "GET" and review is not None:
        form.version.data = review.version
        form.comment.data = review.comment
        for s in review.scores:
            if hasattr(form, f"c_{s.criterion_code}"):
                getattr(form, f"c_{s.criterion_code}").data = s.points
                getattr(form, f"na_{s.criterion_code}").data = s.not_applicable
    autosave = request.method == "POST" and request.headers.get("X-Autosave") == "1"
    if request.method == "POST":
        if form.validate_on_submit():
            submit = form.action.data == "submit" and not autosave
            version = form.version.data
            try:
                if submit:  # text that can leave the panel: no identifier in it
                    refuse_leaky_comment(item, form.comment.data or "")
                saved = service.save(
                    item, values_from(form, section_rubric), form.comment.data or "",
                    version=version, actor=current_user, submit=submit, review=review,
                )  # fmt: skip
            except DomainError as err:
                db.session.rollback()
                if autosave:
                    return jsonify(error=err.message), err.status
                flash(err.message, "error")
                status = err.status if err.status != 403 else 403
            else:
                db.session.commit()
                if autosave:
                    return jsonify(version=saved.version, message="草稿已自动保存。")
                flash("评分已提交并锁定。" if submit else "草稿已保存。", "success")
                if submit:
                    return redirect(url_for("expert.assignments"))
                # the URL's id (item.id would reload the row the commit expired)
                return redirect(url_for(".score", assignment_id=assignment_id))
        else:
            status = 400
            if autosave:
                stale = bool(form.csrf_token.errors)
                return jsonify(error="自动保存未成功：" + ("页面已过期，请刷新页面（已输入的内容保留在本浏览器中）。"
                               if stale else "请改正标出的错误。")), 400  # fmt: skip
            if form.csrf_token.errors:
                form.csrf_token.errors = []  # the form carries a fresh token now
                flash("页面的安全令牌已失效，未保存；已填写的内容已保留，请再次保存。", "error")
            else:
                flash("请改正标出的错误；已填写的内容已保留。", "error")
    locked = review is not None and review.status == "submitted"
    return render_template(
        "scoring/form.html", item=item, form=form, rubric=section_rubric, review=review,
        locked=locked, comment_hits=review_comment_hits(item, review), place=place_of(item),
    ), status  # fmt: skip


@bp.route("/scoring/flags", methods=["GET", "POST"])
@keeps_input_on_csrf
@permission_required(can_resolve_flag)
def flags():
    """复议's list; each open flag's form. Refused (no reason, no reviewer to re-score, too long,
    a stale token, resolved meanwhile): the list again (400) with that flag's form as it was
    filled in, each error beside its field; nothing changed."""
    form = FlagForm()
    if request.method != "POST":
        return _flags_page(form)
    if not form.validate_on_submit():
        return _flags_page(form, 400)
    flag = db.session.get(DispersionFlag, form.flag_id.data) or abort(404)
    try:
        service.resolve_flag(
            flag, form.mode.data, form.reason.data or "", form.reviewers.data, current_user
        )
    except DomainError as err:
        db.session.rollback()
        refusal_beside(form, err)
        return _flags_page(form, 400)
    db.session.commit()
    flash("复议已处理。", "success")
    return redirect(url_for(".flags", show=request.args.get("show"), page=request.args.get("page")))


def _flags_page(form: FlagForm, status: int = 200):
    show = request.args.get("show", "open")
    show = show if show in FLAG_VIEWS else "open"
    query = (
        select(DispersionFlag)
        .join(Application, Application.id == DispersionFlag.application_id)
        .where(Application.program_id == selected_program().id)
        .options(
            joinedload(DispersionFlag.application),
            joinedload(DispersionFlag.section).options(
                defer(Section.text), defer(Section.anonymised_text),
                defer(Section.redaction_report),
            ),
        )
        .order_by(DispersionFlag.status, DispersionFlag.id)
    )  # fmt: skip
    if show == "open":
        query = query.where(DispersionFlag.status == "open")
    elif show == "resolved":
        query = query.where(DispersionFlag.status != "open")
    page = paginate(query, FLAGS_PER_PAGE)
    rows = page.rows
    by_section: dict[int, list] = {}
    if rows:
        for a, r in db.session.execute(
            select(Assignment, Review)
            .join(Review, Review.assignment_id == Assignment.id)
            .options(joinedload(Assignment.expert))
            .where(Assignment.section_id.in_({f.section_id for f in rows}))
            .order_by(Assignment.id)
        ):
            by_section.setdefault(a.section_id, []).append((a, r))
    reviews = {f.id: by_section.get(f.section_id, []) for f in rows}
    # The sections' current spread from the stored aggregates of their tracks.
    results = {
        key: service.track_results(*key)
        for key in {(f.application.program_id, f.application.track_code) for f in rows}
    }
    stats = {}
    for f in rows:
        scores = results[(f.application.program_id, f.application.track_code)].scores
        aggregate = scores.get(f.application_id, (None,))[0]
        if aggregate is not None and f.section.key in aggregate.sections:
            stats[f.id] = aggregate.sections[f.section.key]
    # A refused form: its flag's card shows it as filled in, errors beside the fields; an error
    # with no box on the page (the token, the flag no longer listed or open) is said above it.
    refused = form.flag_id.data if form.errors else None
    card = next((f for f in rows if f.id == refused and f.status == "open"), None)
    if card is not None:  # its boxes' ids (and their errors') name the flag: one per card
        form.reason.id, form.reviewers.id = f"reason-{card.id}", f"reviewers-{card.id}"
    if status != 200:
        flash_hidden_errors(form)
        for name in ("flag_id", "mode", "reason", "reviewers"):
            if card is None or name in ("flag_id", "mode"):
                for error in form[name].errors:
                    flash(f"“{form[name].label.text}”：{error}", "error")
    # The reviewers' codes and the threads' post counts of every flag, in two queries.
    return render_template(
        "scoring/flags.html", rows=rows, reviews=reviews, stats=stats, form=form,
        refused=card.id if card is not None else None, page=page, show=show, views=FLAG_VIEWS,
        codes=roles.codes_by_section(f.section_id for f in rows),
        posts=threads.counts(f.id for f in rows),
    ), status  # fmt: skip


@bp.after_app_request
def keep_stored_aggregates(response):
    """A page that recomputed a track's aggregates keeps them (``stored.commit_stored``): the
    GET's transaction is committed when it wrote nothing else."""
    if request.method in ("GET", "HEAD") and response.status_code < 400:
        stored.commit_stored()
    return response


@bp.route("/scoring/reviews/<int:review_id>/reopen", methods=["POST"])
@permission_required(can_reopen_review)
def reopen(review_id: int):
    review = db.session.get(Review, review_id) or abort(404)
    service.reopen(review, posted(ReasonForm).reason.data or "", current_user)
    db.session.commit()
    flash("已重新开放该评分。", "success")
    return redirect(url_for(".breakdown", application_id=review.assignment.application_id))


@bp.route("/scoring/applications/<int:application_id>")
@permission_required(can_view_score_breakdown)
def breakdown(application_id: int):
    """Each section's reviewers, their totals and the aggregate: recomputable by hand."""
    application = db.session.get(Application, application_id) or abort(404)
    result = service.application_breakdown(application)
    return render_template(
        "scoring/breakdown.html", app_=application, result=result, form=ReasonForm()
    )


@bp.route("/scoring/progress")
@permission_required(can_view_scoring_progress)
def progress():
    """Scoring progress per panel, and per expert one page at a time (filters, order and page
    in the URL), with overdue tasks; the offline sheet of each expert."""
    today = china_date(utcnow())
    program = selected_program()
    f = progress_list.filters(program)
    return render_template(
        "scoring/progress.html", today=today, filters=f,
        panels=progress_list.by_panel(program, f, today),
        listing=progress_list.by_expert(program, f, today),
        panel_choices={i: p.name for i, p in progress_list.panels_of(program, f["track"]).items()},
        statuses=progress_list.STATUSES, sorts=progress_list.SORTS,
        back=progress_list.list_args(program),
    )  # fmt: skip


def _sheet_expert(expert_id: int | None):
    """The expert whose sheet is wanted: oneself, or any expert for the coordinator."""
    if can_score(current_user):
        expert = expert_of(current_user)
    else:
        expert = db.session.get(Expert, expert_id) if expert_id else None
    if expert is None:
        abort(404)
    return expert


@bp.route("/scoring/sheet.xlsx")
@permission_required(can_enter_scores)
def sheet_download():

    expert = _sheet_expert(request.args.get("expert", type=db_id))
    data = write_sheet(expert.name, service.sheet_tasks(expert))
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="评分表.xlsx",
    )


@bp.route("/scoring/sheet", methods=["POST"])
@permission_required(can_enter_scores)
def sheet_upload():

    form = posted(SheetForm)
    expert = _sheet_expert(form.expert.data)
    upload = form.file.data
    back = (
        url_for("expert.assignments") if can_score(current_user)
        else url_for(".progress", **progress_list.list_args(selected_program()))
    )  # fmt: skip
    if upload is None or not upload.filename:
        flash("请选择评分表（.xlsx）。", "error")
        return redirect(back)
    try:
        applied = service.apply_sheet(
            expert, upload.read(), current_user, submit=form.action.data == "submit"
        )
    except UnreadableFile as err:
        flash(err.message, "error")
        return redirect(back)
    except service.SheetRejected as err:
        db.session.rollback()
        return render_template("scoring/sheet_errors.html", errors=err.errors, back=back), 400
    db.session.commit()
    flash(f"评分表已导入：{applied}个任务。", "success")
    return redirect(back)
