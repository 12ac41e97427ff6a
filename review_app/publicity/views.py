"""The coordinator's pages after the decision: a track's stages (审定, 公示, 递补), the
objections' register and each objection's 核查, 正式发文 and 复核. Thin: parse, call a verb,
render; the verbs are in ``service``, ``objections`` and ``issue``."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..applications.models import Application
from ..auth.models import User
from ..auth.permissions import permission_required
from ..clock import china_date, utcnow
from ..errors import DomainError
from ..extensions import db
from ..files import send_bytes
from ..programs.models import TRACKS
from ..programs.selection import selected_program
from ..web import (
    commit_or_flash,
    flash_hidden_errors,
    keeps_input_on_csrf,
    refusal_beside,
    valid_or_flash,
)
from . import issue as issuing
from . import objection_page, objections, rules, run_list, service
from .forms import (
    ApprovalForm,
    BackfillForm,
    IssueForm,
    ObjectionActionForm,
    PublishForm,
    ReconsiderForm,
    RecordObjectionForm,
)
from .models import (
    CHANNELS,
    OBJECTION_STATUSES,
    Approval,
    Objection,
    ObjectionFile,
    PublicityPeriod,
)
from .objections import Filing
from .permissions import (
    CHECKER_ROLES,
    can_manage_publicity,
    can_reconsider,
    can_view_objection,
    can_view_objections,
)
from .uploads import Upload

bp = Blueprint("publicity", __name__, url_prefix="/publicity")


def _track(track: str) -> str:
    if track not in TRACKS:
        abort(404)
    return track


def uploads(field) -> list[Upload]:
    return [Upload(f.filename, f.read()) for f in (field.data or []) if f and f.filename]


@bp.route("/<track>")
@permission_required(can_manage_publicity)
def track(track: str):
    program = selected_program()
    track = _track(track)
    run = service.confirmed_run_or_none(program, track)
    waiting = [db.session.get(Application, i) for i in rules.awaiting_publicity(program.id, track)]
    entry, why = rules.next_eligible(program.id, track) if run else (None, "")
    f = run_list.filters()
    listing = run_list.run_page(run, f) if run else None
    today = china_date(utcnow())
    return render_template(
        "publicity/track.html", track=track, run=run, waiting=waiting,
        approvals=service.approvals(program, track), periods=service.periods(program, track),
        refusal=rules.approval_refusal(program.id, track, run.id) if run else None,
        next_entry=entry, next_why=why, listing=listing, filters=f,
        filtered=run_list.filtered(f), sorts=run_list.SORTS, today=today,
        approval_form=ApprovalForm(), publish_form=PublishForm(formdata=None,
                                                                  start_on=today,
                                                                  contact=service.default_contact(program)),
        backfill_form=BackfillForm(), days_left=service.days_left,
        working_days=service.working_days(program),
    )  # fmt: skip


@bp.route("/<track>/approve", methods=["POST"])
@permission_required(can_manage_publicity)
def approve(track: str):
    program, track = selected_program(), _track(track)
    form = valid_or_flash(ApprovalForm)
    if form is not None:
        upload = form.minutes.data
        minutes = Upload(upload.filename, upload.read()) if upload and upload.filename else None
        commit_or_flash(lambda: service.record_approval(
            program, track, meeting_kind=form.meeting_kind.data,
            meeting_date=form.meeting_date.data, attendees=form.attendees.data or "",
            minutes=minutes, actor=current_user,
        ), "已记录审定，可以开始公示。")  # fmt: skip
    return redirect(url_for(".track", track=track))


@bp.route("/<track>/publish", methods=["POST"])
@permission_required(can_manage_publicity)
def publish(track: str):
    program, track = selected_program(), _track(track)
    form = valid_or_flash(PublishForm)
    if form is not None:
        ok, period = commit_or_flash(lambda: service.publish(
            program, track, start_on=form.start_on.data, contact=form.contact.data or "",
            actor=current_user,
        ))  # fmt: skip
        if ok:
            flash(
                f"已开始公示：{period.start_on:%Y-%m-%d} 至 {period.end_on:%Y-%m-%d}。", "success"
            )
    return redirect(url_for(".track", track=track))


@bp.route("/<track>/backfill", methods=["POST"])
@permission_required(can_manage_publicity)
def backfill(track: str):
    program, track = selected_program(), _track(track)
    form = valid_or_flash(BackfillForm)
    if form is not None:
        ok, app_ = commit_or_flash(
            lambda: issuing.backfill(program, track, form.reason.data or "", current_user)
        )
        if ok:
            flash(f"{app_.enterprise.name}已递补为拟入库，请审定后公示。", "success")
    return redirect(url_for(".track", track=track))


@bp.route("/approvals/<int:approval_id>/minutes")
@permission_required(can_manage_publicity)
def minutes(approval_id: int):
    approval = db.session.get(Approval, approval_id) or abort(404)
    if approval.program_id != selected_program().id:
        abort(404)
    return send_bytes(approval.minutes_data, approval.minutes_filename)


@bp.route("/periods/<int:period_id>.docx")
@permission_required(can_manage_publicity)
def period_docx(period_id: int):
    period = db.session.get(PublicityPeriod, period_id) or abort(404)
    program = selected_program()
    if period.program_id != program.id:
        abort(404)
    name, data = service.period_document(program, period)
    return send_bytes(data, name)


# ------------------------------------------------------------------------------ objections


def _checkers() -> list[User]:
    return list(db.session.execute(
        select(User).where(User.role.in_(CHECKER_ROLES), User.is_active_account.is_(True))
        .order_by(User.role, User.id)
    ).scalars())  # fmt: skip


@bp.route("/objections", methods=["GET", "POST"])
@permission_required(can_view_objections)
def objection_list():
    program = selected_program()
    form = RecordObjectionForm()
    if form.is_submitted():
        if not can_manage_publicity(current_user):
            abort(403)
        form = valid_or_flash(RecordObjectionForm)
        if form is not None:
            period = db.session.get(PublicityPeriod, form.period_id.data or 0)
            filing = Filing(form.name.data or "", form.unit.data or "", form.phone.data or "",
                            form.email.data or "", form.application_id.data,
                            form.subject.data or "", form.content.data or "")  # fmt: skip
            ok, result = commit_or_flash(lambda: objections.record(
                program, period, filing, form.channel.data, current_user, uploads(form.files),
            ))  # fmt: skip
            if ok:
                objection, notes = result
                flash(f"已登记第{objection.id}号异议（{objection.status_name}）。", "success")
                for note in notes:
                    flash(note, "warning")
        return redirect(url_for(".objection_list"))
    f = objection_page.filters()
    listing = objection_page.objection_page(program, current_user, f)
    return render_template(
        "publicity/objections.html", listing=listing, filters=f,
        filtered=objection_page.filtered(f), sorts=objection_page.SORTS, channels=CHANNELS,
        statuses=OBJECTION_STATUSES, form=form, periods=service.periods(program),
    )  # fmt: skip


def _objection(objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.program_id != selected_program().id:
        abort(404)
    if not can_view_objection(current_user, objection):
        abort(403)
    return objection


@bp.route("/objections/<int:objection_id>", methods=["GET", "POST"])
@permission_required(can_view_objections)
def objection(objection_id: int):
    item = _objection(objection_id)
    form = ObjectionActionForm()
    if form.is_submitted():
        form = valid_or_flash(ObjectionActionForm)
        if form is not None:
            _act(item, form)
        return redirect(url_for(".objection", objection_id=item.id))
    return render_template("publicity/objection.html", o=item, form=form, checkers=_checkers())


def _act(item: Objection, form) -> None:
    action, reason = form.action.data, form.reason.data or ""
    verbs = {
        "accept": (lambda: objections.accept(item, current_user), "已受理。"),
        "not_accept": (lambda: objections.not_accept(item, reason, current_user), "已不予受理。"),
        "assign": (lambda: objections.assign_checker(item, form.checker_id.data, current_user),
                   "已指派核查人。"),
        "findings": (lambda: objections.record_findings(item, form.findings.data or "",
                                                        uploads(form.files), current_user),
                     "已记录核查情况。"),
        "uphold": (lambda: objections.conclude(item, True, reason, current_user),
                   "异议成立，已撤销该企业的拟入库。"),
        "dismiss": (lambda: objections.conclude(item, False, reason, current_user),
                    "异议不成立。"),
    }  # fmt: skip
    verb, message = verbs[action]
    ok, notes = commit_or_flash(verb, message)
    if ok and isinstance(notes, list):  # files refused (named) while the rest was kept
        for note in notes:
            flash(note, "warning")


@bp.route("/objection-files/<int:objection_file_id>")
@permission_required(can_view_objections)
def objection_file(objection_file_id: int):
    file = db.session.get(ObjectionFile, objection_file_id) or abort(404)
    _objection(file.objection_id)
    return send_bytes(file.data, file.filename, file.content_type)


# ------------------------------------------------------------------------------ 正式发文, 复核


@bp.route("/issue", methods=["GET", "POST"])
@keeps_input_on_csrf
@permission_required(can_manage_publicity)
def issue():
    """正式发文. Refused (a field in error, a stale token, not yet possible): the page again
    (400) with what was typed, each error beside its field; nothing issued."""
    program = selected_program()
    form = IssueForm()
    if request.method != "POST":
        return _issue_page(program, form)
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _issue_page(program, form, 400)
    try:
        record = issuing.issue(
            program, doc_number=form.doc_number.data, addressees=form.addressees.data or "",
            copied_to=form.copied_to.data or "", actor=current_user,
        )  # fmt: skip
    except DomainError as err:
        db.session.rollback()
        refusal_beside(form, err)
        return _issue_page(program, form, 400)
    db.session.commit()
    flash("已正式发文，结果通知草稿已生成，请核对后发出。" if record
          else "入库名单此前已正式发文，未作改动。", "success")  # fmt: skip
    return redirect(url_for(".issue"))


def _issue_page(program, form: IssueForm, status: int = 200):
    return render_template(
        "publicity/issue.html", record=issuing.issued(program),
        blockers=issuing.blockers(program), form=form,
        default_addressees=issuing.DEFAULT_ADDRESSEES, help=issuing.doc_number_help(program),
    ), status  # fmt: skip


@bp.route("/issue.docx")
@permission_required(can_manage_publicity)
def issue_docx():
    record = issuing.issued(selected_program()) or abort(404)
    return send_bytes(record.data, record.filename)


@bp.route("/applications/<int:application_id>/reconsider", methods=["GET", "POST"])
@keeps_input_on_csrf
@permission_required(can_manage_publicity)
def reconsider(application_id: int):
    """复核 of a final result. Refused (a field in error, a stale token, the result not final):
    the page again (400) with what was typed, each error beside its field; nothing changed."""
    application = db.session.get(Application, application_id) or abort(404)
    if application.program_id != selected_program().id:
        abort(404)
    form = ReconsiderForm()
    if request.method != "POST":
        return _reconsider_page(application, form)
    if not can_reconsider(current_user, application):
        abort(403)
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _reconsider_page(application, form, 400)
    try:
        issuing.reconsider(
            application, reason=form.reason.data, approval_record=form.approval_record.data,
            actor=current_user,
        )  # fmt: skip
    except DomainError as err:
        db.session.rollback()
        refusal_beside(form, err)
        return _reconsider_page(db.session.get(Application, application_id), form, 400)
    db.session.commit()
    flash("已记录复核并变更结果。", "success")
    return redirect(url_for(".reconsider", application_id=application.id))


def _reconsider_page(application: Application, form: ReconsiderForm, status: int = 200):
    return render_template("publicity/reconsider.html", a=application, form=form), status
