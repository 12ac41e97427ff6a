"""Webhook: URLs that receive application state changes as signed JSON (coordinator)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import permission_required
from ..extensions import db
from ..form_fields import ActionForm
from ..paging import choice, paginate
from ..web import commit_or_flash, posted
from . import service
from .forms import ActiveForm, WebhookForm
from .models import DELIVERY_STATUSES, Webhook, WebhookDelivery
from .permissions import can_manage_webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
PAGE_SIZE = 50
DELIVERY_SORTS = {"newest": "最新在前", "oldest": "最早在前"}


def _index(new=None, new_secret: str | None = None, entered: dict | None = None, status=200):
    webhooks = db.session.execute(select(Webhook).order_by(Webhook.id)).scalars().all()
    return render_template(
        "webhooks/index.html", webhooks=webhooks, counts={w.id: service.counts(w) for w in webhooks},
        masked=service.masked, new=new, new_secret=new_secret, entered=entered or {},
        statuses=DELIVERY_STATUSES, form=WebhookForm(formdata=None),
    ), status  # fmt: skip


@bp.route("/", methods=["GET", "POST"])
@permission_required(can_manage_webhooks)
def index():
    if request.method == "POST":
        form = posted(WebhookForm)
        entered = {k: form[k].data or "" for k in ("url", "description", "secret")}
        ok, webhook = commit_or_flash(
            lambda: service.register(
                entered["url"], entered["secret"], entered["description"], current_user
            )
        )
        if not ok:
            entered.pop("secret")  # never echo a secret back into a form
            return _index(entered=entered)
        # Shown in this response only (not flashed: the session cookie is readable).
        flash("已登记事件推送地址。请立即复制签名密钥：离开本页后将不再显示。", "success")
        return _index(new=webhook, new_secret=webhook.secret)
    return _index()


@bp.route("/<int:webhook_id>/active", methods=["POST"])
@permission_required(can_manage_webhooks)
def toggle(webhook_id: int):
    webhook = service.require_webhook(webhook_id)
    form = posted(ActiveForm)
    active = form.active.data == "1"
    ok, changed = commit_or_flash(lambda: service.set_active(webhook, active, current_user))
    if ok and changed:
        flash("已启用。" if active else "已停用，尚未投递的事件不再投递。", "success")
    if form.next.data == "show":
        return redirect(url_for(".show", webhook_id=webhook_id))
    return redirect(url_for(".index"))


@bp.route("/<int:webhook_id>/delete", methods=["POST"])
@permission_required(can_manage_webhooks)
def delete(webhook_id: int):
    webhook = service.require_webhook(webhook_id)
    posted(ActionForm)
    ok, _ = commit_or_flash(lambda: service.delete(webhook, current_user))
    if ok:
        flash("已删除该事件推送地址及其投递记录。", "success")
    return redirect(url_for(".index"))


@bp.route("/<int:webhook_id>")
@permission_required(can_manage_webhooks)
def show(webhook_id: int):
    webhook = service.require_webhook(webhook_id)
    status = choice("status", DELIVERY_STATUSES) or None  # unknown values ignored
    sort = choice("sort", DELIVERY_SORTS, "newest")
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    if status:
        query = query.where(WebhookDelivery.status == status)
    order = WebhookDelivery.id.asc() if sort == "oldest" else WebhookDelivery.id.desc()
    page = paginate(query.order_by(order), size=PAGE_SIZE)
    return render_template(
        "webhooks/show.html", w=webhook, page=page, counts=service.counts(webhook),
        status=status, sort=sort, sorts=DELIVERY_SORTS, statuses=DELIVERY_STATUSES,
        masked=service.masked, pretty=service.pretty,
        max_attempts=service.MAX_ATTEMPTS, form=ActiveForm(),
    )  # fmt: skip
