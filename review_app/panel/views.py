"""The panel's record on the web: the 复议 discussion, the 专家组意见 (the coordinator's status
page and 组长 setting, the expert's tasks, one opinion's page) and the signed sheets."""

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..applications.models import Application
from ..auth.permissions import permission_required
from ..errors import DomainError, InvalidInput
from ..experts.models import Expert, Panel
from ..experts.service import expert_of
from ..extensions import db
from ..form_fields import ActionForm
from ..ids import db_id
from ..paging import paginate_list
from ..programs.models import TRACKS, Program
from ..programs.selection import selected_program
from ..scoring.models import DispersionFlag
from ..web import (
    act,
    flash_hidden_errors,
    keeps_input_on_csrf,
    posted,
    reads_only,
    refusal_beside,
)
from . import comments, opinions, record, roles, sheets, threads
from .forms import LeadForm, OpinionForm, PostForm
from .models import LEAD_SOURCES, STANCES, PanelOpinion
from .permissions import (
    can_choose_letter,
    can_download_score_sheet,
    can_download_summary,
    can_edit_opinion,
    can_manage_opinions,
    can_post_in_thread,
    can_read_comments,
    can_sign_opinion,
    can_sign_score_sheet,
    can_sign_summary,
    can_view_opinion,
    can_view_thread,
    can_vote_opinion,
    can_work_on_opinions,
)

bp = Blueprint("panel", __name__, url_prefix="/panel")

# Predicates and helpers the templates use (DESIGN.md section 12: templates ask predicates).
TEMPLATE_GLOBALS = {
    f.__name__: f
    for f in (can_choose_letter, can_edit_opinion, can_manage_opinions, can_post_in_thread,
              can_read_comments, can_sign_opinion, can_view_opinion, can_view_thread,
              can_vote_opinion, can_work_on_opinions, can_sign_summary)
}  # fmt: skip


@bp.record_once
def _register_globals(state) -> None:
    state.app.jinja_env.globals.update(
        TEMPLATE_GLOBALS,
        section_codes=roles.section_codes,
        thread_counts=lambda flag_id: threads.counts([flag_id]).get(flag_id, 0),
    )


# The discussion verb's refusals shown beside the post's box.
POST_FIELDS = {"empty_post": "body", "long_post": "body"}


@bp.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@reads_only
@keeps_input_on_csrf
@permission_required(can_view_thread)
def thread(flag_id: int):
    """复议讨论: the flagged section's reviews by code, and the posts. A refused post (empty, too
    long, a stale token, the flag resolved meanwhile): the page again (400) with the text as
    typed, the error beside it; nothing posted."""
    flag = db.session.get(DispersionFlag, flag_id) or abort(404)
    if not can_view_thread(current_user, flag):
        abort(404)
    form = PostForm()
    if request.method != "POST":
        return _thread_page(flag, form)
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _thread_page(flag, form, 400)
    try:
        threads.post(flag, form.body.data, current_user)
    except DomainError as err:
        db.session.rollback()
        refusal_beside(form, err, POST_FIELDS)
        return _thread_page(db.session.get(DispersionFlag, flag_id), form, 400)
    db.session.commit()
    flash("发言已发布。", "success")
    return redirect(url_for(".thread", flag_id=flag_id))


def _thread_page(flag: DispersionFlag, form: PostForm, status: int = 200):
    coordinator = can_manage_opinions(current_user)
    section_reviews = comments.section_comments([flag.section_id]).get(flag.section_id, [])
    return render_template(
        "panel/thread.html", flag=flag, reviews=section_reviews, names=coordinator,
        posts=threads.shown(flag, current_user, names=coordinator), form=form,
    ), status  # fmt: skip


@bp.route("/opinions")
@reads_only
@permission_required(can_manage_opinions)
def opinions_status():
    """专家组意见 status per application and panel; each panel's 组长."""
    track = request.args.get("track", "excellent")
    if track not in TRACKS:
        abort(404)
    program = selected_program()
    panels, rows = record.status_table(program, track)
    leads = {p.id: (roles.lead_of(p), roles.lead_source(p)) for p in panels}
    choices = {
        p.id: [db.session.get(Expert, e) for e in opinions.panel_expert_ids(p)] for p in panels
    }
    listing = paginate_list(rows)
    return render_template(
        "panel/status.html", track=track, panels=panels, rows=listing.rows, listing=listing,
        leads=leads,
        choices=choices, sources=LEAD_SOURCES, form=LeadForm(),
    )  # fmt: skip


