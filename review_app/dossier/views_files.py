"""The dossier of one application (附件, the stamped 申报书 and its comparison, the checks) and
the coordinator's 材料核对 list and check import."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..applications.models import Application
from ..auth.permissions import permission_required
from ..errors import InvalidInput
from ..extensions import db
from ..files import send_bytes
from ..form_fields import ActionForm
from ..paging import paginate
from ..programs.models import TRACK_NAMES, Prefecture
from ..programs.selection import selected_program
from ..web import act, commit_or_flash, posted
from ..workflow.states import ENDORSED_STATES
from . import attachments, checks, checks_import, index_list
from .blueprint import bp
from .forms import CheckForm, FileForm, ImportForm
from .kinds import APPLICANT_KINDS, BY_CODE, MAX_STAMPED_BYTES
from .models import CHECK_NAMES, RESULT_NAMES, Attachment
from .permissions import (
    can_add_check_file,
    can_check_dossiers,
    can_upload_attachment,
    can_view_attachments,
)
from .service import Upload

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _application(application_id: int) -> Application:
    app = db.session.get(Application, application_id) or abort(404)
    if not can_view_attachments(current_user, app):
        abort(403)
    return app


def _upload(field, limit: int) -> Upload | None:
    storage = field.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.filename, storage.read(limit + 1))


@bp.route("/applications/<int:application_id>/files")
@permission_required(can_view_attachments)
def files(application_id: int):
    app = _application(application_id)
    rows = attachments.files_of(app)
    return render_template(
        "dossier/files.html", application=app, files=rows, kinds=BY_CODE,
        applicant_kinds=APPLICANT_KINDS, missing=attachments.missing_attachments(app),
        stamped=next((r for r in rows if r.kind == "stamped_form"), None),
        checks=checks.checks_of(app), check_names=CHECK_NAMES, result_names=RESULT_NAMES,
        refusal=checks.outside_check_refusal(app), file_form=FileForm(), check_form=CheckForm(),
        form=ActionForm(),
    )  # fmt: skip


@bp.route("/applications/<int:application_id>/files", methods=["POST"])
@permission_required(can_upload_attachment)
def add_file(application_id: int):
    app = _application(application_id)
    if not can_upload_attachment(current_user, app):
        abort(403)

    def verb():
        form = posted(FileForm)
        upload = _upload(form.file, MAX_STAMPED_BYTES)
        if upload is None:
            raise InvalidInput("请选择要上传的文件。", code="file_missing")
        return attachments.add_attachment(app, form.kind.data, upload, current_user)

    done, row = commit_or_flash(verb)
    if done:
        flash(f"已上传：{row.filename}。", "success")
    return redirect(url_for(".files", application_id=app.id))


@bp.route("/files/<int:file_id>")
@permission_required(can_view_attachments)
def file(file_id: int):
    row = db.session.get(Attachment, file_id) or abort(404)
    _application(row.application_id)
    return send_bytes(row.data, row.filename, row.content_type)


@bp.route("/files/<int:file_id>/remove", methods=["POST"])
@permission_required(can_view_attachments)
def remove_file(file_id: int):
    row = db.session.get(Attachment, file_id) or abort(404)
    app = _application(row.application_id)
    posted(ActionForm)
    allowed = can_upload_attachment if row.kind in APPLICANT_KINDS else can_add_check_file
    if not allowed(current_user, app):
        abort(403)
    act(lambda: attachments.remove_attachment(row, current_user), "文件已删除。")
    return redirect(url_for(".files", application_id=app.id))


@bp.route("/applications/<int:application_id>/checks", methods=["POST"])
@permission_required(can_add_check_file)
def record_check(application_id: int):
    app = _application(application_id)
    if not can_add_check_file(current_user, app):
        abort(403)

    def verb():
        form = posted(CheckForm)
        data = checks.CheckInput(
            form.kind.data, form.result.data, form.checked_by.data or "", form.checked_on.data,
            form.source.data or "", form.note.data or "",
        )  # fmt: skip
        return checks.record_check(app, data, current_user, _upload(form.file, MAX_STAMPED_BYTES))

    act(verb, "核查结果已记录。")
    return redirect(url_for(".files", application_id=app.id, _anchor="checks"))


@bp.route("/completeness")
@permission_required(can_check_dossiers)
def completeness():
    """材料核对: every recommended application with what its dossier lacks and its checks."""
    program = selected_program()
    f = {**index_list.filters(None), "opinion": "", "state": ""}
    listing = paginate(
        index_list.applications(program, None, f).where(Application.state.in_(ENDORSED_STATES)),
        size=index_list.PAGE_SIZE,
    )
    apps = listing.rows
    rows = [
        (a, attachments.missing_attachments(a), checks.checks_of(a),
         next(iter(attachments.files_of(a, "stamped_form")), None))
        for a in apps
    ]  # fmt: skip
    return render_template(
        "dossier/completeness.html", rows=rows, check_names=CHECK_NAMES,
        result_names=RESULT_NAMES, import_form=ImportForm(), listing=listing, filters=f,
        filtered=index_list.filtered(f), tracks=TRACK_NAMES, sorts=index_list.SORTS,
        prefecture_options=[(p.id, p.name) for p in db.session.execute(
            select(Prefecture).order_by(Prefecture.sort_order)).scalars()],
    )  # fmt: skip


@bp.route("/checks/template.xlsx")
@permission_required(can_check_dossiers)
def checks_template():
    return send_bytes(checks_import.template(), "信用及事故核查结果导入模板.xlsx")


@bp.route("/checks/import", methods=["POST"])
@permission_required(can_check_dossiers)
def import_checks():
    def verb():
        form = posted(ImportForm)
        upload = _upload(form.file, MAX_IMPORT_BYTES)
        if upload is None:
            raise InvalidInput("请选择核查结果表（.xlsx）。", code="file_missing")
        if len(upload.data) > MAX_IMPORT_BYTES:
            raise InvalidInput("核查结果表超过5MB。", code="file_too_large")
        return checks_import.import_checks(
            selected_program(), upload.data, upload.filename, current_user
        )

    done, count = commit_or_flash(verb)
    if done:
        flash(f"已导入{count}条核查结果。", "success")
    return redirect(url_for(".completeness"))
