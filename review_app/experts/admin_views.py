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
from ..web import flash_hidden_errors, keeps_input_on_csrf, local_path
from . import expert_list
from .forms import ExpertForm, ImportForm
from .models import RELATION_KINDS, Expert
from .permissions import can_manage_experts
from .service import import_experts, update_expert
from .xlsx import read_experts_xlsx, template_xlsx

bp = Blueprint("experts_admin", __name__, url_prefix="/experts")


@bp.route("/")
@permission_required(can_manage_experts)
def index():
    return _index_page(ImportForm())


def _index_page(form: ImportForm, status: int = 200):
    """The list with its filters and the import form (as posted when it was refused)."""
    f = expert_list.filters()
    here = url_for(".index", **expert_list.list_args())
    return render_template(
        "experts/index.html", listing=expert_list.expert_page(f), filters=f, form=form,
        prefectures=expert_list.prefectures(), specialties=expert_list.SPECIALTIES,
        sorts=expert_list.SORTS, edit_next=here if here != url_for(".index") else None,
    ), status  # fmt: skip


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
    """Import the sheet, all or nothing. No file or one that cannot be read: the 专家库 page
    again (400) with the reason beside the file box; errors in its rows: each named with its
    row and column on the result page (400). Nothing is imported in either case."""
    form = ImportForm()
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _index_page(form, 400)
    upload = form.file.data
    if upload is None or not upload.filename:
        form.file.errors = ["请选择专家导入表（.xlsx）。"]
        return _index_page(form, 400)
    try:
        parsed = read_experts_xlsx(upload.read())
    except UnreadableFile as err:
        form.file.errors = [err.message]
        return _index_page(form, 400)
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
@keeps_input_on_csrf
@permission_required(can_manage_experts)
def edit(expert_id: int):
    """One expert's record. Refused (a field in error, a stale token): the page again (400)
    with everything as typed, the chosen 地市 and 重点环节 included, each error beside its
    field; nothing saved."""
    expert = db.session.get(Expert, expert_id) or abort(404)
    if request.method != "POST":
        return _edit_page(expert, ExpertForm.of(expert))
    form = ExpertForm()
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _edit_page(expert, form, 400)
    update_expert(
        expert,
        {
            "employer": (form.employer.data or "").strip()[:200] or expert.employer,
            "title": (form.title.data or "").strip()[:60],
            "prefecture_id": form.prefecture_id.data,
            "capacity": form.capacity.data,
            "specialties": form.specialties.data or [],
            "industries": form.industry_list(),
        },
        current_user,
    )
    db.session.commit()
    flash("专家信息已保存。", "success")
    return redirect(_back())


def _edit_page(expert: Expert, form: ExpertForm, status: int = 200):
    prefectures = (
        db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars().all()
    )
    return render_template(
        "experts/edit.html", expert=expert, prefectures=prefectures, form=form, back=_back(),
        relation_kinds=RELATION_KINDS,
    ), status  # fmt: skip
