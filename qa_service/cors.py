"""Cross-origin access to /api/* for the origins named in settings, and for no others.

A page on another site (the chat widget embedded somewhere) may call the API only when its
origin is listed in QA_CORS_ORIGINS. The allowed origin is echoed back rather than `*`, so
the answer differs per Origin and every /api/* response says `Vary: Origin` for caches.
Preflight (OPTIONS) is answered by Flask's automatic OPTIONS response, which already knows
each route's methods; this module only adds the Access-Control-* headers to it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, request

API_PREFIX = "/api/"
ALLOWED_HEADERS = "Content-Type"
PREFLIGHT_MAX_AGE = "600"


def origin_allowed(origin: str | None, allowed: frozenset[str]) -> bool:
    """Exact match on scheme://host[:port]; `*` in the settings allows any origin."""
    return bool(origin) and (origin in allowed or "*" in allowed)


def init_app(app: Flask, origins: Iterable[str]) -> None:
    """Add CORS headers to /api/* responses for the allowed origins."""
    allowed = frozenset(origins)

    def add_cors_headers(response: Response) -> Response:
        if not request.path.startswith(API_PREFIX):
            return response
        response.vary.add("Origin")
        if request.method == "OPTIONS" and response.status_code == 200 and not response.content_length:
            response.status_code = 204  # Flask's automatic OPTIONS answer: no body, so no content type either
            del response.headers["Content-Type"]
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, allowed):
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(response.allow))
            response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response

    app.after_request(add_cors_headers)