@bp.route("/leads", methods=["POST"])
@permission_required(can_manage_opinions)
def set_lead():
    form = posted(LeadForm)
    panel = db.session.get(Panel, form.panel_id.data) or abort(404)
    expert = db.session.get(Expert, form.expert_id.data) or abort(404)
    if panel.program_id != selected_program().id:
        abort(404)
    act(lambda: opinions.set_lead(panel, expert, current_user), "组长已设定。")
    return redirect(url_for(".opinions_status", track=panel.track_code))


@bp.route("/mine")
@reads_only
@permission_required(can_work_on_opinions)
def mine():
    """The expert's 专家组意见: to draft and sign as 组长, to confirm as member."""
    expert = expert_of(current_user)
    program = selected_program()
    tasks = record.expert_tasks(expert, program) if expert is not None else []
    flags = record.expert_flags(expert, program) if expert is not None else []
    led = [p for p in record.panels_led(expert, program)] if expert is not None else []
    listing = paginate_list(tasks)
    return render_template("panel/mine.html", tasks=listing.rows, listing=listing, expert=expert,
                           flags=flags, led=led, form=ActionForm())  # fmt: skip


def _placeholder(application: Application, panel: Panel) -> PanelOpinion:
    """An opinion not yet drafted, never added to the session (the predicates read it)."""
    return PanelOpinion(application=application, panel=panel, status="draft", strengths="",
                        problems="", recommendation="", version=0)  # fmt: skip


def _opinion_verb(action: str, form, application: Application, panel: Panel):
    opinion = opinions.opinion_of(application, panel)
    if action == "start":
        return lambda: opinions.start(application, panel, current_user)
    if opinion is None:
        raise InvalidInput("该专家组意见尚未起草。", code="no_opinion")
    texts = (form.strengths.data, form.problems.data, form.recommendation.data)
    verbs = {
        "save": lambda: opinions.save(opinion, *texts, current_user, version=form.version.data),
        "circulate": lambda: (
            opinions.save(opinion, *texts, current_user, version=form.version.data),
            opinions.circulate(opinion, current_user),
        ),
        "sign": lambda: opinions.sign(opinion, current_user),
        "agree": lambda: opinions.vote(opinion, "agree", form.reason.data, current_user),
        "object": lambda: opinions.vote(opinion, "object", form.reason.data, current_user),
        "letter_on": lambda: opinions.choose_letter(opinion, True, current_user),
        "letter_off": lambda: opinions.choose_letter(opinion, False, current_user),
    }
    return verbs[action]


DONE = {"start": "已根据评审意见生成草稿。", "save": "已保存。", "circulate": "已提交组员征求意见。",
        "sign": "专家组意见已签发。", "agree": "已表示同意。", "object": "异议已提交。",
        "letter_on": "签发的问题与建议将写入结果通知。", "letter_off": "结果通知中不写入该意见。"}  # fmt: skip


@bp.route("/opinions/<int:application_id>/<int:panel_id>", methods=["GET", "POST"])
@reads_only
@keeps_input_on_csrf
@permission_required(can_view_opinion)
def opinion(application_id: int, panel_id: int):
    """One 专家组意见: the section comments by code, the text, the members' answers."""
    application = db.session.get(Application, application_id) or abort(404)
    panel = db.session.get(Panel, panel_id) or abort(404)
    if (panel.program_id, panel.track_code) != (application.program_id, application.track_code):
        abort(404)
    found = opinions.opinion_of(application, panel)
    shown = found if found is not None else _placeholder(application, panel)
    if not can_view_opinion(current_user, shown):
        abort(404)
    # Posted, a field the button's form did not send keeps the stored text (a refused 签发
    # shows the draft, not empty boxes).
    form = OpinionForm(obj=found) if found is not None else OpinionForm()
    if request.method != "POST":
        return _opinion_page(application, panel, found, shown, form)
    if not form.validate_on_submit():
        _flash_unshown_errors(form)
        return _opinion_page(application, panel, found, shown, form, 400)
    action = form.action.data
    try:
        _opinion_verb(action, form, application, panel)()
    except DomainError as err:
        db.session.rollback()
        found = opinions.opinion_of(application, panel)
        shown = found if found is not None else _placeholder(application, panel)
        if err.code == "stale" and found is not None:
            # Another window saved first: what was typed here is kept, and saving it again
            # replaces that version (said so, rather than "refresh", which would lose it).
            form.version.data = found.version
            flash(STALE_OPINION, "error")
        else:
            refusal_beside(form, err)
        return _opinion_page(application, panel, found, shown, form, 400)
    db.session.commit()
    flash(DONE[action], "success")
    return redirect(url_for(".opinion", application_id=application_id, panel_id=panel_id))


