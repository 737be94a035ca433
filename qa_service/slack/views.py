"""POST /slack/events: every request from Slack (events, /ask, button clicks) enters here.

Slack's official Bolt handles it through its Flask adapter: Bolt verifies the signature and
timestamp of every request, answers url_verification, and dispatches to `bot`'s listeners.
Without SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET the bot is off: this route answers 503
saying what to set, and nothing else in the service changes. Bolt's own error responses
(401 for a bad signature) are rewritten into the service's one JSON error format; the bot's
own (503 store_unavailable, so that Slack sends an event again later) are in it already.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, request
from slack_bolt.adapter.flask import SlackRequestHandler

from ..config import Settings
from ..http_errors import error_response
from .bot import build_bolt_app

logger = logging.getLogger(__name__)

bp = Blueprint("slack", __name__, url_prefix="/slack")

EXTENSION = "qa_service.slack"

# Bolt's error statuses, as codes and messages a person setting the app up can act on.
BOLT_ERRORS = {
    401: ("invalid_signature", "The X-Slack-Signature does not match the body and SLACK_SIGNING_SECRET, or "
                               "X-Slack-Request-Timestamp is more than five minutes old."),
    404: ("unhandled_request", "The bot has no handler for this Slack request; compare the app's "
                               "subscriptions with slack/manifest.yml."),
    500: ("internal_error", "The Slack request failed; it has been logged."),
}


def missing_settings(settings: Settings) -> list[str]:
    """The environment variables the bot still needs (none when it is on)."""
    names = {"SLACK_BOT_TOKEN": settings.slack_bot_token, "SLACK_SIGNING_SECRET": settings.slack_signing_secret}
    return [name for name, value in names.items() if not value]


def _as_service_error(response: Response) -> Response:
    """Bolt's error bodies ({"error": "invalid request"}) in the service's format; anything else as is."""
    status = response.status_code
    if status not in BOLT_ERRORS:
        return response
    code, message = BOLT_ERRORS[status]
    error, _ = error_response(status, code, message)
    error.status_code = status
    return error


@bp.post("/events")
def events() -> Response | tuple[Response, int]:
    """Hand the request to Bolt, or say how to turn the bot on."""
    handler: SlackRequestHandler | None = current_app.extensions.get(EXTENSION)
    if handler is None:
        missing = " and ".join(missing_settings(current_app.config["SETTINGS"]))
        return error_response(503, "slack_not_configured",
                              f"The Slack bot is off: set {missing} (see README, Slack bot) and restart the service.")
    return _as_service_error(handler.handle(request))


def init_app(app: Flask, settings: Settings) -> None:
    """Mount /slack/events; build the Bolt app only when both Slack settings are present."""
    app.register_blueprint(bp)
    missing = missing_settings(settings)
    if missing:
        if len(missing) == 1:
            logger.warning("The Slack bot is off: %s is set but %s is not", *(
                {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} - set(missing)), missing[0])
        return
    app.extensions[EXTENSION] = SlackRequestHandler(build_bolt_app(app, settings))
