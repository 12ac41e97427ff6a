"""发件箱: every message the system sends, reviewed and released by the coordinator."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from ..audit import service as audit
from ..auth.permissions import permission_required
from ..extensions import db
from ..paging import choice, like_pattern, paginate, text_arg
from ..programs.selection import selected_program
from ..web import act, commit_or_flash, posted
from . import service
from .forms import MessageForm, OutboxForm
from .models import MESSAGE_KINDS, MESSAGE_STATUSES, OutboxMessage
from .permissions import can_manage_outbox, can_release_message

bp = Blueprint("outbox", __name__, url_prefix="/outbox")
PAGE_SIZE = 50
SORTS = {"newest": "最新在前", "oldest": "最早在前"}


@bp.route("/", methods=["GET", "POST"])
@permission_required(can_manage_outbox)
def index():
    program = selected_program()
    if request.method == "POST":
        form = posted(OutboxForm)
        action, kind = form.action.data, form.kind.data or None
        if action == "release_all":
            ok, result = commit_or_flash(lambda: service.release_all(program, current_user, kind))
            if ok:
                released, held = result
                flash(f"已发出{released}条消息" + (f"；{held}条因收件人邮箱缺失或有误未发出" if held else "")
                      + "。", "success")  # fmt: skip
        elif action == "auto_release":
            kinds = form.auto.data or []

            def verb():
                settings = dict(program.settings or {})
                before = list(service.auto_release_kinds(program))
                settings["outbox_auto_release"] = kinds
                program.settings = settings
                db.session.flush()
                audit.record("outbox.auto_release", "program", program.id, actor=current_user,
                             before={"kinds": before}, after={"kinds": kinds})  # fmt: skip

            act(verb, "已保存自动发出设置。")
        return redirect(url_for(".index", **request.args))
    status = choice("status", MESSAGE_STATUSES) or None
    kind = choice("kind", MESSAGE_KINDS) or None
    q, sort = text_arg("q"), choice("sort", SORTS, "newest")
    query = select(OutboxMessage).where(OutboxMessage.program_id == program.id)
    if status:
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if q:
        like = like_pattern(q)
        query = query.where(or_(*(column.like(like, escape="\\") for column in (
            OutboxMessage.to_name, OutboxMessage.to_address, OutboxMessage.subject))))  # fmt: skip
    order = OutboxMessage.id.asc() if sort == "oldest" else OutboxMessage.id.desc()
    page = paginate(query.order_by(order), size=PAGE_SIZE)
    return render_template(
        "outbox/index.html", page=page, counts=service.counts(program, kind), status=status,
        kind=kind, q=q, sort=sort, sorts=SORTS,
        kinds=MESSAGE_KINDS, statuses=MESSAGE_STATUSES, configured=service.delivery_configured(),
        auto=service.auto_release_kinds(program), form=OutboxForm(),
    )  # fmt: skip


@bp.route("/<int:message_id>", methods=["GET", "POST"])
@permission_required(can_manage_outbox)
def show(message_id: int):
    program = selected_program()
    message = service.require_message(message_id, program)
    if request.method == "POST":
        form = posted(MessageForm)
        action, reason = form.action.data, form.reason.data or ""
        if action == "release" and not can_release_message(current_user, message):
            flash(f"“{message.status_name}”的消息不能再发出。", "error")  # no 发出 button
        elif action == "release":
            act(lambda: service.release(message, current_user), "已发出，等待投递。")
        elif action == "cancel":
            act(lambda: service.cancel(message, current_user, reason), "已取消。")
        elif action == "resend":
            act(lambda: service.resend(message, current_user, reason), "已重新放入待发送队列。")
        return redirect(url_for(".show", message_id=message_id))
    return render_template("outbox/show.html", m=message, configured=service.delivery_configured(),
                           form=MessageForm())  # fmt: skip
