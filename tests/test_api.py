"""The HTTP endpoints through Flask's test client, over the real engine and index.

Answers' exact wording changes as the engine is tuned, so these tests check the contract:
shapes (against /openapi.json's schemas), offsets (quote == text[start:end]) and outcomes
(abstain or cite the right document), and that no input whatsoever yields a 5xx or HTML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from qa_service.app import create_app
from qa_service.config import Settings
from qa_service.engine import Engine

SAFEGUARDING = "Who is the head of safeguarding at Action for Children?"
SAFEGUARDING_DOC = "003_7bfe52c2e0f08c40"
OFF_TOPIC = "What is the best recipe for lasagne?"

Check = Callable[[object, str], None]


def ask(client: FlaskClient, body: Any) -> TestResponse:
    return client.post("/api/ask", json=body)


def error_code(response: TestResponse, check_schema: Check) -> str:
    """The error code of a JSON error response (after checking it is one)."""
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    body = response.get_json()
    check_schema(body, "Error")
    return body["error"]["code"]


def assert_offsets_hold(client: FlaskClient, answer: dict[str, Any]) -> None:
    """Every citation's quote and every passage's text is the document's text at its offsets."""
    texts: dict[str, str] = {}
    for item in [*answer["citations"], *answer["passages"]]:
        if item["doc_id"] not in texts:
            texts[item["doc_id"]] = client.get(f"/api/documents/{item['doc_id']}").get_json()["text"]
    for citation in answer["citations"]:
        assert citation["quote"] == texts[citation["doc_id"]][citation["start"]:citation["end"]]
        assert citation["quote"] in answer["answer"]
        assert f"[{citation['n']}]" in answer["answer"]
        span = citation["answer_span"]  # the phrase that answers: inside the quote, at its own offsets
        if span is not None:
            assert span["text"] == texts[citation["doc_id"]][span["start"]:span["end"]]
            assert citation["start"] <= span["start"] < span["end"] <= citation["end"]
    for passage in answer["passages"]:
        assert passage["text"] == texts[passage["doc_id"]][passage["start"]:passage["end"]]


# --- answers ---------------------------------------------------------------------------------


def test_ask_cites_the_document_that_answers(client: FlaskClient, check_schema: Check) -> None:
    response = ask(client, {"question": SAFEGUARDING})
    assert response.status_code == 200
    body = response.get_json()
    check_schema(body, "Answer")
    assert body["abstained"] is False
    assert SAFEGUARDING_DOC in {c["doc_id"] for c in body["citations"]}
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
    assert_offsets_hold(client, body)


def test_ask_marks_the_phrase_that_answers(client: FlaskClient, check_schema: Check) -> None:
    body = ask(client, {"question": SAFEGUARDING}).get_json()
    check_schema(body, "Answer")
    spans = [c["answer_span"] for c in body["citations"]]
    assert [s["text"] for s in spans if s] == ["Shaun Kelly"]  # one span, on the line naming him
    assert spans.count(None) == len(spans) - 1  # every other citation has the field, null
    assert_offsets_hold(client, body)
    why = ask(client, {"question": "Why did the government reject the early intervention duty?"}).get_json()
    assert not why["abstained"] and all(c["answer_span"] is None for c in why["citations"])  # a reason: no phrase


def test_ask_abstains_when_the_documents_do_not_answer(client: FlaskClient, check_schema: Check) -> None:
    body = ask(client, {"question": OFF_TOPIC}).get_json()
    check_schema(body, "Answer")
    assert body["abstained"] is True
    assert body["citations"] == []
    assert body["answer"].strip() and "[1]" not in body["answer"]
    assert_offsets_hold(client, body)


def test_ask_takes_history_and_ignores_unknown_fields(client: FlaskClient, check_schema: Check) -> None:
    first = ask(client, {"question": SAFEGUARDING}).get_json()
    history = [{"question": SAFEGUARDING, "answer": first["answer"]}]
    response = ask(client, {"question": "What did he say?", "history": history, "client": "test", "ts": 1})
    assert response.status_code == 200
    body = response.get_json()
    check_schema(body, "Answer")
    assert_offsets_hold(client, body)


def test_ask_accepts_the_limits_exactly(collection: Settings, engine: Engine) -> None:
    limits = collection.with_overrides(max_question_chars=60, max_history_turns=2, max_body_bytes=2000)
    client = create_app(limits, engine).test_client()
    question = "Who leads safeguarding at Action for Children?".ljust(60, "?")
    turns = [{"question": question, "answer": "x"}] * 2
    assert ask(client, {"question": question, "history": turns}).status_code == 200
    assert ask(client, {"question": question + "?"}).status_code == 400
    assert ask(client, {"question": question, "history": turns * 2}).status_code == 400
    body = json.dumps({"question": question}).encode()
    exact = body + b" " * (2000 - len(body))
    assert client.post("/api/ask", data=exact, content_type="application/json").status_code == 200
    assert client.post("/api/ask", data=exact + b" ", content_type="application/json").status_code == 413


