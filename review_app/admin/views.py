"""Users (admin) and the audit chain check (admin, coordinator)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..audit.models import AuditEvent
from ..auth.forms import UserForm
from ..auth.models import User
from ..auth.permissions import role_required
from ..auth.service import create_user
from ..errors import InvalidInput
from ..extensions import db
from ..ids import db_id
from ..jobs.models import Job
from ..programs.models import Prefecture

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserForm()
    prefectures = db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars()
    form.prefecture.choices = [SelectChoice("", "（无）")] + [
        SelectChoice(p.name, p.name) for p in prefectures
    ]
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(
                form.username.data.strip(),
                form.password.data,
                form.role.data,
                display_name=(form.display_name.data or "").strip(),
                prefecture=form.prefecture.data or None,
                actor=current_user,
            )
        except InvalidInput as err:
            db.session.rollback()
            flash(err.message, "error")
            status = 400
        else:
            db.session.commit()
            flash(f"已创建账号 {user.username}（{user.role_name}）。", "success")
            return redirect(url_for(".users"))
    elif form.errors:
        status = 400
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    rows = db.session.execute(select(User).order_by(User.role, User.username)).scalars().all()
    return render_template("admin/users.html", rows=rows, form=form), status


@bp.route("/audit", methods=["GET", "POST"])
@role_required("admin", "coordinator")
def audit():
    from flask import request
    from flask_wtf import FlaskForm

    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        from ..jobs.tasks import verify_audit_chain
        from ..jobs.views import start

        job = start("audit_verify")
        db.session.commit()
        verify_audit_chain(job.id)
        return redirect(url_for(".audit", job=job.id))
    job = None
    job_id = request.args.get("job", type=db_id)
    if job_id:
        job = db.session.get(Job, job_id)
        if job is not None and job.owner_id != current_user.id:
            job = None
    from ..paging import paginate

    listing = paginate(select(AuditEvent).order_by(AuditEvent.id.desc()), size=100)
    return render_template(
        "admin/audit.html", events=listing.rows, listing=listing, form=form, job=job
    )