STALE_OPINION = ("该意见已在其他窗口保存过，本次修改未保存。下方保留了您填写的内容，"
                 "核对后再次保存将以此为准。")  # fmt: skip


def _flash_unshown_errors(form: OpinionForm) -> None:
    """The errors of the fields the page does not show beside a box (the token, the button
    pressed, the version) flashed above it; the texts' errors are shown beside them."""
    flash_hidden_errors(form)
    for field in (form.action, form.version):
        for error in field.errors:
            flash(f"“{field.label.text}”：{error}" if field.label.text else error, "error")


def _opinion_page(application: Application, panel: Panel, found: PanelOpinion | None,
                  shown: PanelOpinion, form: OpinionForm, status: int = 200):  # fmt: skip
    sections = roles.panel_sections(application, panel)
    by_section = comments.section_comments([s.id for s in sections])
    lead = roles.lead_of(panel)
    member_codes = roles.codes(roles.member_ids(application, panel))
    hits = []
    if found is not None and can_edit_opinion(current_user, found):
        hits = comments.leaks(found.text, application, expert_of(current_user))
    return render_template(
        "panel/opinion.html", app_=application, panel=panel, opinion=found, shown=shown,
        sections=sections, by_section=by_section, lead=lead, member_codes=member_codes,
        waiting=opinions.waiting_for(found) if found is not None else [], form=form,
        hits=hits, stances=STANCES, names=can_manage_opinions(current_user),
        chars=opinions.chars(found.text) if found is not None else 0,
        max_chars=opinions.MAX_CHARS,
    ), status  # fmt: skip


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(data: bytes, name: str):
    return send_file(BytesIO(data), mimetype=DOCX, as_attachment=True, download_name=name)


@bp.route("/sheets/score.docx")
@permission_required(can_download_score_sheet)
def score_sheet():
    """专家评分表, generated now: one's own, or the named expert's for the coordinator."""
    if can_manage_opinions(current_user):
        expert = db.session.get(Expert, request.args.get("expert", type=db_id) or 0)
    else:
        expert = expert_of(current_user)
    if expert is None:
        abort(404)
    return _docx(sheets.score_sheet_docx(expert, selected_program()), "专家评分表.docx")


@bp.route("/sheets/score/sign", methods=["POST"])
@permission_required(can_sign_score_sheet)
def sign_score_sheet():
    posted(ActionForm)
    act(lambda: sheets.sign_score_sheet(selected_program(), current_user), "评分表已签署并存档。")
    return redirect(url_for(".mine"))


@bp.route("/panels/<int:panel_id>/summary.docx")
@permission_required(can_download_summary)
def summary_sheet(panel_id: int):
    """评审意见汇总表, generated now."""
    panel = db.session.get(Panel, panel_id) or abort(404)
    if not can_download_summary(current_user, panel):
        abort(403)
    program = db.session.get(Program, panel.program_id)
    return _docx(sheets.summary_docx(panel, program), "评审意见汇总表.docx")


@bp.route("/panels/<int:panel_id>/summary/sign", methods=["POST"])
@permission_required(can_sign_summary)
def sign_summary(panel_id: int):
    panel = db.session.get(Panel, panel_id) or abort(404)
    if not can_sign_summary(current_user, panel):
        abort(403)
    posted(ActionForm)
    program = db.session.get(Program, panel.program_id)
    act(lambda: sheets.sign_summary(panel, program, current_user), "汇总表已签署并存档。")
    return redirect(url_for(".mine"))
