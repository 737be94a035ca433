"""The Flask application factory: `create_app()` wires settings, the engine and the blueprints.

Gunicorn serves `qa_service.app:create_app()` with `--preload`, so the model and index load
here, once, in the master process, and the forked workers share those pages. The app starts
even without a usable index: /healthz answers, while /readyz and /api/* return 503 with the
fix until an index appears (it is picked up without a restart, see `live`).
"""

from __future__ import annotations

from flask import Flask

from . import (
    api,
    collection,
    cors,
    documents_api,
    feedback_api,
    health,
    http_errors,
    live,
    logs,
    openapi,
    rate_limits,
    security_headers,
    widget,
)
from .config import Settings, load_settings
from .engine import Engine
from .slack import views as slack


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> Flask:
    """Build the app for `settings` (default: from the environment).

    Tests pass the session's `engine` so the model loads once per test run; without one the
    engine is loaded from `settings.index_dir`.
    """
    settings = settings or load_settings()
    logs.configure_logging(settings.log_level)

    app = Flask(__name__, static_folder=None)  # no undocumented /static route
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_body_bytes)
    app.json.sort_keys = False  # keep the contract's field order (answer first) for people reading it
    app.json.ensure_ascii = False  # quotes keep their typographic characters
    app.url_map.merge_slashes = False  # "//api/ask" is a JSON 404, not an HTML redirect

    collection.settle_if_idle(settings)  # a change killed mid-way is undone before anything is served
    live.init_app(app, live.LiveEngine.start(settings, engine))
    logs.init_app(app)
    http_errors.init_app(app)
    security_headers.init_app(app)  # before cors: after_request runs last to first, so it sees the final response
    cors.init_app(app, settings.cors_origins)
    feedback_api.init_app(app, settings)

    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(documents_api.bp)
    app.register_blueprint(openapi.bp)
    slack.init_app(app, settings)  # /slack/events; the bot itself only with both Slack settings
    app.register_blueprint(feedback_api.bp)
    app.register_blueprint(widget.bp)
    app.register_blueprint(widget.source_bp)
    rate_limits.init_app(app, settings)  # wraps views of the blueprints above
    return app
