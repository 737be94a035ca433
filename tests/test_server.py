"""End to end: the real app under gunicorn (gunicorn.conf.py, --preload) over real HTTP.

The `live_server` fixture starts it on a free loopback port with the test collection, waits
for /readyz and always terminates it. These tests catch what the test client cannot: the
gunicorn config, the factory call, forking after the model loaded, threads, and real sockets.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
import requests
from store_faults import CAUSES, broken

from qa_service.sqlite_store import RETRY_SECONDS

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import LiveServer

    from qa_service.config import Settings

pytestmark = pytest.mark.slow

Check = Callable[[object, str], None]

SAFEGUARDING = "Who is the head of safeguarding at Action for Children?"
SAFEGUARDING_DOC = "003_7bfe52c2e0f08c40"
TIMEOUT = 30


def ask(url: str, body: Any) -> requests.Response:
    return requests.post(f"{url}/api/ask", json=body, timeout=TIMEOUT)


def test_answer_cites_spans_of_the_served_documents(live_server: LiveServer, check_schema: Check) -> None:
    response = ask(live_server.url, {"question": SAFEGUARDING})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    answer = response.json()
    check_schema(answer, "Answer")
    assert answer["abstained"] is False
    assert SAFEGUARDING_DOC in {c["doc_id"] for c in answer["citations"]}
    for citation in answer["citations"]:
        document = requests.get(f"{live_server.url}/api/documents/{citation['doc_id']}", timeout=TIMEOUT).json()
        assert citation["quote"] == document["text"][citation["start"]:citation["end"]]


def test_bad_requests_get_json_errors(live_server: LiveServer, check_schema: Check) -> None:
    url = live_server.url
    cases = [
        (requests.post(f"{url}/api/ask", data=b"{nope", headers={"Content-Type": "application/json"},
                       timeout=TIMEOUT), 400, "invalid_json"),
        (ask(url, {"question": "   "}), 400, "bad_question"),
        (requests.post(f"{url}/api/ask", data=b"question=x", timeout=TIMEOUT), 415, "unsupported_media_type"),
        (ask(url, {"question": "Who?", "padding": "x" * 70_000}), 413, "body_too_large"),
        (requests.get(f"{url}/api/documents/nope", timeout=TIMEOUT), 404, "unknown_document"),
        (requests.get(f"{url}/nope", timeout=TIMEOUT), 404, "not_found"),
        (requests.get(f"{url}/api/ask", timeout=TIMEOUT), 405, "method_not_allowed"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.headers["Content-Type"]) == (status, "application/json"), response.text
        check_schema(response.json(), "Error")
        assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("size", [2 * 1024 * 1024, 8 * 1024 * 1024])
def test_a_body_far_over_the_limit_gets_a_413_the_client_can_read(live_server: LiveServer, size: int) -> None:
    # http.client sends the whole body before reading the answer, as most clients do: a
    # server that answers and closes while the body is still coming breaks its pipe
    host, port = live_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        connection.request("POST", "/api/ask", body=b"x" * size, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert (response.status, json.loads(response.read())["error"]["code"]) == (413, "body_too_large")
    finally:
        connection.close()
    assert ask(live_server.url, {"question": SAFEGUARDING}).status_code == 200  # and the server goes on


def test_concurrent_questions_all_get_answers(live_server: LiveServer) -> None:
    questions = [SAFEGUARDING, "What did Eileen Munro recommend?", "What is the best recipe for lasagne?",
                 "When was the Munro review published?"] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda q: ask(live_server.url, {"question": q}), questions))
    assert [r.status_code for r in responses] == [200] * len(questions)
    assert all(r.json()["answer"] for r in responses)


def test_server_writes_one_json_access_line_per_request(live_server: LiveServer) -> None:
    marker = "/api/documents/access-log-marker"
    assert requests.get(f"{live_server.url}{marker}", timeout=TIMEOUT).status_code == 404
    lines = []
    for line in live_server.output().splitlines():
        if marker in line:
            lines.append(json.loads(line))
    assert len(lines) == 1
    assert lines[0]["logger"] == "qa_service.access"
    assert (lines[0]["method"], lines[0]["status"], lines[0]["remote"]) == ("GET", 404, "127.0.0.1")
    assert lines[0]["latency_ms"] >= 0


def test_a_damaged_feedback_database_leaves_the_served_app_answering_until_it_is_moved_aside(
    collection: Settings, tmp_path: Path, gunicorn_server: Callable[..., Any], check_schema: Check
) -> None:
    db = tmp_path / "var" / "feedback.sqlite3"
    rating = {"rating": "up", "question": SAFEGUARDING, "answer": "Shaun Kelly said: [1]"}
    damage = ExitStack()
    with damage:
        damage.enter_context(broken(db, "damaged"))
        with gunicorn_server(collection.with_overrides(feedback_db=db), tmp_path / "gunicorn.log",
                             workers=2) as server:
            assert ask(server.url, {"question": SAFEGUARDING}).json()["abstained"] is False
            assert requests.get(f"{server.url}/", timeout=TIMEOUT).status_code == 200
            for _ in range(6):  # both workers, more than once
                refused = requests.post(f"{server.url}/api/feedback", json=rating, timeout=TIMEOUT)
                assert refused.status_code == 503 and refused.json()["error"]["code"] == "store_unavailable"
            ready = requests.get(f"{server.url}/readyz", timeout=TIMEOUT)
            assert ready.status_code == 200
            check_schema(ready.json(), "Ready")
            assert [d["part"] for d in ready.json()["degraded"]] == ["feedback"]

            damage.close()  # the damaged file moved aside while the service runs
            deadline = time.monotonic() + 3 * RETRY_SECONDS
            while requests.post(f"{server.url}/api/feedback", json=rating, timeout=TIMEOUT).status_code != 201:
                assert time.monotonic() < deadline, "the repaired store was not used again"
                time.sleep(0.25)
            log = server.output()
    problems = [json.loads(line) for line in log.splitlines() if '"qa_service.sqlite_store"' in line]
    errors = [p for p in problems if p["level"] == "ERROR"]
    assert len(errors) == 1  # logged once, at start: not by each worker, nor on each request
    assert str(db) in errors[0]["message"] and CAUSES["damaged"] in errors[0]["message"]
    assert any("usable again" in p["message"] for p in problems)
