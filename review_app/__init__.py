"""Henan 卓越级/领航级智能工厂培育 expert review system: the app factory."""

import gc
from contextlib import suppress
from pathlib import Path

from flask import Flask, flash, g, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import load_config
from .errors import DomainError
from .extensions import csrf, db, limiter, login_manager, migrate
from .ids import IdConverter
from .paths import TEMPLATES
from .request_ids import init_request_ids, request_id

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: dict | None = None, env: dict | None = None) -> Flask:
    """Build the app. ``test_config`` overrides the environment-derived config."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
        static_folder="static",
    )
    # Every <int:…> in a route is a row id: bounded to the database's integer (1..2**31-1).
    app.url_map.converters["int"] = IdConverter
    app.config.update(load_config(Path(app.instance_path), env))
    if test_config:
        app.config.update(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"

    from . import all_models  # noqa: F401
    from .auth.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        # "<id>:<session token>": a cookie from before a logout carries an old token.
        uid, _, token = user_id.partition(":")
        if not uid.isdigit() or not token:
            return None
        user = db.session.get(User, int(uid))
        if user is None or not user.session_token or user.session_token != token:
            return None
        return user if user.is_active_account else None

    from .web import init_read_only_requests

    init_read_only_requests(app)  # before any hook that may load the user
    from .auth.sessions import init_sessions

    init_sessions(app)
    _register_blueprints(app)
    from .api.setup import init_api

    init_api(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    _connect_receivers()

    from .cli import register_commands
    from .jobs.queue import init_queue

    register_commands(app)

    init_queue(app)
    if app.config["GC_FREEZE"]:
        gc.freeze()
    return app


def _connect_receivers() -> None:
    """Subscribe each area to the signals it acts on (``signals.py``); the sender imports none
    of them. blinker keeps one connection per receiver however many apps are created. The
    stored aggregates listen to every ORM flush (``scoring.stored``), also connected once."""
    from .scoring.stored import connect_invalidation
    from .signals import state_changed
    from .webhooks.service import on_state_changed as webhook_on_state_changed

    state_changed.connect(webhook_on_state_changed)
    connect_invalidation()


def _register_blueprints(app: Flask) -> None:
    from .admin.views import bp as admin_bp
    from .anonymise.views import bp as anonymise_bp
    from .api.pages import bp as api_pages_bp
    from .applications.views import bp as applications_bp
    from .archive.views import bp as archive_bp
    from .assignment.views import bp as assignment_bp
    from .auth.views import bp as auth_bp
    from .dashboard.views import bp as dashboard_bp
    from .decision.views import bp as decision_bp
    from .dossier.views import bp as dossier_bp
    from .draws.views import bp as draws_bp
    from .experts.admin_views import bp as experts_admin_bp
    from .experts.views import bp as expert_bp
    from .inspection.views import bp as inspection_bp
    from .intake.views import bp as intake_bp
    from .jobs.views import bp as jobs_bp
    from .main.views import bp as main_bp
    from .meeting.views import bp as meeting_bp
    from .outbox.views import bp as outbox_bp
    from .panel.views import bp as panel_bp
    from .programs.views import bp as programs_bp
    from .publicity.public import bp as gongshi_bp
    from .publicity.views import bp as publicity_bp
    from .scoring.views import bp as scoring_bp
    from .similarity.views import bp as similarity_bp
    from .webhooks.views import bp as webhooks_bp

    for bp in (
        main_bp, auth_bp, dashboard_bp, applications_bp, intake_bp, anonymise_bp, experts_admin_bp,
        assignment_bp, scoring_bp, expert_bp, inspection_bp, decision_bp, jobs_bp, admin_bp,
        draws_bp, outbox_bp, webhooks_bp, api_pages_bp, programs_bp,
        similarity_bp,
        dossier_bp,
        panel_bp,
        archive_bp,
        publicity_bp, gongshi_bp,
        meeting_bp,
    ):  # fmt: skip
        app.register_blueprint(bp)


def _register_error_handlers(app: Flask) -> None:
    from .api.setup import api_problem_for, handle_api_errors

    init_request_ids(app)
    handle_api_errors(app)
    app.register_error_handler(500, _internal_error)

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        db.session.rollback()
        api = api_problem_for(err)
        if api is not None:
            return api
        flash(err.message, "error")
        return render_template("errors/error.html", message=err.message), err.status

    for code, message in (
        (400, "请求无效。"),
        (403, "您没有访问此页面的权限。"),
        (404, "页面不存在。"),
        (405, "不支持此请求方式。"),
        (413, "上传的文件过大。"),
        (422, "请求参数有误。"),
        (429, "请求过于频繁，请稍后再试。"),
    ):
        app.register_error_handler(code, _simple_error(code, message))

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "keeps_input_on_csrf", False):
            g.pop("csrf_valid", None)  # the view's form checks the token again and says so
            try:
                return view(**(request.view_args or {}))
            except Exception as exc:  # handed to the app's own handlers
                # raised inside this handler (a rate limit, a 403, a refusal), it would escape
                # them as a 500: answer it as it would be answered outside
                return app.handle_user_exception(exc)
        return render_template(
            "errors/error.html", message="表单已过期或缺少安全令牌，请刷新页面后重试。"
        ), 400


def _simple_error(code: int, message: str):
    def handler(err):
        from .api.setup import api_problem_for

        api = api_problem_for(err)
        if api is not None:
            return api
        return render_template("errors/error.html", message=message, code=code), code

    return handler


def _internal_error(err):
    """An unhandled exception (already logged with the request id): roll back, and answer in
    Chinese with the id, as problem+json under /api/."""
    from .api.setup import api_problem_for

    with suppress(Exception):  # the database may be what failed
        db.session.rollback()
    api = api_problem_for(err)
    if api is not None:
        return api
    message = f"系统内部错误，请稍后重试。编号：{request_id()}"
    try:
        return render_template("errors/error.html", message=message, code=500), 500
    except Exception:  # the layout reads the database too: say it without the layout
        return f"<!doctype html><meta charset=utf-8><title>出错了</title><p>{message}</p>", 500


def _register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from .applications.catalogue import BY_KEY, GROUP_NAMES
    from .audit.labels import ACTION_LABELS, action_label, field_label
    from .auth.models import ROLES
    from .decision.visibility import VISIBLE_STATE_NAMES, visible_state
    from .inspection.models import VERDICTS
    from .nav import PREDICATES, current_link, layout_urls, nav_groups, nav_links
    from .programs.models import TRACK_NAMES
    from .programs.selection import switcher
    from .workflow.states import STATE_NAMES, TEMPLATE_GROUPS

    def shown_state(application) -> str:
        """The application's state as the signed-in user may see it (results after release)."""
        return visible_state(application, current_user)

    # Templates test these predicates (DESIGN.md section 12), never roles or states.
    app.jinja_env.globals.update({predicate.__name__: predicate for predicate in PREDICATES})
    app.jinja_env.globals.update(
        shown_state=shown_state,
        VISIBLE_STATE_NAMES=VISIBLE_STATE_NAMES,
        nav_links=nav_links,
        nav_groups=nav_groups,
        current_link=current_link,
        layout_urls=layout_urls,
        program_switcher=lambda: switcher(current_user),
        ACTION_LABELS=ACTION_LABELS,
        action_label=action_label,
        field_label=field_label,
        STATE_NAMES=STATE_NAMES,
        TRACK_NAMES=TRACK_NAMES,
        ROLES=ROLES,
        SECTION_SPECS=BY_KEY,
        GROUP_NAMES=GROUP_NAMES,
        VERDICT_NAMES=VERDICTS,
        **TEMPLATE_GROUPS,
    )

    @app.template_filter("dt")
    def format_datetime(value):
        from .clock import CHINA_TZ

        if value is None:
            return ""
        from datetime import UTC

        return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")

    @app.context_processor
    def inject_next():
        return {"request_path": request.path}


def _register_security_headers(app: Flask) -> None:
    from flask_login import current_user

    @app.after_request
    def headers(response):
        # Nothing a signed-in user sees, and nothing of the API, is kept by the browser or a
        # proxy: the back button after logout or a shared computer shows none of it.
        if request.endpoint != "static" and (
            request.path.startswith("/api/")
            or request.blueprint == "auth"
            or current_user.is_authenticated
        ):
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite enforces foreign keys only when asked, per connection."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
