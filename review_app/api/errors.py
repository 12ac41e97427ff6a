"""Errors as ``application/problem+json`` (RFC 9457): a machine ``code``, a Chinese ``title``
and ``detail``, for validation errors the fields by name, and the request's id (also in the
``X-Request-ID`` header) to quote when asking about it."""

from flask import Response, json

from ..request_ids import request_id

PROBLEM = "application/problem+json"

TITLES = {
    400: "请求无效",
    401: "需要有效的API令牌",
    403: "没有权限",
    404: "未找到",
    405: "不支持此请求方式",
    409: "操作被拒绝",
    413: "请求过大",
    422: "参数有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str = "", errors: dict | None = None,
                 title: str | None = None):  # fmt: skip
        super().__init__(detail or code)
        self.status, self.code, self.detail = status, code, detail
        self.errors = errors
        self.title = title or TITLES.get(status, "错误")


def problem(status: int, code: str, detail: str = "", errors: dict | None = None,
            title: str | None = None, headers: dict | None = None) -> Response:  # fmt: skip
    body = {
        "type": f"https://review.invalid/problems/{code}",
        "title": title or TITLES.get(status, "错误"),
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body["request_id"] = request_id()
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def from_error(err: ApiError) -> Response:
    return problem(err.status, err.code, err.detail, err.errors, err.title)
