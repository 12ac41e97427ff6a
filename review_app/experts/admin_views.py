"""The coordinator's expert pages: list, import from .xlsx, edit."""

from io import BytesIO
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import permission_required
from ..errors import DomainError
from ..extensions import db
from ..files import XLSX
from ..intake.parsed import UnreadableFile
from ..programs.models import Prefecture
from ..web import first_error, local_path, posted
from . import expert_list
from .forms import ExpertForm, ImportForm
from .models import Expert
from .permissions import can_manage_experts
from .service import import_experts, update_expert
from .xlsx import read_experts_xlsx, template_xlsx

bp = Blueprint("experts_admin", __name__, url_prefix="/experts")


@bp.route("/")
@permission_required(can_manage_experts)
def index():
    f = expert_list.filters()
    here = url_for(".index", **expert_list.list_args())
    return render_template(
        "experts/index.html", listing=expert_list.expert_page(f), filters=f, form=ImportForm(),
        prefectures=expert_list.prefectures(), specialties=expert_list.SPECIALTIES,
        sorts=expert_list.SORTS, edit_next=here if here != url_for(".index") else None,
    )  # fmt: skip


def _back() -> str:
    """The 专家库 page an edit was opened from (``?next=``: its filters and page), else the
    list; only that list's path is taken, never another page or host."""
    target = local_path(request.args.get("next"))
    if target and urlsplit(target).path == url_for(".index"):
        return target
    return url_for(".index")


@bp.route("/template.xlsx")
@permission_required(can_manage_experts)
def template():

    return send_file(
        BytesIO(template_xlsx()), mimetype=XLSX, as_attachment=True, download_name="专家导入表.xlsx"
    )


@bp.route("/import", methods=["POST"])
@permission_required(can_manage_experts)
def import_sheet():

    upload = posted(ImportForm).file.data
    if upload is None or not upload.filename:
        flash("请选择专家导入表（.xlsx）。", "error")
        return redirect(url_for(".index"))
    try:
        parsed = read_experts_xlsx(upload.read())
    except UnreadableFile as err:
        flash(err.message, "error")
        return redirect(url_for(".index"))
    if parsed.errors:
        return render_template("experts/import_result.html", errors=parsed.errors, created=[]), 400
    try:
        created = import_experts(parsed.rows, current_user)
    except DomainError as err:
        db.session.rollback()
        return render_template("experts/import_result.html", errors=[err.message], created=[]), 400
    db.session.commit()
    return render_template("experts/import_result.html", errors=[], created=created)


@bp.route("/<int:expert_id>", methods=["GET", "POST"])
@permission_required(can_manage_experts)
def edit(expert_id: int):
    expert = db.session.get(Expert, expert_id) or abort(404)
    prefectures = (
        db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars().all()
    )
    form = ExpertForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(first_error(form), "error")
            return render_template(
                "experts/edit.html", expert=expert, prefectures=prefectures, form=form,
                values=form.entered(), back=_back(),
            ), 400  # fmt: skip
        update_expert(
            expert,
            {
                "employer": (form.employer.data or "").strip()[:200] or expert.employer,
                "title": (form.title.data or "").strip()[:60],
                "prefecture_id": form.prefecture_id.data,
                "capacity": form.capacity.data,
                "specialties": form.specialties.data or [],
                "industries": [
                    c.strip()
                    for c in (form.industries.data or "").replace("，", ",").split(",")
                    if c.strip()
                ],
            },
            current_user,
        )
        db.session.commit()
        flash("专家信息已保存。", "success")
        return redirect(_back())
    return render_template(
        "experts/edit.html", expert=expert, prefectures=prefectures, form=form, values=None,
        back=_back(),
    )  # fmt: skip
