"""实地抽查 pages: the coordinator draws and adjusts the sample and assigns inspectors; an
inspector (on a phone, usually) records the checklist, evidence and the verdict."""

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from ..applications.models import Application
from ..auth.models import User
from ..auth.permissions import permission_required
from ..enterprises.models import Enterprise
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..files import send_bytes
from ..form_fields import ActionForm
from ..paging import choice, like_pattern, list_args, paginate, text_arg
from ..programs.models import TRACKS
from ..programs.selection import selected_program
from ..programs.years import code_year
from ..scoring.service import rubric_for
from ..web import act, first_error, posted
from . import checklist, service
from .forms import (
    AddForm,
    InspectorsForm,
    ReasonForm,
    SampleForm,
    VerdictForm,
    checklist_form_class,
)
from .models import FINDINGS, VERDICTS, EvidenceFile, Inspection, InspectionInspector
from .permissions import (
    can_manage_inspections,
    can_record_inspection,
    can_view_inspections,
)
from .sampling import RULES, SampleParams

bp = Blueprint("inspection", __name__, url_prefix="/inspections")
PAGE_SIZE = 50


def _track() -> str:
    track = request.values.get("track")
    return track if track in TRACKS else "excellent"


def _verdict_filter() -> str:
    return choice("verdict", {**VERDICTS, "pending": "待核查"})  # unknown values ignored


def _list_args() -> dict:
    """The 抽查名单's filters and page: the list's forms carry them in their action URL, so a
    POST from the list returns to the same filtered page."""
    return list_args({"verdict": _verdict_filter(), "q": text_arg("q")})


def _to_list(track: str):
    return redirect(url_for(".index", track=track, **_list_args()))


@bp.route("/")
@permission_required(can_view_inspections)
def index():
    if not can_manage_inspections(current_user):
        rows = db.session.execute(
            select(Inspection)
            .join(InspectionInspector)
            .where(InspectionInspector.user_id == current_user.id)
            .order_by(Inspection.completed_at.is_not(None), Inspection.id)
        ).scalars().all()  # fmt: skip
        return render_template("inspection/mine.html", rows=rows)
    program = selected_program()
    track = _track()
    verdict, q = _verdict_filter(), text_arg("q")
    query = service.sample_query(program, track)
    if verdict == "pending":
        query = query.where(Inspection.verdict.is_(None))
    elif verdict:
        query = query.where(Inspection.verdict == verdict)
    if q:
        names = select(Enterprise.id).where(Enterprise.name.like(like_pattern(q), escape="\\"))
        query = query.where(or_(Application.enterprise_id.in_(names),
                                Application.anon_code.like(like_pattern(q), escape="\\")))  # fmt: skip
    listing = paginate(query, size=PAGE_SIZE)
    inspectors = db.session.execute(
        select(User).where(User.role == "inspector", User.is_active_account).order_by(User.id)
    ).scalars().all()  # fmt: skip
    pool = service.candidates(program, track)
    return render_template(
        "inspection/index.html", track=track, rows=listing.rows, listing=listing,
        verdict=verdict, q=q, inspectors=inspectors,
        pool=pool, capacity=program.track(track).capacity, rules=RULES, form=ActionForm(),
        verdicts=VERDICTS, code_year=code_year(program.year), list_args=_list_args(),
    )  # fmt: skip


def _or(value, default):
    return default if value is None else value


@bp.route("/draw", methods=["POST"])
@permission_required(can_manage_inspections)
def draw():
    program = selected_program()
    track = _track()

    def verb():
        form = posted(SampleForm)
        params = SampleParams(
            seed=(form.seed.data or "").strip(),
            cut_line=program.track(track).capacity,
            near_cut=_or(form.near_cut.data, 3),
            dispersion=form.dispersion.data,
            figures=form.figures.data,
            random_per_prefecture=_or(form.random_per_prefecture.data, 1),
            random_rate=float(form.random_rate.data or 0) / 100,
            dispersion_min=_or(form.dispersion_min.data, 1),
        )
        created = service.draw(program, track, params, current_user)
        flash(f"已抽取 {len(created)} 家（种子 {params.seed}）。", "info")

    act(verb, "抽查名单已保存。")
    return _to_list(track)


