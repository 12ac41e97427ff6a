"""Users (admin) and the audit chain check (admin, coordinator)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from ..audit.display import describe
from ..audit.labels import OBJECT_LABELS
from ..audit.models import AuditEvent
from ..auth import accounts
from ..auth.forms import AccountActionForm, RoleForm, UserForm
from ..auth.models import ROLES, User
from ..auth.permissions import permission_required
from ..auth.service import create_user
from ..extensions import db
from ..form_fields import ActionForm
from ..ids import db_id
from ..jobs.models import Job
from ..jobs.tasks import verify_audit_chain
from ..jobs.views import start
from ..paging import paginate
from ..programs.models import Prefecture
from ..web import commit_or_flash, flash_hidden_errors
from . import audit_list, user_list
from .permissions import can_manage_users, can_read_audit_events, can_verify_audit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _prefecture_choices() -> list[SelectChoice]:
    prefectures = db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars()
    return [SelectChoice("", "（无）")] + [SelectChoice(p.name, p.name) for p in prefectures]


@bp.route("/users", methods=["GET", "POST"])
@permission_required(can_manage_users)
def users():
    form = UserForm()
    form.prefecture.choices = _prefecture_choices()
    status = 200
    if form.validate_on_submit():
        ok, user = commit_or_flash(
            lambda: create_user(
                form.username.data.strip(),
                form.password.data,
                form.role.data,
                display_name=(form.display_name.data or "").strip(),
                prefecture=form.prefecture.data or None,
                actor=current_user,
            )
        )
        if ok:
            flash(
                f"已创建账号 {user.username}（{user.role_name}）；首次登录须修改密码。", "success"
            )
            return redirect(url_for(".users", **user_list.list_args()))
        status = 400
    elif form.errors:
        status = 400
        flash_hidden_errors(form)
    f = user_list.filters()
    return render_template(
        "admin/users.html", listing=user_list.user_page(f), filters=f, form=form,
        roles=ROLES, statuses=user_list.STATUSES, sorts=user_list.SORTS,
    ), status  # fmt: skip


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(can_manage_users)
def user(user_id: int):
    """One account: reset its password (a one-time password shown once), unlock, disable or
    enable it, change its role."""
    account = db.session.get(User, user_id) or abort(404)
    action_form = AccountActionForm(prefix="acct")
    role_form = RoleForm(prefix="role")
    role_form.prefecture.choices = _prefecture_choices()
    one_time, status = None, 200
    if request.method == "POST":
        if action_form.validate_on_submit():
            verbs = {
                "reset": lambda: accounts.admin_reset(account, current_user),
                "unlock": lambda: accounts.unlock(account, current_user),
                "disable": lambda: accounts.set_active(account, False, current_user),
                "enable": lambda: accounts.set_active(account, True, current_user),
            }
            done, result = commit_or_flash(verbs[action_form.action.data])
            if done and action_form.action.data == "reset":
                one_time = result  # shown on this answer only, never stored in clear
            elif done:
                flash("已完成。", "success")
                return redirect(url_for(".user", user_id=user_id))
        elif role_form.validate_on_submit():
            done, _ = commit_or_flash(
                lambda: accounts.change_role(
                    account, role_form.role.data, role_form.prefecture.data or None, current_user
                ),
                "角色已修改。",
            )
            if done:
                return redirect(url_for(".user", user_id=user_id))
        else:
            flash("请求无效，请刷新页面后重试。", "error")
        status = 200 if one_time else 400
    role_form.role.data = role_form.role.data or account.role
    if not role_form.prefecture.data and account.prefecture:
        role_form.prefecture.data = account.prefecture.name
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.object_type == "user", AuditEvent.object_id == str(account.id))
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).scalars()
    return render_template(
        "admin/user.html", u=account, action_form=action_form, role_form=role_form,
        one_time=one_time, events=list(events),
    ), status  # fmt: skip


@bp.route("/audit", methods=["GET", "POST"])
@permission_required(can_verify_audit)
def audit():
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
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

    f = audit_list.filters()
    listing = paginate(audit_list.events(f), size=audit_list.PAGE_SIZE)
    rows = describe(listing.rows, identities=True) if can_read_audit_events(current_user) else []
    return render_template(
        "admin/audit.html", rows=rows, listing=listing, form=form, job=job, filters=f,
        filter_args=audit_list.url_args(f), filtered=audit_list.filtered(f),
        actions=audit_list.action_options(), objects=OBJECT_LABELS, sorts=audit_list.SORTS,
    )  # fmt: skip
