"""The Slack bot: a Bolt app whose listeners answer with the same engine as /api/ask.

Slack's rules shape this module:

- Every request is acknowledged within 3 seconds and answered afterwards. Bolt runs with
  `process_before_response=False`: events are acked before their listener runs, commands
  and button clicks call `ack()` first, and the listener goes on in Bolt's thread pool to
  ask the engine and post the reply through the Web API.
- Slack retries an event it thinks was lost (X-Slack-Retry-Num) and several workers or
  instances may receive the same one, so each event id is claimed in the shared SQLite
  store before anything happens, and so is each message (a mention in a thread arrives as
  both app_mention and message). Only the first claim answers.
- Without that store there are no claims, so while its file cannot be used the bot answers
  nothing rather than risk answering twice: an event gets a 503, which Slack sends again
  later (three more times, over about five minutes), and `/ask` a note only its asker sees.
- The bot ignores its own messages and other bots' (Bolt drops its own; `events` the rest).
- A Slack API error (rate limit, channel_not_found...) is logged with Slack's error code
  and dropped: it never escapes a listener, so a worker never dies of it.

The bot user id comes from auth.test, which Bolt calls on the first request rather than
at start-up (`token_verification_enabled=False`): an unreachable Slack must not stop the
rest of the service from starting.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flask import Flask
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import default_retry_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from .. import health
from ..ask_request import check_question
from ..config import Settings
from ..errors import IndexUnavailable, InvalidQuestion, StoreUnavailable
from ..feedback import Feedback, FeedbackStore
from ..http_errors import error_body
from ..live import current_engine
from ..models import Answer, Document, Turn
from .blocks import FEEDBACK_ACTIONS, POST_ACTION, Framing, answer_blocks, answer_text, notice_blocks
from .events import Conversation, Incoming, from_mention, from_message, question_text
from .store import SlackStore, SlackTurn

logger = logging.getLogger(__name__)

FEEDBACK_CLIENT = "slack"
MAX_RATE_LIMIT_WAIT = 3  # seconds; a longer Retry-After is logged and dropped, not slept on
WEB_API_TIMEOUT = 10  # seconds per Web API call
EXAMPLE = "Who is the head of safeguarding at Action for Children?"
STORE_DOWN_NOTE = "I can't answer right now: I can't reach my database. Please try again in a few minutes."


class SlackNotice(Exception):
    """A reply that is not an answer: the question is too long, no index is loaded..."""


@dataclass(frozen=True)
class Asked:
    """A question as checked, its answer, and the documents that answer cites."""

    question: str
    answer: Answer
    documents: Mapping[str, Document]


class BriefRateLimitRetry(RateLimitErrorRetryHandler):
    """Retry a rate-limited (429) call once when Slack asks for a short wait.

    A longer wait would hold one of Bolt's few listener threads; that call fails instead
    and its error is logged like any other.
    """

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        waits = [v for k, v in response.headers.items() if k.lower() == "retry-after"]  # type: ignore[union-attr]
        try:
            return bool(waits) and int(waits[0][0]) <= MAX_RATE_LIMIT_WAIT
        except ValueError:
            return False


def web_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's, or the fake at SLACK_API_URL in tests."""
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=[*default_retry_handlers(), BriefRateLimitRetry(max_retry_count=1)],
    )


