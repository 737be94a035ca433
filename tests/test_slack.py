"""The Slack bot against a fake Slack Web API on loopback, with signed requests to the real app.

Requests are signed the way Slack signs them (HMAC-SHA256 of "v0:{timestamp}:{body}" with
the signing secret) and sent to /slack/events; the bot's replies land on `FakeSlack`, which
records every Web API and response_url call and answers like Slack does. Answers come from
the real engine, so tests assert structure and invariants, not the wording of an answer.
Listeners run after the ack in Bolt's thread pool: tests wait for them by polling the fake
(bounded) or by draining the pool (`finish`). Only under gunicorn, where the pool is in
another process, does a test wait a fixed two seconds before checking nothing more arrived.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
import requests
import yaml
from block_kit import check_block_kit, texts_of
from flask import Flask
from flask.testing import FlaskClient
from store_faults import broken

from qa_service import sqlite_store
from qa_service.app import create_app
from qa_service.config import PROJECT_ROOT, Settings, load_settings
from qa_service.engine import Engine
from qa_service.feedback import FeedbackStore
from qa_service.models import Turn
from qa_service.slack.blocks import escape, marked_answer
from qa_service.slack.bot import STORE_DOWN_NOTE
from qa_service.slack.events import Conversation
from qa_service.slack.store import SlackStore, SlackTurn
from qa_service.slack.views import EXTENSION

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"
TEAM = "T0TEST"
BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
ASKER = "UASKER01"
CHANNEL = "C0GENERAL"
DM = "D0ASKER"
WAIT = 60.0  # seconds: an answer takes well under one; a loaded CI machine gets slack
SAFEGUARDING = "Who is the head of safeguarding at Action for Children?"
SAFEGUARDING_DOC = "003_7bfe52c2e0f08c40"
FOLLOW_UP = "What did he say about social workers?"
THIRD = "Who did he say feels powerless?"
ELSEWHERE = "What did the government decide about the early intervention duty?"
PUBLIC_URL = "https://qa.example.org"


# --- a fake Slack Web API ------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request the bot made to the fake: a Web API method or a response_url."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Failure:
    """How the fake answers a method while set: Slack's error, or HTTP 429 with Retry-After."""

    error: str
    status: int = 200
    retry_after: int | None = None
    times: int | None = None  # None: until cleared


