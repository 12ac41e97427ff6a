"""/api/v1/: the same service verbs and permission checks as the pages, for token holders.

Authentication is a personal token in ``Authorization: Bearer …`` and nothing else: a cookie
session never opens the API (so CSRF does not apply, and the blueprint is exempt from it). A
read-only token may only GET. Every request with a token is logged. Objects outside the
caller's scope answer 404 (their existence is not confirmed), roles without the resource 403.
"""

from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..admin.permissions import can_verify_audit
from ..anonymise.service import expert_refusal
from ..applications.models import Application
from ..applications.permissions import (
    application_scope,
    can_view_application,
    can_view_applications,
    can_view_every_prefecture,
)
from ..assignment.models import Assignment
from ..audit.service import verify as verify_chain
from ..dashboard.permissions import can_view_quotas
from ..dashboard.service import quota_rows
from ..decision.models import DecisionRun
from ..decision.permissions import can_decide
from ..decision.service import latest_run, result_rows, run_of
from ..decision.visibility import state_column, visible_state, visible_state_name
from ..draws.service import pledge_of
from ..errors import DomainError, InvalidInput, PermissionDenied
from ..experts.models import Expert
from ..experts.permissions import can_review
from ..experts.service import expert_of
from ..extensions import db
from ..ids import MAX_ID
from ..programs.models import TRACKS, Program
from ..programs.selection import program_by_code
from ..scoring.models import Review
from ..workflow.service import available_transitions, fire, load_for_transition
from . import schemas, tokens
from .errors import ApiError

blp = Blueprint(
    "api", __name__, url_prefix="/api/v1",
    description="河南省智能工厂培育评审系统 JSON API：个人令牌认证，与页面相同的权限。"
    "按培育批次的资源（申报列表、地市名额、排名、入库决定）接受查询参数 program（批次编号），"
    "缺省为当前批次。",
)  # fmt: skip

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def problems(*statuses: int):
    """Document the errors an operation answers, as the Problem… responses (problem+json):
    those listed, and for every operation 401 (token), 429 (rate limit) and 500."""

    def decorate(view):
        for status in sorted({*statuses, 401, 429, 500}):
            view = blp.alt_response(status, response=f"Problem{status}")(view)
        return view

    return decorate


@blp.before_request
def authenticate():
    g.api_token = None
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ApiError(401, "token_missing", "请在 Authorization 请求头中以 “Bearer 令牌” 提供个人API令牌"
                       "（在“API令牌”页面创建）。浏览器登录会话不能访问API。")  # fmt: skip
    row, why = tokens.lookup(header[len("Bearer ") :].strip())
    g.api_token = row if why is None else None
    g.refused_token = row
    if why is not None:
        detail = {
            "invalid_token": "令牌无效。",
            "token_revoked": "令牌已被撤销。",
            "token_expired": "令牌已过期，请重新创建。",
            "account_disabled": "令牌所属账号已停用。",
        }[why]
        raise ApiError(401, why, detail)
    g.api_user = row.user
    if request.method not in READ_METHODS and row.scope != "write":
        raise ApiError(
            403, "insufficient_scope", "只读令牌不能执行写操作，请使用“读写”权限的令牌。"
        )


@blp.after_request
def log_request(response):
    token = g.get("api_token") or g.get("refused_token")
    if token is not None:
        if response.status_code >= 400:
            db.session.rollback()
        tokens.log_use(token, request.method, request.path, response.status_code,
                       request.remote_addr or "")  # fmt: skip
        db.session.commit()
    return response


def user():
    return g.api_user


def permit(allowed: bool) -> None:
    """Refuse (403) unless the area's predicate allowed the token's user (as the pages do)."""
    if not allowed:
        raise ApiError(403, "forbidden", "您的角色不能访问该资源。")


# -- programs and prefectures -----------------------------------------------------------------


@blp.route("/programs")
@blp.response(200, schemas.ProgramSchema(many=True))
@problems()
def programs():
    """培育批次与赛道"""
    rows = db.session.execute(select(Program).order_by(Program.year.desc(), Program.id)).scalars()
    return [
        {"id": p.id, "code": p.code, "name": p.name, "year": p.year, "deadline": p.deadline,
         "tracks": [{"code": t.code, "name": t.name, "capacity": t.capacity,
                     "min_score": None if t.min_score is None else float(t.min_score)}
                    for t in p.tracks]}
        for p in rows
    ]  # fmt: skip


def _program(args) -> Program:
    """The program named by the ``program`` query parameter (its code), else the current one."""
    try:
        return program_by_code(args.get("program"))
    except InvalidInput as err:
        raise ApiError(404, err.code, err.message) from err