@bp.route("/add", methods=["POST"])
@permission_required(can_manage_inspections)
def add():
    track = _track()
    form = posted(AddForm)
    code = (form.anon_code.data or "").strip().upper()
    program = selected_program()
    app = db.session.execute(
        select(Application).where(
            Application.program_id == program.id, Application.anon_code == code
        )
    ).scalar_one_or_none()
    if app is None:
        flash(f"{program.name}没有匿名编号为“{code}”的申报。", "error")
    else:
        act(lambda: service.add_manual(app, form.reason.data or "", current_user),
             f"{code} 已加入抽查名单。")  # fmt: skip
    return _to_list(track)


def _inspection(inspection_id: int) -> Inspection:
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        abort(404)
    if not can_view_inspections(current_user, inspection):
        abort(403)
    return inspection


@bp.route("/<int:inspection_id>/remove", methods=["POST"])
@permission_required(can_manage_inspections)
def remove(inspection_id: int):
    inspection = _inspection(inspection_id)
    track = inspection.application.track_code
    form = posted(ReasonForm)
    act(lambda: service.remove(inspection, form.reason.data or "", current_user),
         "已移出抽查名单。")  # fmt: skip
    return _to_list(track)


@bp.route("/<int:inspection_id>/inspectors", methods=["POST"])
@permission_required(can_manage_inspections)
def inspectors(inspection_id: int):
    inspection = _inspection(inspection_id)
    ids = posted(InspectorsForm).inspectors.data
    act(lambda: service.set_inspectors(inspection, ids, current_user), "核查人员已指派。")
    return _to_list(inspection.application.track_code)


def _show(
    inspection: Inspection,
    *,
    at: str | None = None,
    posted: dict | None = None,
    error: str | None = None,
    status: int = 200,
):
    application = inspection.application
    settings = rubric_for(application.track_code, application.program).inspection
    descriptions = {c.code: c.description for c in settings.checklist}
    return render_template(
        "inspection/show.html", item=inspection, findings=FINDINGS, verdicts=VERDICTS,
        descriptions=descriptions, settings=settings, form=ActionForm(),
        client_id=str(uuid.uuid4()),
        editable=can_record_inspection(current_user, inspection), at=at, posted=posted or {},
        error=error,
    ), status  # fmt: skip


@bp.route("/<int:inspection_id>")
@permission_required(can_view_inspections)
def show(inspection_id: int):
    return _show(_inspection(inspection_id), at=request.args.get("at"))


def _checklist_form(inspection: Inspection):
    return checklist_form_class(tuple(i.code for i in inspection.items))()