@dataclass
class FakeSlack:
    """Slack's Web API as the bot sees it, on 127.0.0.1, in a thread."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, Failure] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ts_counter: int = 0
    posted_ts: list[str] = field(default_factory=list)  # the ts of each message posted, in order
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self) -> str:
        return f"{self.url}/respond/{uuid.uuid4().hex}"

    def fail(self, method: str, error: str, status: int = 200, retry_after: int | None = None,
             times: int | None = None) -> None:
        with self.lock:
            self.failures[method] = Failure(error, status, retry_after, times)

    def clear(self, method: str) -> None:
        with self.lock:
            self.failures.pop(method, None)

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = WAIT,
                 where: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        """The calls to `method` matching `where`, once there are `count`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [c for c in self.of(method) if where(c)]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        pytest.fail(f"{count} {method} call(s) expected within {timeout}s; the fake got "
                    f"{[c.method for c in self.calls]}")

    def next_ts(self) -> str:
        with self.lock:
            self.ts_counter += 1
            return f"{int(time.time())}.{self.ts_counter:06d}"

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            failure = self.failures.get(method)
            if failure is not None and failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    del self.failures[method]
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return failure.status, headers, {"ok": False, "error": failure.error}
        if method == "response_url":
            return 200, {}, "ok"
        if method == "auth.test":
            return 200, {}, {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "qa",
                             "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            ts = self.next_ts()
            with self.lock:
                self.posted_ts.append(ts)
            return 200, {}, {"ok": True, "channel": params.get("channel"), "ts": ts,
                             "message": {"text": params.get("text"), "ts": ts, "bot_id": BOT_ID}}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": self.next_ts()}
        if method == "conversations.replies":
            return 200, {}, {"ok": True, "messages": []}
        return 200, {}, {"ok": True}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(raw or "{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw).items()}
            for name in ("blocks",):  # form-encoded calls carry JSON in some fields
                if isinstance(params.get(name), str):
                    params[name] = json.loads(params[name])
            method = "response_url" if self.path.startswith("/respond/") else self.path.removeprefix("/api/")
            with fake.lock:
                fake.calls.append(Call(method, params, dict(self.headers)))
            status, headers, body = fake.answer(method, params)
            data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    return Handler


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        thread.join(timeout=10)


# --- signed requests ---------------------------------------------------------------------------------


def signed(body: str, content_type: str, secret: str = SECRET, timestamp: int | None = None,
           **headers: str) -> dict[str, str]:
    """Headers Slack would send with `body`: timestamp and v0 signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}",
            **headers}


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    """An Events API event_callback, as Slack posts it."""
    return json.dumps({
        "token": "unused", "team_id": TEAM, "api_app_id": "A0TEST", "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:12]}", "event_time": int(time.time()),
        "event": {**event, "event_ts": event.get("ts", "")},
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    })


def new_ts() -> str:
    return f"{time.time():.6f}"


def mention(text: str, ts: str | None = None, thread_ts: str | None = None, user: str = ASKER,
            channel: str = CHANNEL) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts or new_ts(),
             "channel": channel}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(text: str, channel: str = CHANNEL, channel_type: str = "channel", thread_ts: str | None = None,
            **extra: Any) -> dict[str, Any]:
    event = {"type": "message", "user": ASKER, "text": text, "ts": new_ts(), "channel": channel,
             "channel_type": channel_type, **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm(text: str, thread_ts: str | None = None) -> dict[str, Any]:
    """A message in the DM with the bot (in a thread of it with `thread_ts`)."""
    return message(text, channel=DM, channel_type="im", thread_ts=thread_ts)


def send_event(client: FlaskClient, event: dict[str, Any], event_id: str | None = None, **headers: str) -> Any:
    body = event_body(event, event_id)
    return client.post("/slack/events", data=body, headers=signed(body, "application/json", **headers))


def send_form(client: FlaskClient, fields: dict[str, str]) -> Any:
    body = urlencode(fields)
    return client.post("/slack/events", data=body, headers=signed(body, "application/x-www-form-urlencoded"))


def command(client: FlaskClient, text: str, response_url: str) -> Any:
    return send_form(client, {
        "token": "unused", "team_id": TEAM, "team_domain": "test", "channel_id": CHANNEL, "channel_name": "general",
        "user_id": ASKER, "user_name": "asker", "command": "/ask", "text": text, "api_app_id": "A0TEST",
        "response_url": response_url, "trigger_id": "1.2.3",
    })


def click(client: FlaskClient, action_id: str, value: str, response_url: str, user: str = ASKER,
          container: dict[str, Any] | None = None) -> Any:
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "test"}, "user": {"id": user},
        "api_app_id": "A0TEST", "token": "unused", "trigger_id": "1.2.3",
        "container": container or {"type": "message", "channel_id": CHANNEL, "is_ephemeral": True},
        "channel": {"id": CHANNEL, "name": "general"}, "response_url": response_url,
        "actions": [{"type": "button", "action_id": action_id, "block_id": "feedback", "value": value,
                     "action_ts": new_ts()}],
    }
    return send_form(client, {"payload": json.dumps(payload)})


# --- the app under test ----------------------------------------------------------------------------


def slack_settings(collection: Settings, fake: FakeSlack, db: Path, **changes: object) -> Settings:
    return collection.with_overrides(feedback_db=db, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
                                     slack_api_url=fake.api_url, **changes)


@pytest.fixture
def slack_app(collection: Settings, engine: Engine, fake_slack: FakeSlack, tmp_path: Path) -> Flask:
    return create_app(slack_settings(collection, fake_slack, tmp_path / "qa.sqlite3"), engine)


@pytest.fixture
def slack(slack_app: Flask) -> FlaskClient:
    return slack_app.test_client()


def finish(app: Flask, timeout: float = WAIT) -> None:
    """Wait until every listener the app started has finished (the app takes no more requests)."""
    executor = app.extensions[EXTENSION].app.listener_runner.listener_executor
    done = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
    done.start()
    done.join(timeout)
    assert not done.is_alive(), f"Slack listeners still running after {timeout}s"


def store_of(app: Flask) -> SlackStore:
    return SlackStore(app.config["SETTINGS"].feedback_db)


def answer_posted(app: Flask, fake: FakeSlack, count: int = 1) -> dict[str, Any]:
    """The `count`-th message posted, once its turn is stored too: the listener stores it just after
    posting, and a follow-up or a click sent before then would find no answer to build on."""
    params = fake.wait_for("chat.postMessage", count=count)[count - 1].params
    stored_turn(app, params["blocks"])
    return params


def follow_up_in_a_thread(app: Flask, client: FlaskClient, fake: FakeSlack) -> tuple[str, dict[str, Any]]:
    """SAFEGUARDING asked with a mention, then FOLLOW_UP in its thread: the thread's ts and the follow-up's answer."""
    first = mention(SAFEGUARDING)
    send_event(client, first)
    answer_posted(app, fake)
    send_event(client, message(FOLLOW_UP, thread_ts=first["ts"]))
    return first["ts"], answer_posted(app, fake, count=2)


def stored_turn(app: Flask, blocks: list[dict[str, Any]], timeout: float = WAIT) -> SlackTurn:
    """The turn a posted answer's buttons name, once the listener has stored it (just after posting)."""
    turn_id, store = buttons(blocks)["feedback_up"], store_of(app)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        turn = store.turn(turn_id)
        if turn is not None:
            return turn
        time.sleep(0.02)
    pytest.fail(f"turn {turn_id} was not stored within {timeout}s")


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> value of every button."""
    return {e["action_id"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]}


# --- configuration ---------------------------------------------------------------------------------


def test_events_route_is_a_503_json_error_naming_the_settings_when_the_bot_is_off(client: FlaskClient) -> None:
    response = client.post("/slack/events", json={"type": "url_verification", "challenge": "c"})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "slack_not_configured"
    assert "SLACK_BOT_TOKEN" in error["message"] and "SLACK_SIGNING_SECRET" in error["message"]
    assert client.post("/api/ask", json={"question": SAFEGUARDING}).status_code == 200  # the rest still runs


def test_a_token_without_a_signing_secret_leaves_the_bot_off(collection: Settings, engine: Engine,
                                                             tmp_path: Path) -> None:
    app = create_app(collection.with_overrides(slack_bot_token=TOKEN, feedback_db=tmp_path / "qa.sqlite3"), engine)
    error = app.test_client().post("/slack/events", data="{}").get_json()["error"]
    assert error["code"] == "slack_not_configured"
    assert "SLACK_SIGNING_SECRET" in error["message"] and "SLACK_BOT_TOKEN" not in error["message"]


@pytest.mark.parametrize(("raw", "read"), [
    ("", ""),
    ("https://qa.example.org/", "https://qa.example.org"),
    (" http://127.0.0.1:8000/qa ", "http://127.0.0.1:8000/qa"),  # under a path prefix
])
def test_the_public_url_is_read_without_its_trailing_slash(raw: str, read: str) -> None:
    assert load_settings({"QA_PUBLIC_URL": raw}).public_url == read


@pytest.mark.parametrize("raw", ["qa.example.org", "javascript:alert(1)", "ftp://qa.example.org", "https://",
                                 "https://qa.example.org/?x=1", "https://qa.example.org/#top", "https://[::1"])
def test_a_public_url_no_link_could_use_stops_the_service_starting(raw: str) -> None:
    with pytest.raises(ValueError, match="QA_PUBLIC_URL must be an http"):
        load_settings({"QA_PUBLIC_URL": raw})


def test_manifest_declares_the_scopes_events_and_urls_the_bot_uses() -> None:
    manifest = yaml.safe_load((PROJECT_ROOT / "slack" / "manifest.yml").read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "chat:write", "im:history", "channels:history", "commands"} <= scopes
    settings = manifest["settings"]
    assert {"app_mention", "message.im", "message.channels"} <= set(settings["event_subscriptions"]["bot_events"])
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"],
            *(c["url"] for c in manifest["features"]["slash_commands"])]
    assert all(url.endswith("/slack/events") for url in urls)
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert settings["interactivity"]["is_enabled"] is True


# --- Slack's request rules ---------------------------------------------------------------------------


def test_url_verification_gets_its_challenge_back(slack: FlaskClient) -> None:
    body = json.dumps({"token": "unused", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    response = slack.post("/slack/events", data=body, headers=signed(body, "application/json"))
    assert response.status_code == 200
    assert response.get_json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize(("secret", "age"), [("not-the-secret", 0), (SECRET, 6 * 60)],
                         ids=["bad signature", "timestamp over five minutes old"])
def test_unsigned_or_stale_requests_are_rejected_with_401(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, secret: str, age: int
) -> None:
    body = event_body(mention(SAFEGUARDING))
    headers = signed(body, "application/json", secret=secret, timestamp=int(time.time()) - age)
    response = slack.post("/slack/events", data=body, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_signature"
    finish(slack_app)
    assert fake_slack.calls == []  # nothing was answered, not even auth.test was needed


def test_the_ack_comes_before_the_answer(slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack) -> None:
    started = time.monotonic()
    response = command(slack, SAFEGUARDING, fake_slack.response_url())
    assert response.status_code == 200 and time.monotonic() - started < 3
    fake_slack.wait_for("response_url")


# --- mentions, threads and DMs ----------------------------------------------------------------------


def test_a_mention_is_answered_in_its_thread_with_quoted_sentences_and_their_sources(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    event = mention(SAFEGUARDING)
    assert send_event(slack, event).status_code == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    params = post.params
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert params["channel"] == CHANNEL and params["thread_ts"] == event["ts"]

    expected = engine.ask(SAFEGUARDING)  # the bot asked the same engine, with the mention stripped
    assert not expected.abstained
    assert escape(expected.answer) in params["text"]
    blocks = params["blocks"]
    check_block_kit(blocks)
    texts = texts_of(blocks)
    assert marked_answer(expected) in texts  # the quoted answer, its answer span in bold
    for citation in expected.citations:
        document = engine.documents[citation.doc_id]
        assert document.text[citation.start:citation.end] == citation.quote
        assert any(f"[{citation.n}]" in t and citation.doc_id in t and f"{citation.start}–{citation.end}" in t
                   for t in texts)
    assert any(SAFEGUARDING_DOC in t for t in texts)
    assert set(buttons(blocks)) == {"feedback_up", "feedback_down"}

    history = store_of(slack_app).history(Conversation(TEAM, CHANNEL, event["ts"]), 10)
    assert history == (Turn(SAFEGUARDING, expected.answer),)  # the question without "<@UBOT...>"
    assert fake_slack.of("conversations.replies") == []


def test_a_mention_inside_a_thread_is_answered_in_that_thread(
    slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    root = new_ts()
    send_event(slack, mention(SAFEGUARDING, thread_ts=root))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == root


def test_a_follow_up_in_an_answered_thread_needs_no_mention_and_uses_the_history(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    thread_ts, follow = follow_up_in_a_thread(slack_app, slack, fake_slack)
    assert follow["thread_ts"] == thread_ts and follow["channel"] == CHANNEL

    earlier = engine.ask(SAFEGUARDING)
    with_history = engine.ask(FOLLOW_UP, (Turn(SAFEGUARDING, earlier.answer),))
    assert with_history.query != engine.ask(FOLLOW_UP).query  # the history changes what is searched...
    assert escape(with_history.answer) in follow["text"]  # ...and the bot answered with it
    assert len(store_of(slack_app).history(Conversation(TEAM, CHANNEL, thread_ts), 10)) == 2
    assert fake_slack.of("conversations.replies") == []  # the history came from our own store


def test_messages_outside_threads_the_bot_answered_are_ignored(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    send_event(slack, message(SAFEGUARDING, thread_ts=new_ts()))  # someone else's thread
    send_event(slack, message(SAFEGUARDING))  # a channel message without a mention
    finish(slack_app)
    assert fake_slack.of("chat.postMessage") == []


def test_a_mention_in_an_answered_thread_is_answered_once_though_slack_sends_it_twice(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    first = mention(SAFEGUARDING)
    send_event(slack, first)
    fake_slack.wait_for("chat.postMessage")
    again = mention(FOLLOW_UP, thread_ts=first["ts"])
    send_event(slack, again)  # as app_mention...
    send_event(slack, {**again, "type": "message", "channel_type": "channel"})  # ...and as message
    finish(slack_app)
    assert len(fake_slack.of("chat.postMessage")) == 2


def test_a_direct_message_is_answered_in_the_dm_and_its_follow_ups_use_the_history(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    send_event(slack, dm(SAFEGUARDING))
    post = answer_posted(slack_app, fake_slack)
    assert post["channel"] == DM and "thread_ts" not in post
    assert SAFEGUARDING_DOC in " ".join(texts_of(post["blocks"]))

    send_event(slack, dm(FOLLOW_UP))
    follow = fake_slack.wait_for("chat.postMessage", count=2)[1].params
    earlier = engine.ask(SAFEGUARDING)
    assert escape(engine.ask(FOLLOW_UP, (Turn(SAFEGUARDING, earlier.answer),)).answer) in follow["text"]


@pytest.mark.parametrize("hangs_from", ["answer", "question"])
def test_a_dm_thread_starts_from_the_dm_up_to_the_message_it_hangs_from(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine, hangs_from: str
) -> None:
    first = dm(SAFEGUARDING)
    send_event(slack, first)
    answer_posted(slack_app, fake_slack)
    send_event(slack, dm(ELSEWHERE))  # the DM goes on below the message the thread will hang from
    answer_posted(slack_app, fake_slack, count=2)
    root = fake_slack.posted_ts[0] if hangs_from == "answer" else first["ts"]

    send_event(slack, dm(FOLLOW_UP, thread_ts=root))
    reply = answer_posted(slack_app, fake_slack, count=3)
    assert reply["channel"] == DM and reply["thread_ts"] == root
    earlier = (Turn(SAFEGUARDING, engine.ask(SAFEGUARDING).answer),)  # not ELSEWHERE: it came later
    expected = engine.ask(FOLLOW_UP, earlier)
    assert expected.query != engine.ask(FOLLOW_UP).query  # without the history it would search otherwise
    assert escape(expected.answer) in reply["text"]
    assert stored_turn(slack_app, reply["blocks"]).history == earlier

    send_event(slack, dm(THIRD, thread_ts=root))  # the thread's own turns follow the DM's
    third = fake_slack.wait_for("chat.postMessage", count=4)[3].params
    assert third["thread_ts"] == root
    history = (*earlier, Turn(FOLLOW_UP, expected.answer))
    assert stored_turn(slack_app, third["blocks"]).history == history
    assert escape(engine.ask(THIRD, history).answer) in third["text"]
    assert fake_slack.of("conversations.replies") == []


def test_a_dm_thread_under_a_message_the_bot_never_answered_starts_afresh(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    send_event(slack, dm(SAFEGUARDING))
    answer_posted(slack_app, fake_slack)
    send_event(slack, dm(FOLLOW_UP, thread_ts=new_ts()))  # e.g. under a note the person wrote themselves
    reply = fake_slack.wait_for("chat.postMessage", count=2)[1].params
    assert stored_turn(slack_app, reply["blocks"]).history == ()


def test_an_abstention_says_so_and_offers_only_related_reading(
    slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    question = "What is the best recipe for lasagne?"
    expected = engine.ask(question)
    assert expected.abstained
    send_event(slack, message(question, channel=DM, channel_type="im"))
    [post] = fake_slack.wait_for("chat.postMessage")
    blocks = post.params["blocks"]
    check_block_kit(blocks)
    texts = texts_of(blocks)
    assert texts[0] == escape(expected.answer)
    assert not any("[1]" in t for t in texts)  # no sources presented as backing an answer
    if expected.passages:
        label = next(i for i, t in enumerate(texts) if "Related reading" in t)
        assert any(expected.passages[0].passage.doc_id in t for t in texts[label + 1:])


@pytest.mark.parametrize(("text", "says"), [("x" * 1001, "shorter question"), ("", "Please ask a question")])
def test_a_question_the_limits_refuse_gets_a_plain_reply_not_an_answer(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, text: str, says: str
) -> None:
    event = mention(text)
    send_event(slack, event)
    [post] = fake_slack.wait_for("chat.postMessage")
    assert says in post.params["text"] and post.params["thread_ts"] == event["ts"]
    assert not store_of(slack_app).knows(Conversation(TEAM, CHANNEL, event["ts"]))  # nothing answered


# --- /ask and buttons -----------------------------------------------------------------------------


def test_slash_command_answers_only_the_asker_and_can_post_to_the_channel(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    response = command(slack, SAFEGUARDING, fake_slack.response_url())
    assert response.status_code == 200
    [reply] = fake_slack.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral"
    blocks = reply.params["blocks"]
    check_block_kit(blocks)
    assert any(SAFEGUARDING_DOC in t for t in texts_of(blocks))
    assert any("You asked" in t for t in texts_of(blocks))
    assert fake_slack.of("chat.postMessage") == []  # nobody else sees it yet

    turn_id = stored_turn(slack_app, blocks).turn_id
    click(slack, "post_to_channel", turn_id, fake_slack.response_url())
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL and "thread_ts" not in post.params
    posted_texts = texts_of(post.params["blocks"])
    assert any(f"<@{ASKER}> asked" in t for t in posted_texts)
    assert any(SAFEGUARDING_DOC in t for t in posted_texts)
    assert "post_to_channel" not in buttons(post.params["blocks"])
    fake_slack.wait_for("response_url", where=lambda c: c.params.get("replace_original") is True)

    # the posted answer starts a thread whose follow-ups the bot answers
    posted_ts = fake_slack.posted_ts[0]
    send_event(slack, message(FOLLOW_UP, thread_ts=posted_ts))
    follow = fake_slack.wait_for("chat.postMessage", count=2)[1].params
    assert follow["thread_ts"] == posted_ts
    earlier = engine.ask(SAFEGUARDING)
    assert escape(engine.ask(FOLLOW_UP, (Turn(SAFEGUARDING, earlier.answer),)).answer) in follow["text"]


def test_post_to_channel_posts_once_and_can_be_retried_after_slack_refused(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    command(slack, SAFEGUARDING, fake_slack.response_url())
    [reply] = fake_slack.wait_for("response_url")
    turn_id = stored_turn(slack_app, reply.params["blocks"]).turn_id

    fake_slack.fail("chat.postMessage", "not_in_channel")
    click(slack, "post_to_channel", turn_id, fake_slack.response_url())
    [refusal] = fake_slack.wait_for("response_url", where=lambda c: "couldn't post" in c.params.get("text", ""))
    assert refusal.params["response_type"] == "ephemeral"
    fake_slack.clear("chat.postMessage")

    click(slack, "post_to_channel", turn_id, fake_slack.response_url())  # after /invite
    click(slack, "post_to_channel", turn_id, fake_slack.response_url())  # an impatient double click
    finish(slack_app)
    assert len(fake_slack.posted_ts) == 1


def test_without_an_index_the_bot_says_how_to_build_one(
    scratch: Settings, fake_slack: FakeSlack
) -> None:
    app = create_app(slack_settings(scratch, fake_slack, scratch.feedback_db))
    event = mention(SAFEGUARDING)
    send_event(app.test_client(), event)
    [post] = fake_slack.wait_for("chat.postMessage")
    assert "build-index" in post.params["text"] and post.params["thread_ts"] == event["ts"]


def test_feedback_buttons_store_one_rating_per_person(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    send_event(slack, mention(SAFEGUARDING))
    values = buttons(answer_posted(slack_app, fake_slack)["blocks"])
    message_container = {"type": "message", "channel_id": CHANNEL, "is_ephemeral": False}

    click(slack, "feedback_down", values["feedback_down"], fake_slack.response_url(), container=message_container)
    fake_slack.wait_for("response_url")
    click(slack, "feedback_up", values["feedback_up"], fake_slack.response_url(), container=message_container)
    click(slack, "feedback_up", values["feedback_up"], fake_slack.response_url(), user="UOTHER01",
          container=message_container)
    finish(slack_app)

    rows = FeedbackStore(slack_app.config["SETTINGS"].feedback_db).items()
    assert [(r.client, r.rating) for r in rows] == [("slack", "down"), ("slack", "up")]
    expected = engine.ask(SAFEGUARDING)
    assert {r.question for r in rows} == {SAFEGUARDING}
    assert {r.answer for r in rows} == {expected.answer}
    assert [c["doc_id"] for c in rows[0].citations] == [c.doc_id for c in expected.citations]
    notes = [c.params["text"] for c in fake_slack.of("response_url")]
    assert sum("already rated" in n for n in notes) == 1
    assert all(c.params["response_type"] == "ephemeral" for c in fake_slack.of("response_url"))


def test_a_rating_of_a_follow_up_keeps_the_history_it_was_asked_with(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, engine: Engine
) -> None:
    _, follow = follow_up_in_a_thread(slack_app, slack, fake_slack)
    click(slack, "feedback_down", buttons(follow["blocks"])["feedback_down"], fake_slack.response_url(),
          container={"type": "message", "channel_id": CHANNEL, "is_ephemeral": False})
    finish(slack_app)
    [row] = FeedbackStore(slack_app.config["SETTINGS"].feedback_db).items()
    earlier = engine.ask(SAFEGUARDING)
    assert (row.client, row.rating, row.question) == ("slack", "down", FOLLOW_UP)
    assert row.history == (Turn(SAFEGUARDING, earlier.answer),)
    assert row.answer == engine.ask(FOLLOW_UP, row.history).answer


def test_with_a_public_url_each_source_links_to_a_page_showing_its_span(
    collection: Settings, engine: Engine, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    app = create_app(slack_settings(collection, fake_slack, tmp_path / "qa.sqlite3", public_url=PUBLIC_URL), engine)
    client = app.test_client()
    send_event(client, mention(SAFEGUARDING))
    [post] = fake_slack.wait_for("chat.postMessage")
    expected = engine.ask(SAFEGUARDING)
    lines = [t for t in texts_of(post.params["blocks"]) if t.startswith("*[")]
    assert len(lines) == len(expected.citations)
    for line, citation in zip(lines, expected.citations):
        url = f"{PUBLIC_URL}/source/{citation.doc_id}?start={citation.start}&end={citation.end}#quote"
        assert line.startswith(f"*[{citation.n}]* <{escape(url)}|{escape(citation.title)}>")
        page = client.get(url.removeprefix(PUBLIC_URL).split("#")[0])  # the page that link opens
        assert page.status_code == 200
        marked = re.search(r'<mark id="quote">(.*?)</mark>', page.get_data(as_text=True), re.DOTALL)
        assert marked and html.unescape(marked.group(1)) == citation.quote


# --- retries, duplicates and bots ----------------------------------------------------------------


def test_a_retried_or_duplicated_event_is_answered_once_even_by_two_instances(
    collection: Settings, engine: Engine, slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    other = create_app(slack_settings(collection, fake_slack, slack_app.config["SETTINGS"].feedback_db), engine)
    event, event_id = mention(SAFEGUARDING), "Ev0DUPLICATE1"
    for client, headers in [
        (slack, {}),
        (slack, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}),
        (other.test_client(), {}),  # another worker or instance sharing the database
        (other.test_client(), {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}),
    ]:
        assert send_event(client, event, event_id, **headers).status_code == 200
    finish(slack_app)
    finish(other)
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_while_its_store_cannot_be_used_slack_is_asked_to_retry_and_the_retry_is_answered_once(
    collection: Settings, engine: Engine, fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    check_schema: Callable[[object, str], None],
) -> None:
    db = tmp_path / "var" / "qa.sqlite3"
    event, event_id = mention(SAFEGUARDING), "Ev0STOREDOWN1"
    with broken(db, "damaged"):
        app = create_app(slack_settings(collection, fake_slack, db), engine)
        client = app.test_client()
        refused = send_event(client, event, event_id)
        assert refused.status_code == 503  # not acknowledged: Slack sends it again later
        check_schema(refused.get_json(), "Error")
        assert refused.get_json()["error"]["code"] == "store_unavailable"
        assert str(db) in refused.get_json()["error"]["message"]
        asked = command(client, SAFEGUARDING, fake_slack.response_url())  # never retried, so told at once
        assert (asked.status_code, asked.get_json()) == (200, {"response_type": "ephemeral", "text": STORE_DOWN_NOTE})
        assert [d["part"] for d in client.get("/readyz").get_json()["degraded"]] == ["feedback", "slack"]
        assert client.post("/api/ask", json={"question": SAFEGUARDING}).status_code == 200
    monkeypatch.setattr(sqlite_store, "RETRY_SECONDS", 0)  # repaired, and tried again on the next request
    for retry in ("1", "2"):  # the first retry is answered; a second (its ack was lost) is not
        assert send_event(client, event, event_id, **{"X-Slack-Retry-Num": retry,
                                                      "X-Slack-Retry-Reason": "http_error"}).status_code == 200
    finish(app)
    [post] = fake_slack.of("chat.postMessage")
    assert post.params["thread_ts"] == event["ts"]
    assert fake_slack.of("response_url") == []
    assert client.get("/readyz").get_json()["degraded"] == []


def test_the_bot_ignores_its_own_and_other_bots_messages(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    for event in [
        message(SAFEGUARDING, channel=DM, channel_type="im", user=BOT_USER),
        message(SAFEGUARDING, channel=DM, channel_type="im", bot_id=BOT_ID),
        message(SAFEGUARDING, channel=DM, channel_type="im", bot_id="BOTHER01", user="UOTHERBOT"),
        message(SAFEGUARDING, channel=DM, channel_type="im", subtype="bot_message", username="hook"),
        message(SAFEGUARDING, channel=DM, channel_type="im", subtype="message_changed"),
        mention(SAFEGUARDING, user=BOT_USER),
    ]:
        assert send_event(slack, event).status_code == 200
    finish(slack_app)
    assert fake_slack.of("chat.postMessage") == []


# --- Slack API errors --------------------------------------------------------------------------------


def test_slack_api_errors_are_logged_and_the_bot_keeps_working(
    slack_app: Flask, slack: FlaskClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.fail("chat.postMessage", "channel_not_found")
    lost = mention(SAFEGUARDING)
    with caplog.at_level(logging.ERROR, logger="qa_service.slack"):
        send_event(slack, lost)
        fake_slack.wait_for("chat.postMessage")
        fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=30)  # too long to wait for
        send_event(slack, mention(SAFEGUARDING))
        fake_slack.wait_for("chat.postMessage", count=2)
        finish(slack_app)
    errors = [r.getMessage() for r in caplog.records if r.name == "qa_service.slack.bot"]
    assert any("channel_not_found" in e for e in errors)
    assert any("ratelimited" in e and "429" in e for e in errors)
    assert len(fake_slack.of("chat.postMessage")) == 2  # a long Retry-After is not slept on
    assert not store_of(slack_app).knows(Conversation(TEAM, CHANNEL, lost["ts"]))  # no answer, no thread


def test_a_short_rate_limit_is_waited_out_and_the_answer_posted(
    slack: FlaskClient, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=1)
    send_event(slack, mention(SAFEGUARDING))
    posts = fake_slack.wait_for("chat.postMessage", count=2)
    assert posts[0].params == posts[1].params  # the same message, sent again after Retry-After
    assert fake_slack.failures == {}


# --- end to end under gunicorn --------------------------------------------------------------------


@pytest.mark.slow
def test_end_to_end_under_gunicorn_with_two_workers(
    collection: Settings, fake_slack: FakeSlack, gunicorn_server: Any, tmp_path: Path
) -> None:
    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake_slack.api_url,
           "QA_FEEDBACK_DB": str(tmp_path / "qa.sqlite3")}
    with gunicorn_server(collection, tmp_path / "gunicorn.log", env, workers=2) as server:
        event, event_id = mention(SAFEGUARDING), "Ev0GUNICORN01"
        body = event_body(event, event_id)

        def deliver(retry: int) -> int:
            extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
            headers = signed(body, "application/json", **extra)
            return requests.post(f"{server.url}/slack/events", data=body, headers=headers, timeout=10).status_code

        statuses: list[int] = []
        threads = [threading.Thread(target=lambda r=r: statuses.append(deliver(r))) for r in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert statuses == [200] * 4
        [post] = fake_slack.wait_for("chat.postMessage")
        assert post.params["channel"] == CHANNEL and post.params["thread_ts"] == event["ts"]
        assert any(SAFEGUARDING_DOC in t for t in texts_of(post.params["blocks"]))

        bad = requests.post(f"{server.url}/slack/events", data=body,
                            headers=signed(body, "application/json", secret="wrong"), timeout=10)
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_signature"
        time.sleep(2)  # give a wrongly repeated answer time to show up before counting
        assert len(fake_slack.of("chat.postMessage")) == 1
