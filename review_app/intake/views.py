"""Intake pages: the prefecture's upload, corrections, priority order, endorsement and 附件2;
the coordinator's format-check queue and consolidated 附件2; the blank template."""

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from ..applications.models import Application
from ..applications.permissions import can_view_every_prefecture
from ..auth.permissions import permission_required
from ..dossier.format_items import dossier_items
from ..errors import PermissionDenied
from ..extensions import db
from ..files import DOCX, XLSX
from ..form_fields import ActionForm
from ..ids import db_id
from ..jobs.models import Job, UploadedBlob
from ..jobs.tasks import import_applications
from ..jobs.views import start
from ..programs.models import TRACK_NAMES, TRACKS, Prefecture
from ..programs.selection import selected_program
from ..programs.years import figure_years
from ..workflow.service import available_transitions
from ..workflow.states import ENDORSED_STATES
from . import refusals, service, summary
from .field_problems import blocking_by_field
from .forms import SummaryImportForm, UploadForm, application_fields_form, order_form_class
from .parsed import UnreadableFile
from .permissions import (
    can_edit_application,
    can_export_summary,
    can_recheck_format,
    can_recommend,
    can_review_format,
    edit_refusal,
)
from .records import FIGURE_FIELDS
from .reference import chains
from .refusals import ImportRefused, record_after_rollback
from .template import blank_template

bp = Blueprint("intake", __name__, url_prefix="/intake")
# Templates show the 修改 button by the same predicate the service applies.
bp.add_app_template_global(can_edit_application, "can_edit_application")


def _own_prefecture() -> Prefecture:
    return db.session.get(Prefecture, current_user.prefecture_id)


@bp.route("/")
@permission_required(can_recommend)
def index():
    """本地市申报: applications by track in priority order, quota use, actions."""
    program = selected_program()
    prefecture = _own_prefecture()
    tracks = []
    for track in TRACKS:
        rows = db.session.execute(
            select(Application)
            .where(
                Application.program_id == program.id,
                Application.prefecture_id == prefecture.id,
                Application.track_code == track,
            )
            .order_by(
                Application.priority_rank.is_(None), Application.priority_rank, Application.id
            )
        ).scalars().all()  # fmt: skip
        used = sum(1 for a in rows if a.state in ENDORSED_STATES)
        tracks.append(
            {
                "code": track,
                "name": TRACK_NAMES[track],
                "rows": rows,
                "used": used,
                "quota": program.quota_for(prefecture.id, track),
                "actions": {a.id: available_transitions(a, current_user) for a in rows},
                "orderable": [a for a in rows if a.state in service.ORDERED_STATES],
            }
        )
    return render_template(
        "intake/index.html", prefecture=prefecture, tracks=tracks, form=ActionForm(),
        program=program,
    )  # fmt: skip


@bp.route("/upload", methods=["GET", "POST"])
@permission_required(can_recommend)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        files = [f for f in request.files.getlist(form.files.name) if f and f.filename]
        if len(files) > current_app.config.get("MAX_UPLOAD_FILES", 50):
            flash("一次最多上传50个文件。", "error")
            return render_template("intake/upload.html", form=form), 400

        job = start(
            "import_docx",
            {"prefecture_id": current_user.prefecture_id, "program_id": selected_program().id},
            len(files),
        )
        for position, storage in enumerate(files):
            db.session.add(
                UploadedBlob(
                    job_id=job.id, position=position, filename=storage.filename[:255],
                    data=storage.read(),
                )
            )  # fmt: skip
        db.session.commit()

        import_applications(job.id)
        return redirect(url_for(".job", job_id=job.id))
    status = 400 if request.method == "POST" else 200
    return render_template("intake/upload.html", form=form), status


