"""The expert's scoring form; the coordinator's 复议 flags, reopening and breakdown."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..applications.models import Application
from ..assignment.models import Assignment
from ..auth.permissions import can_view_assignment, role_required
from ..errors import DomainError
from ..extensions import db
from . import service
from .forms import score_form_class, values_from
from .models import DispersionFlag, Review

bp = Blueprint("scoring", __name__)


@bp.route("/expert/assignments/<int:assignment_id>/score", methods=["GET", "POST"])
@role_required("expert")
def score(assignment_id: int):
    item = db.session.get(Assignment, assignment_id) or abort(404)
    if not can_view_assignment(current_user, item):
        abort(403)
    section = item.section
    if section.leak_status != "confirmed":
        abort(404)  # never a text that is not confirmed anonymous
    section_rubric = service.rubric_section(section)
    review = service.review_of(item)
    form = score_form_class(section_rubric)()
    status = 200
    if request.method == "GET" and review is not None:
        form.version.data = review.version
        form.comment.data = review.comment
        for s in review.scores:
            if hasattr(form, f"c_{s.criterion_code}"):
                getattr(form, f"c_{s.criterion_code}").data = s.points
                getattr(form, f"na_{s.criterion_code}").data = s.not_applicable
    if request.method == "POST":
        if form.validate_on_submit():
            submit = request.form.get("action") == "submit"
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            try:
                service.save(
                    item, values_from(form, section_rubric), form.comment.data or "",
                    version=version, actor=current_user, submit=submit,
                )  # fmt: skip
            except DomainError as err:
                db.session.rollback()
                flash(err.message, "error")
                status = err.status if err.status != 403 else 403
            else:
                db.session.commit()
                flash("评分已提交并锁定。" if submit else "草稿已保存。", "success")
                if submit:
                    return redirect(url_for("expert.assignments"))
                return redirect(url_for(".score", assignment_id=item.id))
        else:
            status = 400
            flash("请改正标出的错误；已填写的内容已保留。", "error")
    locked = review is not None and review.status == "submitted"
    return render_template(
        "scoring/form.html", item=item, form=form, rubric=section_rubric, review=review,
        locked=locked,
    ), status  # fmt: skip


@bp.route("/scoring/flags", methods=["GET", "POST"])
@role_required("coordinator")
def flags():
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        flag = db.session.get(DispersionFlag, request.form.get("flag_id", type=int)) or abort(404)
        service.resolve_flag(
            flag, request.form.get("mode", ""), request.form.get("reason", ""),
            [int(i) for i in request.form.getlist("reviewers")], current_user,
        )  # fmt: skip
        db.session.commit()
        flash("复议已处理。", "success")
        return redirect(url_for(".flags"))
    rows = db.session.execute(
        select(DispersionFlag).order_by(DispersionFlag.status, DispersionFlag.id)
    ).scalars().all()  # fmt: skip
    reviews = {
        f.id: db.session.execute(
            select(Assignment, Review)
            .join(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.section_id == f.section_id)
        ).all()
        for f in rows
    }
    return render_template("scoring/flags.html", rows=rows, reviews=reviews, form=FlaskForm())


@bp.route("/scoring/reviews/<int:review_id>/reopen", methods=["POST"])
@role_required("coordinator")
def reopen(review_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    review = db.session.get(Review, review_id) or abort(404)
    service.reopen(review, request.form.get("reason", ""), current_user)
    db.session.commit()
    flash("已重新开放该评分。", "success")
    return redirect(url_for(".breakdown", application_id=review.assignment.application_id))


@bp.route("/scoring/applications/<int:application_id>")
@role_required("coordinator")
def breakdown(application_id: int):
    """Each section's reviewers, their totals and the aggregate: recomputable by hand."""
    application = db.session.get(Application, application_id) or abort(404)
    result = service.application_breakdown(application)
    return render_template(
        "scoring/breakdown.html", app_=application, result=result, form=FlaskForm()
    )
