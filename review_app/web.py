"""What views share: run a verb as one transaction or say in Chinese why it was refused; a
posted form validated or refused; same-site redirects; and the read-only mark for pages that
only read."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import flash, g, has_request_context, request
from flask_wtf import FlaskForm
from sqlalchemy import event
from sqlalchemy.orm import Session

from .errors import DomainError, InvalidInput
from .extensions import db


def commit_or_flash(verb: Callable[[], object], success: str = "") -> tuple[bool, object]:
    """Run ``verb``: commit, flash ``success`` if given and return ``(True, its result)``; or,
    when it is refused, roll back (nothing of it is kept), flash the reason and return
    ``(False, None)``."""
    try:
        result = verb()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return False, None
    db.session.commit()
    if success:
        flash(success, "success")
    return True, result


def act(verb: Callable[[], object], success: str = "") -> bool:
    """``commit_or_flash`` when only whether it was done matters."""
    return commit_or_flash(verb, success)[0]


def posted(form_class: type[FlaskForm], **kwargs) -> FlaskForm:
    """The POSTed ``form_class``, validated (CSRF included); else ``InvalidInput`` (400) naming
    the first field in error, in Chinese. Raised inside a verb run by ``act`` it is flashed
    like any refusal; raised in a view it answers 400 with the message."""
    form = form_class(**kwargs)
    if not form.validate_on_submit():
        raise InvalidInput(first_error(form))
    return form


def valid_or_flash(form_class: type[FlaskForm], **kwargs) -> FlaskForm | None:
    """The POSTed ``form_class`` if valid; else None, with the first error flashed (for a page
    that redirects back rather than answering 400)."""
    form = form_class(**kwargs)
    if form.validate_on_submit():
        return form
    flash(first_error(form), "error")
    return None


def flash_errors(form: FlaskForm) -> None:
    """Flash every field error of ``form`` (a page that shows all of them at once)."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


STALE_PAGE = "表单已过期或缺少安全令牌，未提交；已填写的内容已保留，请再次提交。"


def flash_hidden_errors(form: FlaskForm) -> None:
    """Flash the errors of ``form``'s hidden fields (its CSRF token, a reset token): the page
    shows every other field's errors beside it (``templates/_field.html``). A refused CSRF
    token (a view marked ``keeps_input_on_csrf``) is said in Chinese, once."""
    for name, errors in form.errors.items():
        field = form[name] if name and name in form else None
        if field is not None and field.type == "CSRFTokenField":
            flash(STALE_PAGE, "error")
        elif field is None or field.type == "HiddenField":
            for error in errors if isinstance(errors, list) else [errors]:
                flash(error, "error")


def refusal_beside(form: FlaskForm, err: DomainError, fields: dict[str, str] | None = None) -> None:
    """Show a verb's refusal beside the field it is about (its ``code`` names the field, as
    ``InvalidInput("…", "doc_number")`` does, or ``fields`` maps the code to the field's name,
    as ``{"empty_post": "body"}``), else flash it above the page."""
    field = form._fields.get((fields or {}).get(err.code, err.code))
    if field is not None and field.type not in ("CSRFTokenField", "HiddenField"):
        field.errors = [*field.errors, err.message]
    else:
        flash(err.message, "error")


def first_error(form: FlaskForm) -> str:
    """The first field error of ``form`` as one Chinese sentence."""
    for name, errors in form.errors.items():
        field = form[name] if name and name in form else None
        label = field.label.text if field is not None and field.label.text else ""
        message = errors[0] if isinstance(errors, list) and errors else str(errors)
        if name == "csrf_token":
            return "表单已过期或缺少安全令牌，请刷新页面后重试。"
        return f"“{label}”：{message}" if label and not label.isascii() else str(message)
    return "提交的表单无效。"


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path of this site, else None: never an open redirect (no scheme,
    no host, and not ``//host`` or ``/\\host``, which browsers also read as another host)."""
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def keeps_input_on_csrf(view: Callable) -> Callable:
    """Mark a form view that, when its post is refused for the CSRF token (stale page, new
    session), renders the form again with what was typed instead of the error page: the
    app's CSRF error handler calls it (its form sees the bad token and says so)."""
    view.keeps_input_on_csrf = True
    return view


def reads_only(view: Callable) -> Callable:
    """Mark a view whose GET and HEAD requests only read.

    On PostgreSQL such a request runs its statements without a transaction (autocommit): no
    BEGIN and no ROLLBACK round trip, which measured 16–38% more throughput on the experts'
    pages under load (``bench/read_only_ab.py``). Under READ COMMITTED every statement sees its own snapshot
    either way, so what the page reads does not change. A flush in such a request is refused
    (``RuntimeError``) before anything is written: a page marked here must not write. Put the
    mark directly under ``@bp.route`` (the hook looks at the registered function)."""
    view.reads_only = True
    return view


def init_read_only_requests(app) -> None:
    """The hook behind ``reads_only``; registered before any other that may touch the database
    (the first statement decides the connection's mode)."""

    @app.before_request
    def read_only_autocommit():
        # ``g`` can outlive a request (a test holding the app context): decide afresh each time.
        g.reads_only = request.method in ("GET", "HEAD") and getattr(
            app.view_functions.get(request.endpoint), "reads_only", False
        )
        g.autocommit = False
        if not g.reads_only or db.engine.dialect.name != "postgresql":
            return
        # The first statement decides the connection's mode: only a session not yet in a
        # transaction (every request's own session in production) can start in autocommit.
        session = db.session()
        if not session.in_transaction():
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            g.autocommit = True

    @app.teardown_request
    def end_autocommit(exc):
        # Give the connection back (reset to transactions) even where the session outlives the
        # request; in production the app context's teardown does it too.
        if g.pop("autocommit", False):
            db.session.rollback()
        g.pop("reads_only", None)

    if not event.contains(Session, "before_flush", _refuse_flush):
        event.listen(Session, "before_flush", _refuse_flush)


def _refuse_flush(session, flush_context, instances) -> None:
    if has_request_context() and g.get("reads_only"):
        raise RuntimeError(f"页面 {request.endpoint} 标为只读，却试图写入数据库。")
