"""Per-client rate limits on the routes that cost work, so that one client cannot take the service.

/api/ask runs the model and /api/feedback writes to the SQLite file: each client may send
QA_RATE_LIMIT requests to each of them in any window of that length (Flask-Limiter, moving
window); the next gets a 429 `rate_limited` JSON error with Retry-After, the seconds until
one is allowed again. Every other route (documents, pages, health) is never limited.

Counts live in QA_RATE_LIMIT_STORAGE: `memory://` keeps them in each process, so under
gunicorn each worker counts alone (a client may get up to workers x the limit); a store all
workers and instances share (e.g. `redis://host:6379`, with the redis package installed)
counts once. When that store cannot be reached, each process counts in memory until it can
(logged) rather than refuse every request or limit none.

A client is its address. Behind proxies, that is the nearest proxy's unless
QA_TRUSTED_PROXIES says how many there are: werkzeug's ProxyFix then takes the address that
many entries from the right of X-Forwarded-For, the one the outermost trusted proxy saw.
Without proxies the header is ignored, or a client could name a new address on every request.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Settings
from .http_errors import error_response

logger = logging.getLogger(__name__)

LIMITED_ENDPOINTS = ("api.ask", "feedback.feedback")
STRATEGY = "moving-window"  # "120/minute" holds in every 60 s, not per clock minute (no burst of 2x at its edge)


def init_app(app: Flask, settings: Settings) -> None:
    """Read client addresses through the trusted proxies, and limit LIMITED_ENDPOINTS (registered already).

    A QA_RATE_LIMIT_STORAGE that cannot be used at all (an unknown scheme, a missing client
    library) stops the app from starting with a ValueError naming it.
    """
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)  # type: ignore[method-assign]
    if settings.rate_limit is None:
        return
    try:
        limiter = Limiter(get_remote_address, app=app, storage_uri=settings.rate_limit_storage, strategy=STRATEGY,
                          in_memory_fallback_enabled=True)
    except ConfigurationError as exc:
        raise ValueError(f"QA_RATE_LIMIT_STORAGE={settings.rate_limit_storage!r} cannot be used: {exc}") from exc
    # Its warnings (a store out of reach) join the service's JSON log; a line per refused request
    # would repeat the access log's 429.
    limiter.logger = logger
    logger.setLevel(logging.WARNING)
    for endpoint in LIMITED_ENDPOINTS:
        app.view_functions[endpoint] = limiter.limit(settings.rate_limit)(app.view_functions[endpoint])

    def too_many_requests(exc: RateLimitExceeded) -> tuple[Response, int]:
        window = exc.limit.limit.get_expiry()
        reached = limiter.current_limit  # the limit this request broke, with when its window frees a request
        wait = min(window, max(1, math.ceil(reached.reset_at - time.time()))) if reached else window
        response, status = error_response(429, "rate_limited", (
            f"Too many requests from your address: {request.path} takes at most {exc.limit.limit} from each "
            f"client. Try again in {wait} s."))
        response.headers["Retry-After"] = str(wait)
        return response, status

    app.register_error_handler(RateLimitExceeded, too_many_requests)
