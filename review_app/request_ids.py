"""A request id for every request, so a user can quote the number an error page shows and the
log finds the traceback.

The id is the client's ``X-Request-ID`` when it is sane (1–64 characters of ``A-Za-z0-9-``,
as a proxy in front may set it), else a new random one; every response carries it back in
``X-Request-ID``. It is kept in the request's WSGI environ, not in ``g``: ``g`` lives as long as
the app context, which may outlast one request."""

import re
import uuid

from flask import Flask, request

HEADER = "X-Request-ID"
_ENVIRON_KEY = "review_app.request_id"
_SANE = re.compile(r"[A-Za-z0-9-]{1,64}")


def request_id() -> str:
    """This request's id (made on first use)."""
    environ = request.environ
    rid = environ.get(_ENVIRON_KEY)
    if rid is None:
        given = request.headers.get(HEADER, "")
        rid = given if _SANE.fullmatch(given) else uuid.uuid4().hex
        environ[_ENVIRON_KEY] = rid
    return rid


def init_request_ids(app: Flask) -> None:
    """Send the id back with every response (errors included), and log an unhandled exception
    with it: Flask calls ``log_exception`` once per unhandled exception, before the 500
    handler answers."""

    @app.after_request
    def send_request_id(response):
        response.headers[HEADER] = request_id()
        return response

    def log_exception(exc_info) -> None:
        app.logger.error(
            "未处理的错误 request_id=%s %s %s", request_id(), request.method, request.path,
            exc_info=exc_info,
        )  # fmt: skip

    app.log_exception = log_exception