def call_slack(name: str, method: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse | None:
    """Call a Web API method; on any failure log Slack's error and return None."""
    try:
        return method(**kwargs)
    except SlackApiError as exc:
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        status = exc.response.status_code
        logger.error("Slack %s failed: %s (HTTP %s)", name, error, status,
                     extra={"fields": {"slack_method": name, "slack_error": error, "http_status": status,
                                       "channel": kwargs.get("channel")}})
    except (SlackClientError, OSError) as exc:
        logger.error("Slack %s failed: %s", name, exc, extra={"fields": {"slack_method": name}})
    return None


def respond_safely(respond: Respond | None, **kwargs: Any) -> bool:
    """Reply through the request's response_url; without one, or on failure, log it and return False."""
    if respond is None or respond.response_url is None:
        logger.error("Slack sent no response_url to reply to")
        return False
    try:
        response = respond(**kwargs)
    except (SlackClientError, OSError) as exc:
        logger.error("Slack response_url call failed: %s", exc)
        return False
    if response.status_code != 200:
        logger.error("Slack response_url call failed: HTTP %s %s", response.status_code, response.body)
        return False
    return True


def invalid_question_message(question: str, exc: InvalidQuestion, settings: Settings) -> str:
    """What to tell someone whose question the limits refuse (the Slack form of a 400)."""
    if not question.strip():
        return f"Please ask a question, for example: {EXAMPLE}"
    if len(question) > settings.max_question_chars:
        return f"Please ask a shorter question: {exc}"
    return f"I can't take that question: {exc}"


class SlackBot:
    """The listeners' shared state: settings, stores, and the Flask app whose engine answers."""

    def __init__(self, flask_app: Flask, settings: Settings, store: SlackStore, feedback: FeedbackStore) -> None:
        self.flask_app = flask_app
        self.settings = settings
        self.store = store
        self.feedback = feedback

    # --- asking the engine ------------------------------------------------------------------

    def ask(self, question: str, history: tuple[Turn, ...]) -> Asked:
        """The checked question and its answer, or SlackNotice saying why there is none."""
        try:
            checked = check_question(question, self.settings)
            with self.flask_app.app_context():
                engine = current_engine()
            return Asked(checked, engine.ask(checked, history), engine.documents)
        except InvalidQuestion as exc:
            raise SlackNotice(invalid_question_message(question, exc, self.settings)) from exc
        except IndexUnavailable as exc:
            raise SlackNotice(f"I can't answer right now: {exc}") from exc

    def answer_or_notice(self, question: str, history: tuple[Turn, ...]) -> Asked | str:
        """`ask`, with anything but an answer turned into the text to tell the asker."""
        try:
            return self.ask(question, history)
        except SlackNotice as notice:
            return str(notice)
        except Exception:  # last resort, as in http_errors: the asker hears of it, the traceback is logged
            logger.exception("Answering a Slack question failed")
            return "Sorry, answering this failed; it has been logged."

    def documents(self) -> Mapping[str, Document]:
        """The serving engine's documents, or none when no index is loaded (titles fall back to ids)."""
        try:
            with self.flask_app.app_context():
                return current_engine().documents
        except IndexUnavailable:
            return {}

    def blocks(self, answer: Answer, documents: Mapping[str, Document], turn_id: str,
               framing: Framing) -> list[dict[str, Any]]:
        """`answer_blocks`, its sources linked to the source page when QA_PUBLIC_URL is set."""
        return answer_blocks(answer, documents, turn_id, framing, self.settings.public_url)

    # --- mentions, DMs and thread follow-ups --------------------------------------------------

    def reply_in_conversation(self, incoming: Incoming, client: WebClient) -> None:
        """Answer a message in its thread or DM, with the conversation so far as history.

        The turn is stored with that history (a rating then carries the conversation) and with
        the timestamps of the question and the answer, where a DM thread may later hang from.
        """
        if not self.store.claim(incoming.message_key):
            return
        history = self.store.history(incoming.conversation, self.settings.max_history_turns, incoming.branches_from)
        asked = self.answer_or_notice(incoming.question, history)
        where: dict[str, Any] = {"channel": incoming.conversation.channel}
        if incoming.reply_thread_ts:
            where["thread_ts"] = incoming.reply_thread_ts
        if isinstance(asked, str):
            call_slack("chat.postMessage", client.chat_postMessage, text=asked, blocks=notice_blocks(asked), **where)
            return
        turn_id = uuid.uuid4().hex
        posted = call_slack("chat.postMessage", client.chat_postMessage, text=answer_text(asked.answer),
                            blocks=self.blocks(asked.answer, asked.documents, turn_id, Framing()), **where)
        if posted is not None:
            self.store.add_turn(SlackTurn(turn_id, asked.question, asked.answer, incoming.conversation, history,
                                          question_ts=incoming.ts, answer_ts=posted.get("ts")))

    def on_mention(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        incoming = from_mention(event, context.team_id or "", context.bot_user_id)
        if incoming is not None:
            self.reply_in_conversation(incoming, client)

    def on_message(self, event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        found = from_message(event, context.team_id or "", context.bot_user_id)
        if found is None:
            return
        incoming, needs_answered_thread = found
        if needs_answered_thread and not self.store.knows(incoming.conversation):
            return  # a thread the bot never answered: people talking among themselves
        self.reply_in_conversation(incoming, client)

    # --- /ask and its buttons ------------------------------------------------------------------

    def on_command(self, ack: Callable[..., Any], command: dict[str, Any], respond: Respond | None,
                   context: BoltContext) -> None:
        """`/ask question`: answered so only the asker sees it, with a button to share it."""
        ack()
        asked = self.answer_or_notice(question_text(str(command.get("text") or ""), context.bot_user_id), ())
        if isinstance(asked, str):
            respond_safely(respond, response_type="ephemeral", text=asked, blocks=notice_blocks(asked))
            return
        turn_id = uuid.uuid4().hex
        framing = Framing(question=asked.question, post_button=True)
        # stored before it is shown, so a quick click on its buttons always finds it
        self.store.add_turn(SlackTurn(turn_id, asked.question, asked.answer, None))
        respond_safely(respond, response_type="ephemeral", text=answer_text(asked.answer, framing),
                       blocks=self.blocks(asked.answer, asked.documents, turn_id, framing))

    def tell(self, body: dict[str, Any], respond: Respond | None, client: WebClient, text: str) -> None:
        """A short note only the person who clicked sees."""
        if body.get("response_url"):
            respond_safely(respond, response_type="ephemeral", replace_original=False, text=text)
            return
        channel, user = (body.get("channel") or {}).get("id"), (body.get("user") or {}).get("id")
        if channel and user:
            call_slack("chat.postEphemeral", client.chat_postEphemeral, channel=channel, user=user, text=text)

    def on_post_to_channel(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any],
                           respond: Respond | None, client: WebClient, context: BoltContext) -> None:
        """Share an ephemeral answer: post it to the channel, where its thread takes follow-ups."""
        ack()
        turn = self.store.turn(str(action.get("value") or ""))
        if turn is None:
            self.tell(body, respond, client, "I no longer have that answer; please ask again.")
            return
        claim = f"post:{turn.turn_id}"
        if not self.store.claim(claim):
            return  # a double click
        channel, user = body["channel"]["id"], body["user"]["id"]
        framing = Framing(question=turn.question, asked_by=user)
        posted = call_slack("chat.postMessage", client.chat_postMessage, channel=channel,
                            text=answer_text(turn.answer, framing),
                            blocks=self.blocks(turn.answer, self.documents(), turn.turn_id, framing))
        if posted is None:
            self.store.release(claim)  # so the button works again once the bot is invited
            self.tell(body, respond, client, "I couldn't post to this channel. If I'm not in it, "
                                             "invite me with /invite and try again.")
            return
        conversation = Conversation(context.team_id or "", channel, str(posted.get("ts") or ""))
        self.store.add_turn(SlackTurn(uuid.uuid4().hex, turn.question, turn.answer, conversation, turn.history,
                                      answer_ts=posted.get("ts")))
        respond_safely(respond, replace_original=True, text="Posted to the channel.")

    def on_feedback(self, ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any],
                    respond: Respond | None, client: WebClient) -> None:
        """Helpful / not helpful: stored with the question, the answer and the history the engine was
        asked with, for maintainers to review."""
        ack()
        rating = FEEDBACK_ACTIONS[action["action_id"]]
        turn = self.store.turn(str(action.get("value") or ""))
        if turn is None:
            self.tell(body, respond, client, "I no longer have that answer on record, so I can't store a rating.")
            return
        if not self.store.claim(f"feedback:{turn.turn_id}:{body['user']['id']}"):
            self.tell(body, respond, client, "You already rated this answer.")
            return
        self.feedback.record(Feedback(
            client=FEEDBACK_CLIENT, rating=rating, question=turn.question, answer=turn.answer.answer,
            citations=tuple(asdict(c) for c in turn.answer.citations), history=turn.history,
        ))
        self.tell(body, respond, client, f"Thanks: recorded as {'helpful' if rating == 'up' else 'not helpful'}.")

    # --- middleware ----------------------------------------------------------------------------

    def admit(self, body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """Let a request through only while the store can be used, and an event only the first time
        its id is seen, in any worker or instance.

        Runs before Slack is acknowledged, so a request turned away here is one Slack knows
        failed: an event is sent again later and answered then, once.
        """
        event_id = body.get("event_id")
        try:
            self.store.file.check()
            repeat = body.get("type") == "event_callback" and bool(event_id) and not self.store.claim(
                f"event:{event_id}")
        except StoreUnavailable as exc:
            if body.get("command"):  # Slack never sends a command again: tell its asker instead
                return BoltResponse(status=200, body={"response_type": "ephemeral", "text": STORE_DOWN_NOTE})
            return BoltResponse(status=503, body=error_body(exc.code, str(exc)))
        if repeat:
            logger.info("Slack event %s was already handled; ignoring the repeat", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None


def build_bolt_app(flask_app: Flask, settings: Settings) -> App:
    """The Bolt app for SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, its listeners registered."""
    bot = SlackBot(flask_app, settings, SlackStore(settings.feedback_db, retention_days=settings.retention_days),
                   FeedbackStore(settings.feedback_db, settings.retention_days))
    health.watch(flask_app, "slack", bot.store.file.problem)
    bolt = App(
        client=web_client(settings),  # carries SLACK_BOT_TOKEN; Bolt takes the token from it
        signing_secret=settings.slack_signing_secret,
        token_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger("qa_service.slack.bolt"),
    )
    bolt.use(bot.admit)
    bolt.event("app_mention")(bot.on_mention)
    bolt.event("message")(bot.on_message)
    bolt.command("/ask")(bot.on_command)
    bolt.action(POST_ACTION)(bot.on_post_to_channel)
    bolt.action(re.compile("^(" + "|".join(FEEDBACK_ACTIONS) + ")$"))(bot.on_feedback)
    return bolt
