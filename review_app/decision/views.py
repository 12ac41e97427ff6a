"""入库决定 pages: the ranking of a track with every number, what-if parameters and who crosses
the cut line, staging and confirmation, the exports, and the result notices' outbox."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..applications.catalogue import scored_sections
from ..applications.models import Application
from ..auth.permissions import permission_required
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..files import send_bytes
from ..jobs.tasks import build_export_bundle
from ..jobs.views import start
from ..outbox import tally
from ..outbox.models import MESSAGE_STATUSES
from ..panel.report import signed_opinions
from ..programs.models import TRACKS, Prefecture
from ..programs.selection import selected_program
from ..similarity.service import marked_pairs
from ..web import commit_or_flash, posted, valid_or_flash
from . import exports, notices, service
from .columns import COLUMNS, DEFAULT_COLUMNS, chosen_columns
from .forms import BundleForm, NoticeForm, StageForm
from .models import DecisionEntry, DecisionRun, ResultNotice
from .permissions import (
    can_decide,
    can_download_notice,
    can_release_notice,
    can_release_notices,
    can_view_notices,
)

bp = Blueprint("decision", __name__, url_prefix="/decision")
KINDS = ("admission.xlsx", "admission.docx", "ranking.xlsx", "report.docx")


def _track(track: str) -> str:
    if track not in TRACKS:
        abort(404)
    return track


@bp.route("/")
@permission_required(can_decide)
def index():
    return redirect(url_for(".track", track="excellent"))


@bp.route("/<track>")
@permission_required(can_decide)
def track(track: str):
    program = selected_program()
    track = _track(track)
    base = service.default_params(program, track)
    staged = service.run_of(program, track, "staged")
    confirmed = service.run_of(program, track, "confirmed")
    run = confirmed or staged
    moves, trial = [], None
    if request.args.get("try"):
        try:
            params = service.params_with(base, request.args)
            trial, moves, _ = service.what_if(program, track, params)
        except DomainError as err:
            flash(err.message, "error")
    if trial is None and run is None:
        trial = service.evaluate(program, track, base)
    shown = trial if trial is not None else run
    return render_template(
        "decision/track.html", track=track, base=base, run=run, staged=staged,
        confirmed=confirmed, trial=trial, moves=moves, table=_table(shown), form=StageForm(),
        blocking=(trial.blocking if trial is not None else run.summary.get("blocking", [])),
        cut_rank=(trial.cut_rank if trial is not None else run.summary.get("cut_rank")),
        sections=[(s.key, s.title) for s in scored_sections(track)], kinds=KINDS,
        args=request.args, similar_pairs=marked_pairs(program, track),
        columns=COLUMNS, cols=chosen_columns(request.args), default_cols=DEFAULT_COLUMNS,
    )  # fmt: skip


def _table(shown) -> list[dict]:
    """Rows for the ranking table from a stored run or a fresh result."""
    if isinstance(shown, DecisionRun):
        # Held while the rows are built: the session finds each entry's application in its
        # identity map (weakly referenced) instead of querying it.
        listed = _listed_applications(
            select(DecisionEntry.application_id).where(DecisionEntry.run_id == shown.id)
        )
        rows = [
            {"app": e.application, "rank": e.numbers.get("rank"), "final": e.score,
             "outcome": e.outcome, "reason": e.numbers.get("reason"),
             "explanation": e.explanation, **e.numbers}
            for e in shown.entries_in_order
        ]  # fmt: skip
        del listed
        return rows
    apps = {a.id: a for a in _listed_applications([e.application_id for e in shown.entries])}
    return [
        {"app": apps[e.application_id], "rank": e.rank, "final": e.final_score,
         "outcome": e.outcome, "reason": e.reason, "explanation": e.explanation, **e.numbers}
        for e in shown.entries
    ]  # fmt: skip


def _listed_applications(ids) -> list[Application]:
    """The applications ``ids`` with the enterprise and prefecture the table shows, in one query
    (not three per row)."""
    return list(
        db.session.execute(
            select(Application)
            .where(Application.id.in_(ids))
            .options(joinedload(Application.enterprise), joinedload(Application.prefecture))
        ).scalars()
    )


@bp.route("/<track>/stage", methods=["POST"])
@permission_required(can_decide)
def stage(track: str):
    program = selected_program()
    track = _track(track)
    form = valid_or_flash(StageForm)
    if form is None:
        return redirect(url_for(".track", track=track))
    ok, run = commit_or_flash(lambda: service.stage(
        program, track,
        service.params_with(service.default_params(program, track), form.params()), current_user,
    ))  # fmt: skip
    if not ok:
        return redirect(url_for(".track", track=track))
    blocking = run.summary.get("blocking") or []
    flash(
        f"已暂存：入库 {run.summary['admitted']} 家。"
        + (f"尚有 {len(blocking)} 项须处理后才能确认。" if blocking else "可以确认。"),
        "success" if not blocking else "warning",
    )
    return redirect(url_for(".track", track=track))


@bp.route("/runs/<int:run_id>/confirm", methods=["POST"])
@permission_required(can_decide)
def confirm(run_id: int):
    run = db.session.get(DecisionRun, run_id)
    if run is None or run.program_id != selected_program().id:
        abort(404)  # the page confirms the program it shows, never another one
    ok, changed = commit_or_flash(lambda: service.confirm(run, current_user))
    if not ok:
        return redirect(url_for(".track", track=run.track_code))
    flash(
        "入库决定已确认：入选申报为拟入库，其余为拟不予入库；经审定、公示后正式发文。" if changed
        else "该入库决定此前已确认，未作改动。",
        "success",
    )  # fmt: skip
    return redirect(url_for(".track", track=run.track_code))


@bp.route("/<track>/export/<kind>")
@permission_required(can_decide)
def export(track: str, kind: str):
    program = selected_program()
    track = _track(track)
    if kind not in KINDS:
        abort(404)
    run = service.latest_run(program, track)
    if run is None:
        flash("请先暂存排名。", "error")
        return redirect(url_for(".track", track=track))
    summary = service.run_summary(program, run)
    rows = service.result_rows(run)
    sections = [(s.key, s.title) for s in scored_sections(track)]
    makers = {
        "admission.xlsx": lambda: exports.admission_list_xlsx(summary, rows),
        "admission.docx": lambda: exports.admission_list_docx(summary, rows),
        "ranking.xlsx": lambda: exports.ranking_xlsx(summary, rows, sections),
        "report.docx": lambda: exports.decision_report_docx(
            summary, rows, sections, signed_opinions(rows)
        ),
    }
    names = {
        "admission.xlsx": "入库名单", "admission.docx": "入库名单", "ranking.xlsx": "评审排名",
        "report.docx": "评审决定报告",
    }  # fmt: skip
    draft = "" if run.status == "confirmed" else "（草稿）"
    suffix = kind.rsplit(".", 1)[1]
    return send_bytes(makers[kind](), f"{summary.track_name}{names[kind]}{draft}.{suffix}")


@bp.route("/bundle", methods=["POST"])
@permission_required(can_decide)
def bundle():
    """All official exports in one .zip, built as a background job with a progress bar."""
    program = selected_program()
    job = start("export_bundle", {
        "program_id": program.id, "filename": f"{program.name}-评审结果导出.zip",
        "back": url_for(".track", track=posted(BundleForm).track.data or "excellent"),
    })  # fmt: skip
    db.session.commit()
    build_export_bundle(job.id)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/prefecture/<int:prefecture_id>/results.xlsx")
@permission_required(can_release_notices)
def prefecture_results(prefecture_id: int):
    program = selected_program()
    prefecture = db.session.get(Prefecture, prefecture_id) or abort(404)
    summaries, rows = [], []
    for t in program.tracks:
        run = service.latest_run(program, t.code)
        if run is not None:
            summaries.append(service.run_summary(program, run))
            rows += [r for r in service.result_rows(run) if r.prefecture == prefecture.name]
    data = exports.prefecture_results_xlsx(summaries, prefecture.name, rows)
    return send_bytes(data, f"评审结果-{prefecture.name}.xlsx")


@bp.route("/notices", methods=["GET", "POST"])
@permission_required(can_view_notices)
def notice_list():
    program = selected_program()
    if request.method == "POST":
        if not can_release_notices(current_user):
            abort(403)
        form = posted(NoticeForm)
        action, notice = form.action.data, None
        if action == "release":
            notice = db.session.get(ResultNotice, form.notice_id.data or 0)
            if notice is None or notice.program_id != program.id:
                abort(404)
            if not can_release_notice(current_user, notice):  # no 发出 button: refused
                raise InvalidInput("该通知已发出。")

        def verb() -> str:
            if action == "generate":
                made = notices.generate(program, current_user)
                return f"已生成 {len(made)} 份结果通知（草稿），请逐份核对后发出。"
            if action == "release":
                done = notices.release(notice, current_user)
                return f"已发出{notice.prefecture.name}的结果通知。" if done else "该通知已发出。"
            count = sum(notices.release(n, current_user) for n in notices.notices(program)
                        if can_release_notice(current_user, n))  # fmt: skip
            return f"已发出 {count} 份结果通知。"

        ok, message = commit_or_flash(verb)
        if ok:
            flash(message, "success")
        return redirect(url_for(".notice_list"))
    rows = notices.notices(program)
    rows = [n for n in rows if can_download_notice(current_user, n)]
    prefectures = db.session.execute(select(Prefecture).order_by(Prefecture.sort_order)).scalars()
    return render_template(
        "decision/notices.html", rows=rows, form=NoticeForm(), prefectures=list(prefectures),
        mail=tally.letters_by_notice(program), mail_sent=tally.letters_sent(program),
        sent_status=tally.SENT, sent_of=tally.sent_of, statuses=MESSAGE_STATUSES,
    )  # fmt: skip


@bp.route("/notices/<int:notice_id>.docx")
@permission_required(can_view_notices)
def notice_file(notice_id: int):
    notice = db.session.get(ResultNotice, notice_id) or abort(404)
    if not can_download_notice(current_user, notice):
        abort(403)
    return send_bytes(notice.data, notice.filename)
