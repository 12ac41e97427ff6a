"""Wiring the API into the app: flask-smorest for the OpenAPI description (its own error
handlers are not used: the pages keep their HTML errors, the API answers problem+json), CSRF
exemption, per-token rate limits, and the error handlers for /api/ paths."""

import hashlib
import math
import time

from flask import Flask, current_app, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import csrf, limiter
from ..request_ids import request_id
from . import reviews  # noqa: F401 - registers its route on the blueprint
from .errors import ApiError, from_error, problem
from .schemas import ProblemSchema
from .views import blp

API_PREFIX = "/api/"


class ReviewApi(Api):
    # Errors are documented per operation, as the Problem… responses (problem+json); none of
    # flask-smorest's own (``default`` and the status-named ones, as application/json).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        """Errors are answered by ``handle_api_errors`` below, for /api/ paths only."""

    def _register_responses(self):
        """No flask-smorest error responses: see ``_problem_schema``."""


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def token_key() -> str:
    """Rate-limit key: the token (hashed) when there is one, else the address."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "")


def init_api(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "河南省智能工厂培育评审系统 API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    # No flask-smorest documentation routes: /api/v1/openapi.json is served by pages.py, which
    # checks who asks.
    app.config["OPENAPI_URL_PREFIX"] = None
    app.config.setdefault("API_DOCS_PUBLIC", False)
    app.config.setdefault("API_RATE_LIMIT", "300/minute")
    api = ReviewApi(
        app,
        spec_kwargs={
            "info": {
                "description": "个人API令牌（Bearer）认证；与页面相同的权限；错误为 "
                "application/problem+json（RFC 9457）。",
            },
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    csrf.exempt(blp)
    _limit_once(blp)
    _problem_schema(api)
    api.register_blueprint(blp)
    app.extensions["review_api"] = api


_limited: set[int] = set()


def _limit_once(blp) -> None:
    """Per-token rate limit on the API blueprint (the limiter and the blueprint are shared by
    every app the process builds, so it is attached once)."""
    if id(blp) in _limited:
        return
    _limited.add(id(blp))
    limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=token_key)(blp)


_RETRY_AFTER = {"Retry-After": {"description": "几秒后可再请求", "schema": {"type": "integer"}}}
# The errors an operation may answer, each documented as application/problem+json; views.py
# lists per operation the ones that apply.
PROBLEM_RESPONSES = {
    400: ("请求体不是有效的JSON", None),
    401: ("令牌缺失、无效、过期或已撤销", None),
    403: ("角色或令牌权限不足", None),
    404: ("对象不存在或不在可见范围", None),
    409: ("操作被业务规则拒绝，detail 中说明原因", None),
    422: ("参数校验失败，errors 中按字段说明", None),
    429: ("请求过于频繁", _RETRY_AFTER),
    500: ("服务器内部错误：request_id 为请求编号，日志中按此编号可查", None),
}


def _problem_schema(api: Api) -> None:
    api.spec.components.schema("Problem", schema=ProblemSchema)
    for status, (text, headers) in PROBLEM_RESPONSES.items():
        response = {"description": text,
                    "content": {"application/problem+json": {"schema": "Problem"}}}  # fmt: skip
        if headers:
            response["headers"] = headers
        api.spec.components.response(f"Problem{status}", response)


def handle_api_errors(app: Flask) -> None:
    """Called from the app's error handlers: a problem+json answer for /api/ paths."""

    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return from_error(err)


def api_problem_for(err) -> object | None:
    """The problem+json response for an error raised under /api/, or None elsewhere."""
    if not is_api_request():
        return None
    if isinstance(err, DomainError):
        return problem(err.status, err.code, err.message)
    if isinstance(err, HTTPException):
        code = err.code or 500
        if code == 422:
            messages = getattr(err, "data", {}).get("messages", {})
            errors = {}
            for fields in messages.values():  # {"json": {field: [...]}, "query": {...}}
                if isinstance(fields, dict):
                    errors.update(fields)
            return problem(422, "validation_failed", "请求参数校验失败：" + "、".join(errors) + "。",
                           errors=errors)  # fmt: skip
        if code == 429:
            headers = {"Retry-After": str(_retry_after())}
            return problem(429, "rate_limited", "请求过于频繁，请在 Retry-After 秒后重试。",
                           headers=headers)  # fmt: skip
        if code == 500:
            return _internal_error()
        if code == 405:  # RFC 9110: a 405 names the methods the resource allows
            return problem(405, "method_not_allowed", "", headers={"Allow": _allow(err)})
        names = {404: "not_found", 405: "method_not_allowed", 400: "bad_request",
                 413: "too_large", 403: "forbidden", 401: "unauthenticated"}  # fmt: skip
        return problem(code, names.get(code, "error"), "")
    return _internal_error()


def _allow(err: HTTPException) -> str:
    return ", ".join(sorted(getattr(err, "valid_methods", None) or ()))


def _internal_error():
    return problem(500, "internal_error", f"服务器内部错误，请稍后重试。编号：{request_id()}")


def _retry_after() -> int:
    limit = getattr(limiter, "current_limit", None)
    if limit is None:
        return 60
    # The storage rounds the window's end up to the next second: never say more than the window.
    return max(1, min(math.ceil(limit.reset_at - time.time()), limit.limit.get_expiry()))
