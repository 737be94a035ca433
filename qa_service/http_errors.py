"""Every error the HTTP service returns is JSON: `{"error": {"code": ..., "message": ...}}`.

Clients (the widget, the Slack bot, scripts) read `error.code` to decide what to do and show
`error.message` to a person, so no path may fall through to Werkzeug's HTML pages: HTTP
errors (404, 405, 413...), the engine's own errors and unexpected exceptions all end here.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from .errors import Conflict, IndexUnavailable, QAServiceError, StoreUnavailable

logger = logging.getLogger(__name__)

# Codes for the HTTP errors clients are likely to branch on; others get a code from their name.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


class RequestError(QAServiceError):
    """A request the client must change before sending again (the body, not the question)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The one error body of the API (Slack's requests get it too, through Bolt's own responses)."""
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """An error response of the API."""
    return jsonify(error_body(code, message)), status


def _status_of(exc: QAServiceError) -> int:
    if isinstance(exc, RequestError):
        return exc.status
    if isinstance(exc, (IndexUnavailable, StoreUnavailable)):
        return 503
    if isinstance(exc, Conflict):
        return 409
    return 400


def _plain_message(exc: HTTPException, status: int) -> str:
    """Werkzeug's generic text, replaced where we can say what to change."""
    if status == 404 and request.url_rule is None:  # no route matched, rather than a view's own 404
        return f"There is no {request.path} here; /openapi.json lists the routes."
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        allowed = ", ".join(m for m in exc.valid_methods if m not in ("HEAD", "OPTIONS"))
        return f"{request.method} is not allowed on {request.path}; use {allowed}."
    if isinstance(exc, RequestEntityTooLarge):
        return f"The body is larger than the limit of {request.max_content_length} bytes."
    return exc.description or exc.name or "HTTP error"


# A client sends its whole body before it reads the answer: a 413 sent while megabytes are
# still coming is lost when the server closes the socket (the client sees a broken pipe or
# a reset, not the answer). Up to this much is read and thrown away first, so the client
# can read why; a body larger still is cut off, so it cannot hold a worker for long.
DRAIN_BYTES = 32 * 1024 * 1024
_DRAIN_CHUNK = 64 * 1024


def drain_body() -> None:
    """Read (and drop) what is left of the request body, up to DRAIN_BYTES."""
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return
    left = DRAIN_BYTES
    try:
        while left > 0:
            chunk = stream.read(min(_DRAIN_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
    except (OSError, ValueError):  # the client went away: nothing to answer
        return


def handle_http_exception(exc: HTTPException) -> Response:
    """404, 405, 413, 415... as JSON, keeping headers such as 405's Allow."""
    if isinstance(exc, RequestEntityTooLarge):
        drain_body()
    status = exc.code or 500
    code = HTTP_CODES.get(status) or (exc.name or "error").lower().replace(" ", "_")
    message = _plain_message(exc, status)
    response, _ = error_response(status, code, message)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    response.status_code = status
    return response


def handle_service_error(exc: QAServiceError) -> tuple[Response, int]:
    """The engine's and the request parser's errors, with the status that fits each.

    Not logged: they are the client's to fix, and a missing index or an unusable SQLite file is
    logged once where it is found (`live`, `sqlite_store`) rather than on every request.
    """
    return error_response(_status_of(exc), exc.code, str(exc))


def handle_unexpected(exc: Exception) -> tuple[Response, int]:
    """Last resort: log the traceback, tell the client only that it was our fault."""
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "The service failed on this request; it has been logged.")


def init_app(app: Flask) -> None:
    """Register the JSON error handlers (most specific class wins, so Exception is the last resort)."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(QAServiceError, handle_service_error)
    app.register_error_handler(Exception, handle_unexpected)
