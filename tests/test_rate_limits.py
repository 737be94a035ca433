"""Rate limits hold one client off /api/ask and /api/feedback without taking the service from others.

In-process with Flask's test client (each request from the address it names), and under a real
gunicorn over loopback, where the address is the socket's and X-Forwarded-For is believed only
behind the configured number of proxies.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from flask.testing import FlaskClient

from qa_service.app import create_app
from qa_service.config import Settings, load_settings
from qa_service.engine import Engine

if TYPE_CHECKING:
    from conftest import LiveServer

Check = Callable[[object, str], None]
QUESTION = {"question": "Who is the head of safeguarding at Action for Children?"}
RATING = {"rating": "up", "question": "Who is the head of safeguarding?", "answer": "Shaun Kelly said: [1]"}
LIMIT = "3/minute"


def limited(collection: Settings, engine: Engine, tmp_path: Path, **changes: Any) -> FlaskClient:
    settings = collection.with_overrides(**{"rate_limit": LIMIT, "feedback_db": tmp_path / "feedback.sqlite3",
                                            **changes})
    return create_app(settings, engine).test_client()


def ask(client: FlaskClient, address: str = "198.51.100.7", **headers: str) -> Any:
    return client.post("/api/ask", json=QUESTION, headers=headers, environ_base={"REMOTE_ADDR": address})


def test_a_client_over_the_limit_gets_a_json_429_with_retry_after(
    collection: Settings, engine: Engine, tmp_path: Path, check_schema: Check
) -> None:
    client = limited(collection, engine, tmp_path)
    assert [ask(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = ask(client)
    assert (refused.status_code, refused.mimetype) == (429, "application/json")
    check_schema(refused.get_json(), "Error")
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert "3 per 1 minute" in error["message"] and "/api/ask" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert f"Try again in {refused.headers['Retry-After']} s" in error["message"]


def test_the_limit_is_per_client_and_per_route_and_leaves_other_routes_alone(
    collection: Settings, engine: Engine, tmp_path: Path
) -> None:
    client = limited(collection, engine, tmp_path)
    for _ in range(4):
        ask(client)
    assert ask(client).status_code == 429
    assert ask(client, address="203.0.113.9").status_code == 200  # another client is still answered
    rated = [client.post("/api/feedback", json=RATING, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code
             for _ in range(4)]
    assert rated == [201, 201, 201, 429]  # counted apart from /api/ask
    for path in ("/api/documents", "/readyz", "/healthz", "/", "/widget.js", "/openapi.json"):
        assert client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200, path


def test_x_forwarded_for_is_ignored_without_trusted_proxies(
    collection: Settings, engine: Engine, tmp_path: Path
) -> None:
    client = limited(collection, engine, tmp_path)
    statuses = [ask(client, **{"X-Forwarded-For": f"192.0.2.{n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # a new made-up address per request changes nothing


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(
    collection: Settings, engine: Engine, tmp_path: Path
) -> None:
    client = limited(collection, engine, tmp_path, trusted_proxies=1)
    proxy = "10.0.0.2"  # every request comes through it

    def via_proxy(sent: str | None, seen: str) -> int:
        # the proxy appends the address it saw to whatever the client sent
        forwarded = f"{sent}, {seen}" if sent else seen
        return ask(client, address=proxy, **{"X-Forwarded-For": forwarded}).status_code

    assert [via_proxy(None, "198.51.100.7") for _ in range(3)] == [200, 200, 200]
    assert via_proxy(None, "198.51.100.7") == 429
    assert via_proxy("203.0.113.50", "198.51.100.7") == 429  # what the client wrote itself is not believed
    assert via_proxy(None, "203.0.113.9") == 200  # another client behind the same proxy is


def test_settings_turn_the_limit_off_and_refuse_what_cannot_be_read(
    collection: Settings, engine: Engine, tmp_path: Path
) -> None:
    assert load_settings({}).rate_limit == "120/minute" and load_settings({}).trusted_proxies == 0
    assert load_settings({}).rate_limit_storage == "memory://"
    assert load_settings({"QA_RATE_LIMIT": "10/second;5000/day"}).rate_limit == "10/second;5000/day"
    assert load_settings({"QA_RATE_LIMIT": "OFF"}).rate_limit is None
    with pytest.raises(ValueError, match="QA_RATE_LIMIT must be a limit"):
        load_settings({"QA_RATE_LIMIT": "lots"})
    with pytest.raises(ValueError, match="QA_TRUSTED_PROXIES"):
        load_settings({"QA_TRUSTED_PROXIES": "-1"})
    with pytest.raises(ValueError, match="QA_RATE_LIMIT_STORAGE='nowhere://x' cannot be used"):
        limited(collection, engine, tmp_path, rate_limit_storage="nowhere://x")
    unlimited = limited(collection, engine, tmp_path, rate_limit=None)
    assert [ask(unlimited).status_code for _ in range(5)] == [200] * 5


@pytest.mark.slow
def test_under_gunicorn_a_client_is_held_off_and_forwarded_addresses_count_only_behind_a_proxy(
    collection: Settings, tmp_path: Path, gunicorn_server: Callable[..., Any]
) -> None:
    def statuses(server: LiveServer, forwarded: list[str | None]) -> list[int]:
        return [requests.post(f"{server.url}/api/ask", json=QUESTION, timeout=30,
                              headers={"X-Forwarded-For": f} if f else {}).status_code for f in forwarded]

    settings = collection.with_overrides(rate_limit=LIMIT)
    with gunicorn_server(settings, tmp_path / "direct.log") as server:
        assert statuses(server, [None, "192.0.2.1", "192.0.2.2", "192.0.2.3"]) == [200, 200, 200, 429]
        refused = requests.post(f"{server.url}/api/ask", json=QUESTION, timeout=30)
        assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) >= 1
        assert requests.get(f"{server.url}/api/documents", timeout=30).status_code == 200
    with gunicorn_server(settings, tmp_path / "proxied.log", {"QA_TRUSTED_PROXIES": "1"}) as server:
        assert statuses(server, ["192.0.2.1"] * 4 + ["192.0.2.2"]) == [200, 200, 200, 429, 200]