@blp.route("/prefectures")
@blp.arguments(schemas.ProgramQuerySchema, location="query")
@blp.response(200, schemas.PrefectureSchema(many=True))
@problems(403, 404, 422)
def prefectures(args):
    """各地市推荐名额（附件3）及使用情况（省厅：全部地市；地市：本地市，与工作台相同），按培育批次"""
    permit(can_view_quotas(user()))
    own = None if can_view_every_prefecture(user()) else user().prefecture_id
    out: dict[int, dict] = {}
    for row in quota_rows(_program(args), own, every=True):
        p = row.prefecture
        entry = out.setdefault(p.id, {"id": p.id, "name": p.name,
                                      "division_code": p.division_code, "quotas": []})  # fmt: skip
        entry["quotas"].append({"track": row.track, "quota": row.quota, "used": row.endorsed,
                                "waiting": row.waiting})  # fmt: skip
    return list(out.values())


# -- applications ---------------------------------------------------------------------------


def _application(a: Application, with_actions: bool = False) -> dict:
    e = a.enterprise
    out = {
        "id": a.id, "anon_code": a.anon_code, "track": a.track_code,
        "state": visible_state(a, user()), "state_name": visible_state_name(a, user()),
        "prefecture": {"id": a.prefecture_id, "name": a.prefecture.name},
        "enterprise": {"name": e.name, "uscc": e.uscc, "nature": e.nature, "size": e.size,
                       "industry_code": e.industry_division},
        "priority_rank": a.priority_rank, "maturity_level": a.maturity_level,
        "updated_at": a.updated_at,
    }  # fmt: skip
    if with_actions:
        out["actions"] = [
            {"trigger": x.trigger, "label": x.label, "needs_reason": x.needs_reason,
             "refusal": x.refusal}
            for x in available_transitions(a, user())
        ]  # fmt: skip
    return out


def _cursor(raw: str | None) -> int:
    """The id after which the page starts: ``next_cursor`` is the last id of the page before
    (digits, checked by the schema); one beyond every id gives an empty page."""
    return min(int(raw), MAX_ID) if raw else 0


@blp.route("/applications")
@blp.arguments(schemas.ApplicationQuerySchema, location="query")
@blp.response(200, schemas.ApplicationPageSchema)
@problems(403, 404, 422)
def applications(args):
    """申报列表（按角色可见范围与培育批次；按编号游标分页，新增的申报不会打乱已翻过的页）"""
    if can_review(user()):
        raise ApiError(
            403, "forbidden", "评审专家不能查看申报列表；分配给您的匿名章节见 /api/v1/assignments。"
        )
    permit(can_view_applications(user()))
    query = application_scope(
        user(),
        select(Application).options(
            selectinload(Application.enterprise), selectinload(Application.prefecture)
        ),
    )
    query = query.where(Application.program_id == _program(args).id)
    if args.get("state"):  # results hidden until released: the same rule as the pages
        query = query.where(state_column(user()) == args["state"])
    if args.get("track"):
        query = query.where(Application.track_code == args["track"])
    if args.get("prefecture") is not None:
        query = query.where(Application.prefecture_id == args["prefecture"])
    after = _cursor(args.get("cursor"))
    limit = args["limit"]
    rows = list(
        db.session.execute(
            query.where(Application.id > after).order_by(Application.id).limit(limit + 1)
        ).scalars()
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [_application(a) for a in rows],
        "next_cursor": str(rows[-1].id) if more else None,
    }


def _visible(application_id: int) -> Application:
    if can_review(user()):
        raise ApiError(
            403, "forbidden", "评审专家不能查看申报；分配给您的匿名章节见 /api/v1/assignments。"
        )
    permit(can_view_applications(user()))
    application = db.session.get(Application, application_id)
    if application is None or not can_view_application(user(), application):
        raise ApiError(404, "not_found", "没有这个申报，或您无权查看。")
    return application


@blp.route("/applications/<int:application_id>")
@blp.response(200, schemas.ApplicationSchema)
@problems(403, 404)
def application(application_id: int):
    """一个申报，含当前角色可执行的操作"""
    return _application(_visible(application_id), with_actions=True)


@blp.route("/applications/<int:application_id>/transitions", methods=["POST"])
@blp.arguments(schemas.TransitionSchema)
@blp.response(200, schemas.TransitionResultSchema)
@problems(400, 403, 404, 409, 422)
def transition(args, application_id: int):
    """执行状态转换（推荐、形式审查结论、退回、撤回……），与页面同一规则；拒绝时说明中文原因"""
    _visible(application_id)
    application = load_for_transition(application_id)
    try:
        fire(application, args["trigger"], user(), reason=args.get("reason") or "")
    except PermissionDenied as err:
        db.session.rollback()
        raise ApiError(403, err.code, err.message) from err
    except DomainError as err:
        db.session.rollback()
        raise ApiError(409, err.code, err.message) from err
    db.session.commit()
    return {"state": visible_state(application, user()),
            "state_name": visible_state_name(application, user()),
            "application": _application(application, with_actions=True)}  # fmt: skip


# -- an expert's assignments and reviews ------------------------------------------------------


def _my_expert() -> Expert:
    permit(can_review(user()))
    expert = expert_of(user())
    if expert is None:
        raise ApiError(403, "no_expert_profile", "该账号尚未关联专家信息。")
    return expert


