"""The public 公示 pages (no login): the list (enterprise, prefecture, track; no score, no rank),
the period with why it ends when it does, how to object, and the objection form (CSRF, rate
limited per address, attachments bounded and content-checked). Whatever is filed is recorded;
one the rules do not accept is recorded as 不予受理 with the reason."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..clock import china_date, utcnow
from ..errors import DomainError
from ..extensions import db, limiter
from ..programs.models import Program
from ..web import flash_hidden_errors, keeps_input_on_csrf
from . import objections, service
from .docx import publicity_title
from .forms import PublicObjectionForm
from .models import PublicityPeriod
from .objections import Filing
from .views import uploads

bp = Blueprint("gongshi", __name__, url_prefix="/gongshi")
FILING_LIMIT = "5 per hour;20 per day"
_FILES_AGAIN = "异议未提交，已填写的内容已保留；选择的证明材料须重新选择后再提交。"


def _period(period_id: int) -> PublicityPeriod:
    return db.session.get(PublicityPeriod, period_id) or abort(404)


@bp.route("/")
def index():
    periods = db.session.execute(
        select(PublicityPeriod).order_by(PublicityPeriod.start_on.desc(), PublicityPeriod.id)
    ).scalars().all()  # fmt: skip
    return render_template("publicity/public_index.html", periods=periods, programs={
        p.id: p for p in db.session.execute(select(Program)).scalars()
    }, days_left=service.days_left, now=utcnow())  # fmt: skip


@bp.route("/<int:period_id>", methods=["GET", "POST"])
@keeps_input_on_csrf
@limiter.limit(FILING_LIMIT, methods=["POST"])
def show(period_id: int):
    """The period's page and its objection form. A refused post (a field in error, a stale
    token, a filing the rules refuse outright) answers 400 with the page again: what was typed
    kept, each error beside its field, nothing recorded."""
    period = _period(period_id)
    program = db.session.get(Program, period.program_id)
    listed = service.listed_applications(period)
    form = PublicObjectionForm()
    form.application_id.render_kw = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
            flash_hidden_errors(form)
        else:
            filing = Filing(form.name.data or "", form.unit.data or "", form.phone.data or "",
                            form.email.data or "", form.application_id.data, "",
                            form.content.data or "")  # fmt: skip
            try:
                objection, notes = objections.file_public(period, filing, uploads(form.files))
            except DomainError as err:
                db.session.rollback()
                status = 400
                field = form._fields.get(err.code)  # the rules name the field they refuse
                if field is not None and field.type != "CSRFTokenField":
                    field.errors = [*field.errors, err.message]
                else:
                    flash(err.message, "error")
            else:
                db.session.commit()
                if objection.status == "not_accepted":
                    flash(f"您的异议已登记（第{objection.id}号），但{objection.decision_reason}",
                          "warning")  # fmt: skip
                else:
                    flash(f"您的异议已收到（第{objection.id}号），我厅将依规受理核查并答复。",
                          "success")  # fmt: skip
                for note in notes:
                    flash(note, "warning")
                return redirect(url_for(".show", period_id=period.id))
        if any(f.filename for f in form.files.data or [] if f):  # a browser never keeps them
            flash(_FILES_AGAIN, "warning")
    return render_template(
        "publicity/public_show.html", period=period, program=program, listed=listed,
        track_name=program.track(period.track_code).name, form=form,
        title=publicity_title(program.year, program.track(period.track_code).name, period.kind),
        open_now=service.in_period(period, utcnow()), days_left=service.days_left(period),
        today_date=china_date(utcnow()),
    ), status  # fmt: skip