@bp.route("/<int:inspection_id>/checklist", methods=["POST"])
@permission_required(can_record_inspection)
def save_checklist(inspection_id: int):
    """Save the whole checklist (one save keeps every item's input). A refused save comes back
    with everything typed and the error beside its item, in view. The offline queue posts here
    too (``X-Offline-Sync``: answered with JSON); a replayed save is accepted once."""
    inspection = _inspection(inspection_id)
    form = _checklist_form(inspection)
    sync = request.headers.get("X-Offline-Sync") == "1"
    client_id = form.client_id.data or None
    codes = [i.code for i in inspection.items]
    at = form.at.data if form.at.data in codes else None
    typed = {c: {"finding": form[f"finding_{c}"].data, "note": form[f"note_{c}"].data or ""}
             for c in codes}  # fmt: skip
    if form.validate_on_submit() and checklist.replayed(client_id):
        return jsonify(ok=True, replayed=True) if sync else _back(inspection, at)
    try:
        if not form.validate_on_submit():
            bad = next((c for c in codes if form[f"finding_{c}"].errors
                        or form[f"note_{c}"].errors), at)  # fmt: skip
            raise checklist.ItemRefused(InvalidInput(first_error(form)), bad)
        entries = {c: checklist.Entry(typed[c]["finding"], typed[c]["note"], _uploads(form, c))
                   for c in codes}  # fmt: skip
        written = checklist.save(inspection, entries, client_id, current_user)
    except checklist.ItemRefused as err:
        db.session.rollback()
        message = err.message
        if any(_chosen(form, c) for c in codes):
            message += "本次未保存，请重新选择照片或文件后再保存。"
        if sync:
            return jsonify(ok=False, error=message, at=err.at), err.status
        return _show(_inspection(inspection_id), at=err.at or at or "checklist", posted=typed,
                     error=message, status=400)  # fmt: skip
    except IntegrityError:  # the same save replayed at the same moment: the other one won
        db.session.rollback()
        return jsonify(ok=True, replayed=True) if sync else _back(inspection, at)
    db.session.commit()
    if sync:
        return jsonify(ok=True, replayed=False, written=written)
    flash("核查清单已保存。", "success")
    return _back(inspection, at)


def _back(inspection: Inspection, at: str | None):
    anchor = f"item-{at}" if at else "checklist"
    return redirect(url_for(".show", inspection_id=inspection.id, at=at or "checklist",
                            _anchor=anchor))  # fmt: skip


def _chosen(form, code: str) -> list:
    return [u for u in form[f"evidence_{code}"].data or [] if u and u.filename]


def _uploads(form, code: str) -> tuple:
    return tuple(
        service.Upload(u.filename, u.read(service.MAX_EVIDENCE_BYTES + 1))
        for u in _chosen(form, code)
    )


@bp.route("/sw.js")
def service_worker():
    """The inspection pages' service worker (scope /inspections/): the page and its assets
    cached for a factory floor without signal. Served here, not under /static/, for its scope."""
    response = send_from_directory(
        current_app.static_folder, "js/inspection-sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Service-Worker-Allowed"] = "/inspections/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/evidence/<int:evidence_id>")
@permission_required(can_view_inspections)
def evidence(evidence_id: int):
    file = db.session.get(EvidenceFile, evidence_id) or abort(404)
    _inspection(file.item.inspection_id)
    return send_bytes(file.data, file.filename, file.content_type)


@bp.route("/evidence/<int:evidence_id>/remove", methods=["POST"])
@permission_required(can_record_inspection)
def remove_evidence(evidence_id: int):
    file = db.session.get(EvidenceFile, evidence_id) or abort(404)
    inspection = _inspection(file.item.inspection_id)
    code = file.item.code
    act(lambda: service.remove_evidence(file, current_user), "证明材料已删除。")
    return redirect(url_for(".show", inspection_id=inspection.id, _anchor=f"item-{code}"))


@bp.route("/<int:inspection_id>/verdict", methods=["POST"])
@permission_required(can_record_inspection)
def verdict(inspection_id: int):
    inspection = _inspection(inspection_id)
    form = VerdictForm()
    entered = {"verdict": form.verdict.data, "deduction": form.deduction.raw_data[0]
               if form.deduction.raw_data else None, "note": form.note.data or ""}  # fmt: skip
    try:
        if not form.validate_on_submit():
            raise InvalidInput(first_error(form))
        deduction = "0" if form.deduction.data is None else str(form.deduction.data)
        service.record_verdict(inspection, form.verdict.data or "", deduction,
                               form.note.data or "", current_user)  # fmt: skip
    except DomainError as err:
        db.session.rollback()
        return _show(_inspection(inspection_id), at="verdict", error=err.message, status=400,
                     posted=entered)  # fmt: skip
    db.session.commit()
    flash("核查结论已确认，申报已进入“已实地核查”。", "success")
    return redirect(url_for(".show", inspection_id=inspection.id, at="verdict",
                            _anchor="verdict"))  # fmt: skip