def _review(review: Review | None) -> dict | None:
    if review is None:
        return None
    return {
        "id": review.id, "assignment_id": review.assignment_id, "status": review.status,
        "total": None if review.total is None else float(review.total), "comment": review.comment,
        "submitted_at": review.submitted_at,
        "scores": {s.criterion_code: (None if s.points is None else float(s.points))
                   for s in review.scores},
    }  # fmt: skip


def _assignment(a: Assignment, review: Review | None, text: bool) -> dict:
    section = a.section
    refusal = expert_refusal(section) if text else None
    shown = text and refusal is None
    return {
        "id": a.id, "anon_code": a.application.anon_code, "track": a.application.track_code,
        "status": a.status, "due_date": a.due_date,
        "section": {"key": section.key, "title": section.title,
                    "anonymised_text": section.anonymised_text if shown else None,
                    "notice": refusal},
        "review": _review(review),
    }  # fmt: skip


def _reviews_by_assignment(ids) -> dict[int, Review]:
    if not ids:
        return {}
    rows = db.session.execute(select(Review).where(Review.assignment_id.in_(list(ids)))).scalars()
    return {r.assignment_id: r for r in rows}


@blp.route("/assignments")
@blp.response(200, schemas.AssignmentSchema(many=True))
@problems(403)
def assignments():
    """本人的评审任务（仅匿名编号与章节名；正文见单个任务）"""
    expert = _my_expert()
    rows = list(
        db.session.execute(
            select(Assignment).where(Assignment.expert_id == expert.id).order_by(Assignment.id)
        ).scalars()
    )
    reviews = _reviews_by_assignment([a.id for a in rows])
    return [_assignment(a, reviews.get(a.id), text=False) for a in rows]


@blp.route("/assignments/<int:assignment_id>")
@blp.response(200, schemas.AssignmentSchema)
@problems(403, 404)
def assignment(assignment_id: int):
    """本人的一个评审任务，含已确认的匿名化章节正文（须先签署保密与回避承诺）"""
    expert = _my_expert()
    item = db.session.get(Assignment, assignment_id)
    if item is None or not can_review(user(), item):
        raise ApiError(404, "not_found", "没有这个评审任务。")
    if pledge_of(expert, db.session.get(Program, item.application.program_id)) is None:
        raise ApiError(403, "pledge_required", "查看评审材料前，请先在系统中签署保密与回避承诺。")
    reviews = _reviews_by_assignment([item.id])
    return _assignment(item, reviews.get(item.id), text=True)


@blp.route("/reviews")
@blp.response(200, schemas.ReviewSchema(many=True))
@problems(403)
def reviews():
    """本人的评分表"""
    expert = _my_expert()
    rows = db.session.execute(
        select(Review).join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.expert_id == expert.id).order_by(Review.id)
    ).scalars()  # fmt: skip
    return [_review(r) for r in rows]


# -- ranking and decision ----------------------------------------------------------------------


def _run(run: DecisionRun) -> dict:
    rows = result_rows(run)
    return {
        "track": run.track_code, "run_id": run.id, "status": run.status,
        "confirmed_at": run.confirmed_at, "parameters": run.parameters or {},
        "rows": [
            {"rank": r.rank, "anon_code": r.anon_code, "enterprise": r.enterprise, "uscc": r.uscc,
             "prefecture": r.prefecture, "raw_score": r.raw_score,
             "calibrated_score": r.calibrated_score, "final_score": r.final_score,
             "inspection": r.inspection, "deduction": r.deduction, "outcome": r.outcome,
             "explanation": r.explanation}
            for r in rows
        ],
    }  # fmt: skip


def _track(track: str) -> str:
    if track not in TRACKS:
        raise ApiError(404, "not_found", "赛道应为 excellent（卓越级）或 leading（领航级）。")
    permit(can_decide(user()))
    return track


@blp.route("/tracks/<track>/ranking")
@blp.arguments(schemas.ProgramQuerySchema, location="query")
@blp.response(200, schemas.RankingSchema)
@problems(403, 404, 422)
def ranking(args, track: str):
    """赛道的最新排名（暂存或已确认的入库测算），按培育批次"""
    _track(track)
    run = latest_run(_program(args), track)
    if run is None:
        raise ApiError(404, "no_ranking", "该赛道尚未进行入库测算。")
    return _run(run)


@blp.route("/tracks/<track>/decision")
@blp.arguments(schemas.ProgramQuerySchema, location="query")
@blp.response(200, schemas.RankingSchema)
@problems(403, 404, 422)
def decision(args, track: str):
    """赛道已确认的入库决定，按培育批次"""
    _track(track)
    run = run_of(_program(args), track, "confirmed")
    if run is None:
        raise ApiError(404, "not_confirmed", "该赛道的入库决定尚未确认。")
    return _run(run)


# -- audit ------------------------------------------------------------------------------------


@blp.route("/audit/verify")
@blp.response(200, schemas.AuditReportSchema)
@problems(403)
def audit_verify():
    """审计链核验结果"""
    permit(can_verify_audit(user()))
    report = verify_chain()
    return {"ok": report.ok, "count": report.count, "head": report.head,
            "broken_id": report.broken_id, "problem": report.problem or None}  # fmt: skip