# --- documents, health, description -------------------------------------------------------


def test_documents_lists_every_document_without_text(client: FlaskClient, engine: Engine, check_schema: Check) -> None:
    body = client.get("/api/documents").get_json()
    assert [d["id"] for d in body] == sorted(engine.documents)
    for summary in body:
        check_schema(summary, "DocumentSummary")
        assert "text" not in summary


def test_document_returns_the_cleaned_text(client: FlaskClient, engine: Engine, check_schema: Check) -> None:
    body = client.get(f"/api/documents/{SAFEGUARDING_DOC}").get_json()
    check_schema(body, "Document")
    assert body["id"] == SAFEGUARDING_DOC
    assert body["text"] == engine.documents[SAFEGUARDING_DOC].text
    for section in body["sections"]:
        assert 0 <= section["start"] < section["end"] <= len(body["text"])


def test_unknown_document_is_a_json_404(client: FlaskClient, check_schema: Check) -> None:
    response = client.get("/api/documents/no-such-document")
    assert response.status_code == 404
    assert error_code(response, check_schema) == "unknown_document"


def test_health_and_readiness(client: FlaskClient, engine: Engine, check_schema: Check) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    check_schema(health.get_json(), "Health")
    ready = client.get("/readyz")
    assert ready.status_code == 200
    check_schema(ready.get_json(), "Ready")
    assert ready.get_json()["documents"] == len(engine.documents)


# --- bad input ---------------------------------------------------------------------------------

JSON = "application/json"
LONG = "x" * 1001  # over the default max_question_chars (1000)
TURN = {"question": "Who?", "answer": "Someone."}

BAD_REQUESTS = [
    # (id, data, content type, status, code)
    ("empty body", b"", JSON, 400, "empty_body"),
    ("blank body", b"  \n", JSON, 400, "empty_body"),
    ("not JSON", b"{question: 'x'}", JSON, 400, "invalid_json"),
    ("not UTF-8", b'{"question": "\xff\xfe"}', JSON, 400, "invalid_json"),
    ("deep nesting", b"[" * 50_000, JSON, 400, "invalid_json"),
    ("array", b'["Who?"]', JSON, 400, "not_an_object"),
    ("string", b'"Who?"', JSON, 400, "not_an_object"),
    ("null", b"null", JSON, 400, "not_an_object"),
    ("form post", b"question=Who", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ("text/plain", b'{"question": "Who?"}', "text/plain", 415, "unsupported_media_type"),
    ("no content type", b'{"question": "Who?"}', None, 415, "unsupported_media_type"),
    ("missing question", {"history": []}, JSON, 400, "bad_question"),
    ("empty question", {"question": ""}, JSON, 400, "bad_question"),
    ("blank question", {"question": " \t\n "}, JSON, 400, "bad_question"),
    ("number question", {"question": 42}, JSON, 400, "bad_question"),
    ("null question", {"question": None}, JSON, 400, "bad_question"),
    ("list question", {"question": ["Who?"]}, JSON, 400, "bad_question"),
    ("long question", {"question": LONG}, JSON, 400, "bad_question"),
    ("lone surrogate", b'{"question": "Who \\ud800?"}', JSON, 400, "bad_question"),
    ("history object", {"question": "Who?", "history": TURN}, JSON, 400, "bad_history"),
    ("history string", {"question": "Who?", "history": "Who?"}, JSON, 400, "bad_history"),
    ("history null", {"question": "Who?", "history": None}, JSON, 400, "bad_history"),
    ("history item string", {"question": "Who?", "history": ["Who?"]}, JSON, 400, "bad_history"),
    ("history item list", {"question": "Who?", "history": [["Who?", "Him."]]}, JSON, 400, "bad_history"),
    ("history no answer", {"question": "Who?", "history": [{"question": "Who?"}]}, JSON, 400, "bad_history"),
    ("history no question", {"question": "Who?", "history": [{"answer": "Him."}]}, JSON, 400, "bad_history"),
    ("history blank question", {"question": "Who?", "history": [{**TURN, "question": " "}]}, JSON, 400,
     "bad_history"),
    ("history number answer", {"question": "Who?", "history": [{**TURN, "answer": 3}]}, JSON, 400, "bad_history"),
    ("history long question", {"question": "Who?", "history": [{**TURN, "question": LONG}]}, JSON, 400,
     "bad_history"),
    ("history long answer", {"question": "Who?", "history": [{**TURN, "answer": "x" * 10_001}]}, JSON, 400,
     "bad_history"),
    ("history too many turns", {"question": "Who?", "history": [TURN] * 21}, JSON, 400, "bad_history"),
    ("body too large", {"question": "Who?", "padding": "x" * 70_000}, JSON, 413, "body_too_large"),
]


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [r[1:] for r in BAD_REQUESTS],
                         ids=[r[0] for r in BAD_REQUESTS])
