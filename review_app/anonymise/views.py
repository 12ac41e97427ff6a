"""The coordinator's redaction page: original and redacted text side by side, terms, re-run,
confirm."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from ..applications.models import Application
from ..auth.permissions import permission_required
from ..errors import InvalidInput
from ..extensions import db
from ..form_fields import ActionForm
from ..programs.selection import selected_program
from ..web import flash_hidden_errors, keeps_input_on_csrf
from . import service
from .forms import TermForm
from .permissions import can_anonymise
from .redaction_types import TOKENS

bp = Blueprint("anonymise", __name__, url_prefix="/anonymise")
_TOKEN_SET = tuple(TOKENS.values())


def _application(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    return application


def highlight_original(text: str, replacements: list[dict]) -> Markup:
    """The original text with each replaced span marked (escaped; spans do not overlap)."""
    out, cursor = [], 0
    for r in sorted(replacements, key=lambda r: r["start"]):
        if r["start"] < cursor:
            continue
        out.append(escape(text[cursor : r["start"]]))
        title = escape(f"{r['token']}（{r['source']}）")
        out.append(
            Markup('<mark class="redacted" title="{}">{}</mark>').format(
                title, text[r["start"] : r["end"]]
            )
        )
        cursor = r["end"]
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def highlight_tokens(text: str, leaks: list[dict]) -> Markup:
    """The redacted text with tokens marked and leaks flagged."""
    marks = [(leak["position"], leak["position"] + len(leak["found"]), "leak") for leak in leaks]
    for token in _TOKEN_SET:
        start = text.find(token)
        while start != -1:
            marks.append((start, start + len(token), "token"))
            start = text.find(token, start + 1)
    out, cursor = [], 0
    for start, end, kind in sorted(marks):
        if start < cursor:
            continue
        out.append(escape(text[cursor:start]))
        out.append(Markup('<mark class="{}">{}</mark>').format(kind, text[start:end]))
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


@bp.route("/")
@permission_required(can_anonymise)
def index():
    """Applications whose sections are to be anonymised, with their status; later ones too
    while a correction left a section unconfirmed."""
    rows = service.worklist(selected_program().id)
    return render_template("anonymise/index.html", rows=rows)


@bp.route("/applications/<int:application_id>")
@permission_required(can_anonymise)
def show(application_id: int):
    return _page(_application(application_id), TermForm())


def _page(application: Application, term_form: TermForm, status: int = 200):
    """The redaction page; ``term_form`` is the terms form as posted when it was refused."""
    sections = [
        {
            "section": s,
            "original": highlight_original(
                s.text or "", (s.redaction_report or {}).get("replacements", [])
            ),
            "redacted": highlight_tokens(
                s.anonymised_text or "", (s.redaction_report or {}).get("leaks", [])
            ),
            "leaks": (s.redaction_report or {}).get("leaks", []),
        }
        for s in application.sections
    ]
    return render_template(
        "anonymise/show.html",
        app_=application,
        sections=sections,
        terms=service.terms_of(application),
        former=service.former_values(application),
        form=ActionForm(),
        term_form=term_form,
        refusal=service.distribution_refusal(application),
    ), status


@bp.route("/applications/<int:application_id>/run", methods=["POST"])
@permission_required(can_anonymise)
def run(application_id: int):
    application = _application(application_id)
    leaks = service.anonymise_application(application, current_user, service.RERUN_REASON)
    db.session.commit()
    if leaks:
        flash(
            f"匿名化已完成，但仍有{len(leaks)}处身份信息泄露，请添加需隐去的词语后重新处理。",
            "error",
        )
    else:
        flash("匿名化已完成，未发现泄露。请核对后确认分发。", "success")
    return redirect(url_for(".show", application_id=application.id))


@bp.route("/applications/<int:application_id>/terms", methods=["POST"])
@keeps_input_on_csrf
@permission_required(can_anonymise)
def add_term(application_id: int):
    """Add a term and redact again. Refused (an empty or too long term, one the rules refuse,
    a stale token): the page again (400) with the term typed and the error beside it."""
    application = _application(application_id)
    form = TermForm()
    if not form.validate_on_submit():
        flash_hidden_errors(form)
        return _page(application, form, 400)
    try:
        service.set_term(application, form.term.data, form.action.data, current_user)
    except InvalidInput as err:
        db.session.rollback()
        form.term.errors = [*form.term.errors, err.message]
        return _page(application, form, 400)
    db.session.commit()
    flash("词语已保存，已重新匿名化；已确认的章节需重新确认。", "success")
    return redirect(url_for(".show", application_id=application.id))


@bp.route("/applications/<int:application_id>/terms/<int:term_id>/delete", methods=["POST"])
@permission_required(can_anonymise)
def delete_term(application_id: int, term_id: int):
    application = _application(application_id)
    service.remove_term(application, term_id, current_user)
    db.session.commit()
    flash("词语已删除，已重新匿名化；已确认的章节需重新确认。", "success")
    return redirect(url_for(".show", application_id=application.id))


@bp.route("/applications/<int:application_id>/confirm", methods=["POST"])
@permission_required(can_anonymise)
def confirm(application_id: int):
    application = _application(application_id)
    service.confirm_anonymisation(application, current_user)
    db.session.commit()
    flash("已确认匿名化文本，可分发给专家。", "success")
    return redirect(url_for(".show", application_id=application.id))
