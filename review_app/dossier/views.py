"""推荐材料 pages: the prefecture uploads its 推荐函 and writes a 地市审核意见 per application;
the coordinator sees every prefecture's; both download the 审核情况表."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ..applications.models import Application
from ..auth.permissions import permission_required
from ..errors import InvalidInput
from ..extensions import db
from ..files import send_bytes
from ..form_fields import ActionForm
from ..programs.models import TRACK_NAMES, Prefecture
from ..programs.selection import selected_program
from ..web import act, posted
from ..workflow.states import STATE_NAMES
from . import (  # noqa: F401 - views_* add their routes
    index_list,
    review_sheet,
    service,
    views_entry,
    views_files,
    views_stats,
)
from .blueprint import bp
from .forms import LetterForm, OpinionForm
from .guards import opinion_of
from .models import EndorsementLetter
from .pdfcheck import MAX_PDF_BYTES
from .permissions import (
    can_prepare_endorsement,
    can_upload_letter,
    can_view_dossier,
    can_write_opinion,
)


def _own_prefecture() -> Prefecture | None:
    if current_user.role != "prefecture":
        return None
    return db.session.get(Prefecture, current_user.prefecture_id) or abort(403)


@bp.route("/")
@permission_required(can_view_dossier)
def index():
    program = selected_program()
    prefecture = _own_prefecture()
    letters = db.session.query(EndorsementLetter).filter_by(program_id=program.id).all()
    prefectures = db.session.query(Prefecture).order_by(Prefecture.sort_order).all()
    f = index_list.filters(prefecture)
    listing, rows = index_list.page(program, prefecture, f)
    return render_template(
        "dossier/index.html", program=program, prefecture=prefecture,
        rows=rows, listing=listing, filters=f, filtered=index_list.filtered(f),
        sorts=index_list.SORTS, opinion_filters=index_list.OPINION_FILTERS,
        states=STATE_NAMES, tracks=TRACK_NAMES,
        letter=service.letter_of(program, prefecture) if prefecture else None,
        letters={x.prefecture_id: x for x in letters},
        prefectures=prefectures, prefecture_options=[(p.id, p.name) for p in prefectures],
        letter_form=LetterForm(), form=ActionForm(), max_mb=MAX_PDF_BYTES // (1024 * 1024),
    )  # fmt: skip


@bp.route("/letter", methods=["POST"])
@permission_required(can_prepare_endorsement)
def upload_letter():
    prefecture = _own_prefecture()

    def verb():
        form = posted(LetterForm)
        upload = form.letter.data
        if not upload or not upload.filename:
            raise InvalidInput("请选择推荐函PDF文件。", code="letter_missing")
        data = upload.read(MAX_PDF_BYTES + 1)
        if not can_upload_letter(current_user, prefecture):
            abort(403)
        service.upload_letter(
            selected_program(), prefecture, service.Upload(upload.filename, data), current_user
        )

    act(verb, "推荐函已上传。")
    return redirect(url_for(".index"))


@bp.route("/letters/<int:letter_id>")
@permission_required(can_view_dossier)
def letter(letter_id: int):
    found = db.session.get(EndorsementLetter, letter_id) or abort(404)
    if not can_view_dossier(current_user, found):
        abort(403)
    return send_bytes(found.data, found.filename, "application/pdf")


@bp.route("/applications/<int:application_id>/opinion", methods=["GET", "POST"])
@permission_required(can_view_dossier)
def opinion(application_id: int):
    application = db.session.get(Application, application_id) or abort(404)
    if not can_view_dossier(current_user, application):
        abort(403)
    form = OpinionForm()
    if form.is_submitted():
        if not can_write_opinion(current_user, application):
            abort(403)
        done = act(
            lambda: service.write_opinion(application, posted(OpinionForm).text.data, current_user),
            "审核意见已保存。",
        )
        if done:
            # the list is paged: back to a list that holds this application's row
            return redirect(url_for(".index", q=application.enterprise.uscc,
                                    _anchor=f"app-{application.id}"))  # fmt: skip
    current = opinion_of(application)
    if current and not form.text.data:
        form.text.data = current.text
    status = 400 if form.is_submitted() else 200  # a refused opinion comes back with its reason
    return render_template(
        "dossier/opinion.html", application=application, opinion=current, form=form,
        letter=service.letter_of(application.program, application.prefecture),
    ), status  # fmt: skip


@bp.route("/review-sheet.xlsx")
@permission_required(can_view_dossier)
def review_sheet_export():
    program = selected_program()
    prefecture = _own_prefecture()
    data = review_sheet.workbook(program, prefecture)
    who = prefecture.name if prefecture else "全省"
    return send_bytes(data, f"{program.year}年审核情况表（{who}）.xlsx")