@bp.route("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    item = db.session.get(Job, job_id)
    if item is None:
        abort(404)
    if item.owner_id != current_user.id:
        abort(403)
    return render_template("intake/job.html", job=item)


def _editable(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if not can_recheck_format(current_user, application):
        abort(403)
    return application


def _dec(value):
    return None if value is None else float(value)


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@permission_required(can_edit_application)
def edit(application_id: int):
    application = _editable(application_id)
    refusal = edit_refusal(current_user, application)
    if refusal:  # the page is refused exactly when the save would be (and the button hidden)
        raise PermissionDenied(refusal)
    e = application.enterprise
    years = figure_years(application.program.year)  # the application's program's years
    form = application_fields_form(years)()
    refused = False
    form.chain.choices = [SelectChoice("", "（请选择）")] + [SelectChoice(c, c) for c in chains()]
    if request.method == "GET":
        for name in ("name", "uscc", "county", "nature", "size", "industry_division",
                     "industry_group", "chain", "main_business", "factory_address",
                     "legal_rep_name", "legal_rep_phone", "contact_name", "contact_title",
                     "contact_phone", "contact_email"):  # fmt: skip
            getattr(form, name).data = getattr(e, name) or ""
        form.maturity_level.data = str(application.maturity_level or "")
        form.employees.data = application.employees
        form.maturity_score.data = application.maturity_score
        form.national_excellent.data = application.national_excellent
        form.provincial_demo.data = application.provincial_demo
        form.honours.data = application.honours or ""
        form.accidents.data = application.accidents
        for f in application.figures:
            for name in FIGURE_FIELDS:
                field = getattr(form, f"fig_{f.year}_{name}", None)
                if field is not None:
                    field.data = getattr(f, name)
    if form.validate_on_submit():
        values = {
            "enterprise": {
                name: (getattr(form, name).data or "").strip() or None
                if name in ("nature", "size", "industry_division", "industry_group", "chain")
                else (getattr(form, name).data or "").strip()
                for name in (
                    "name",
                    "uscc",
                    "county",
                    "nature",
                    "size",
                    "industry_division",
                    "industry_group",
                    "chain",
                    "main_business",
                    "factory_address",
                    "legal_rep_name",
                    "legal_rep_phone",
                    "contact_name",
                    "contact_title",
                    "contact_phone",
                    "contact_email",
                )
            },  # fmt: skip
            "application": {
                "maturity_level": int(form.maturity_level.data)
                if form.maturity_level.data
                else None,
                "maturity_score": _dec(form.maturity_score.data),
                "national_excellent": bool(form.national_excellent.data),
                "provincial_demo": bool(form.provincial_demo.data),
                "honours": (form.honours.data or "").strip() or None,
                "accidents": bool(form.accidents.data),
                "employees": form.employees.data,
            },
            "figures": {
                year: {
                    name: _dec(getattr(form, f"fig_{year}_{name}").data) for name in FIGURE_FIELDS
                }
                for year in years
            },
        }
        values["enterprise"]["uscc"] = values["enterprise"]["uscc"].upper()
        prefecture_id = application.prefecture_id
        try:
            service.update_fields(application, values, current_user)
        except ImportRefused as err:  # another prefecture's or a used credit code: audited
            record_after_rollback(err, current_user, prefecture_id)
            flash(err.message, "error")
            refused = True
        else:
            db.session.commit()
            blocking = sum(1 for p in application.format_report if p["severity"] == "blocking")
            flash(f"已保存，形式审查重新检查：{blocking}项阻断问题。", "success")
            return redirect(url_for("applications.show", application_id=application.id))
    status = 400 if form.errors or refused else 200
    placed, elsewhere = blocking_by_field(application.format_report, (f.name for f in form))
    return render_template(
        "intake/edit.html", form=form, app_=application, years=years,
        figure_fields=FIGURE_FIELDS, placed=placed, elsewhere=elsewhere,
    ), status  # fmt: skip


@bp.route("/order/<track>", methods=["POST"])
@permission_required(can_recommend)
def order(track: str):
    if track not in TRACKS:
        abort(404)

    prefecture = _own_prefecture()
    ids = db.session.execute(
        select(Application.id).where(
            Application.program_id == selected_program().id,
            Application.prefecture_id == prefecture.id,
            Application.track_code == track,
            Application.state.in_(service.ORDERED_STATES),
        )
    ).scalars()
    form = order_form_class(sorted(ids))()
    if not form.ranked():
        flash(f"{TRACK_NAMES[track]}没有需要排序的申报。", "error")
        return redirect(url_for(".index"))
    if not form.validate_on_submit():
        flash("推荐顺序须填写数字。", "error")
        return redirect(url_for(".index"))
    ordered = form.ranked()
    service.set_priority_order(prefecture, track, ordered, current_user)
    db.session.commit()
    flash(f"{TRACK_NAMES[track]}推荐顺序已保存。", "success")
    return redirect(url_for(".index"))


@bp.route("/applications/<int:application_id>/recheck", methods=["POST"])
@permission_required(can_recheck_format)
def recheck(application_id: int):
    application = _editable(application_id)

    report = service.run_format_check(application, current_user)
    db.session.commit()
    blocking = sum(1 for p in report if p["severity"] == "blocking")
    flash(f"形式审查已重新检查：{blocking}项阻断问题，{len(report) - blocking}项提醒。", "success")
    return redirect(request.referrer or url_for("applications.show", application_id=application.id))


@bp.route("/format-check")
@permission_required(can_review_format)
def format_queue():
    """形式审查: endorsed applications waiting for the coordinator, with their reports."""
    rows = db.session.execute(
        select(Application)
        .where(
            Application.program_id == selected_program().id,
            Application.state == "prefecture_endorsed",
        )
        .order_by(Application.prefecture_id, Application.track_code, Application.priority_rank)
    ).scalars().all()  # fmt: skip
    return render_template(
        "intake/format_queue.html", rows=rows, form=ActionForm(), refused=refusals.recent(),
        reasons=refusals.REASONS, dossier={a.id: dossier_items(a) for a in rows},
    )  # fmt: skip


@bp.route("/summary.xlsx")
@permission_required(can_export_summary)
def summary_export():
    if not can_view_every_prefecture(current_user):
        prefecture = _own_prefecture()
        unit, prefecture_ids = prefecture.name, [prefecture.id]
    else:
        chosen = request.args.get("prefecture", type=db_id)
        if chosen:
            prefecture = db.session.get(Prefecture, chosen) or abort(404)
            unit, prefecture_ids = prefecture.name, [prefecture.id]
        else:
            unit, prefecture_ids = "河南省（汇总）", None
    data = summary.export_summary(selected_program(), unit, prefecture_ids)
    filename = f"卓越级领航级智能工厂培育企业推荐汇总表-{unit}.xlsx"
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=filename)


@bp.route("/summary/import", methods=["GET", "POST"])
@permission_required(can_recommend)
def summary_import():
    form = SummaryImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        try:
            report = summary.match_summary(
                selected_program(), _own_prefecture(), form.file.data.read()
            )
        except UnreadableFile as err:
            flash(err.message, "error")
            status = 400
    elif request.method == "POST":
        status = 400
    return render_template("intake/summary_import.html", form=form, report=report), status


@bp.route("/template/<track>.docx")
@login_required
def template(track: str):
    if track not in TRACKS:
        abort(404)
    name = f"卓越级领航级智能工厂培育企业申报书（{TRACK_NAMES[track]}）.docx"
    return send_file(
        BytesIO(blank_template(track, selected_program().year)),
        mimetype=DOCX,
        as_attachment=True,
        download_name=name,
    )