def test_bad_ask_is_a_json_4xx(
    client: FlaskClient, check_schema: Check, data: Any, content_type: str | None, status: int, code: str
) -> None:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/api/ask", data=raw, headers=headers)
    assert response.status_code == status
    assert error_code(response, check_schema) == code
    assert response.get_json()["error"]["message"].strip()


def test_unknown_route_is_a_json_404(client: FlaskClient, check_schema: Check) -> None:
    for path in ("/nope", "/api/nope", "/api/ask/", "//api/ask"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_code(response, check_schema) == "not_found"


def test_wrong_method_is_a_json_405_with_allow(client: FlaskClient, check_schema: Check) -> None:
    response = client.get("/api/ask")
    assert response.status_code == 405
    assert error_code(response, check_schema) == "method_not_allowed"
    assert "POST" in response.headers["Allow"]
    assert client.delete("/api/documents").status_code == 405


def test_unexpected_error_is_a_logged_json_500(
    collection: Settings, engine: Engine, check_schema: Check, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(collection, engine)

    def boom() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/boom", "boom", boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert error_code(response, check_schema) == "internal_error"
    assert "a bug" not in response.get_data(as_text=True)
    assert any(r.levelname == "ERROR" and r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


# --- no input gives a 5xx or HTML ------------------------------------------------------------

# Text includes lone surrogates: JSON can carry them ("\ud800") and the tokenizer cannot take them.
texts = st.text(max_size=40) | st.lists(st.characters() | st.characters(categories=["Cs"]), max_size=20).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
questions = st.one_of(json_values, texts, st.sampled_from([SAFEGUARDING, OFF_TOPIC, "", " ", "?"]))
turns = st.one_of(json_values, st.fixed_dictionaries({"question": questions, "answer": json_values}))
ask_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"question": questions}, optional={"history": st.one_of(json_values, st.lists(turns))}),
)
content_types = st.one_of(
    st.none(),
    st.sampled_from([JSON, "application/json; charset=utf-8", "application/problem+json", "text/plain",
                     "application/x-www-form-urlencoded", "multipart/form-data", "text/html"]),
    st.text(max_size=30),
)


def assert_json_not_5xx(response: TestResponse) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert ("error" in body) == (response.status_code >= 400)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=ask_bodies)
def test_any_json_body_gets_json_and_no_5xx(app: Flask, body: Any) -> None:
    data = json.dumps(body)  # ASCII-escaped, so lone surrogates travel as "\ud800" like from a browser
    assert_json_not_5xx(app.test_client().post("/api/ask", data=data, content_type=JSON))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=200), ask_bodies.map(lambda b: json.dumps(b).encode())),
       content_type=content_types)
def test_any_bytes_and_content_type_get_json_and_no_5xx(app: Flask, data: bytes, content_type: str | None) -> None:
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type.replace("\r", " ").replace("\n", " ")
    assert_json_not_5xx(app.test_client().post("/api/ask", data=data, headers=headers))


# --- CORS --------------------------------------------------------------------------------------

ALLOWED = "https://allowed.example"
OTHER = "https://evil.example"


@pytest.fixture(scope="module")
def cors_client(collection: Settings, engine: Engine) -> FlaskClient:
    return create_app(collection.with_overrides(cors_origins=(ALLOWED,)), engine).test_client()


def test_cors_allows_only_the_configured_origins(cors_client: FlaskClient) -> None:
    allowed = cors_client.post("/api/ask", json={"question": SAFEGUARDING}, headers={"Origin": ALLOWED})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in allowed.headers["Vary"]
    other = cors_client.post("/api/ask", json={"question": SAFEGUARDING}, headers={"Origin": OTHER})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]
    error = cors_client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED})
    assert error.status_code == 400
    assert error.headers["Access-Control-Allow-Origin"] == ALLOWED  # a browser client can read the message


def test_cors_preflight(cors_client: FlaskClient) -> None:
    request = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = cors_client.options("/api/ask", headers={"Origin": ALLOWED, **request})
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in allowed.headers["Access-Control-Allow-Headers"]
    assert not allowed.get_data()
    other = cors_client.options("/api/ask", headers={"Origin": OTHER, **request})
    assert other.status_code < 400
    assert not any(h.startswith("Access-Control-Allow") for h, _ in other.headers.items())


def test_cors_is_off_by_default(client: FlaskClient) -> None:
    response = client.post("/api/ask", json={"question": SAFEGUARDING}, headers={"Origin": ALLOWED})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


# --- access log --------------------------------------------------------------------------------


def test_one_json_access_line_per_request(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    from qa_service.logs import JsonFormatter

    caplog.set_level("INFO", logger="qa_service.access")
    client.get("/api/documents/no-such-document")
    client.post("/api/ask", json={"question": SAFEGUARDING})
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "qa_service.access"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/api/documents/no-such-document", 404),
        ("POST", "/api/ask", 200),
    ]
    for line in lines:
        assert line["latency_ms"] >= 0
        assert line["remote"] == "127.0.0.1"
        assert line["level"] == "INFO"
    assert lines[1]["latency_ms"] > lines[0]["latency_ms"]  # answering takes longer than a lookup
