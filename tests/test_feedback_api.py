"""POST /api/feedback: ratings are stored as sent, bad bodies are 4xx JSON errors that store nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_faults import CAUSES, FAULTS, broken

from qa_service import sqlite_store
from qa_service.app import create_app
from qa_service.config import Settings
from qa_service.engine import Engine
from qa_service.feedback import FeedbackStore
from qa_service.models import Turn

Check = Callable[[object, str], None]
ORIGIN = "https://site.example"
QUESTION = "Who is the head of safeguarding at Action for Children?"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "var" / "feedback.sqlite3"


@pytest.fixture
def feedback_app(collection: Settings, engine: Engine, db: Path) -> Flask:
    return create_app(collection.with_overrides(feedback_db=db, cors_origins=(ORIGIN,)), engine)


@pytest.fixture
def feedback_client(feedback_app: Flask) -> FlaskClient:
    return feedback_app.test_client()


def real_answer(client: FlaskClient) -> dict[str, Any]:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    return response.get_json()


def test_schema_is_created_when_the_app_starts(feedback_app: Flask, db: Path) -> None:
    assert db.is_file()  # before any rating: the folder and table exist
    assert FeedbackStore(db).items() == []


def test_a_rating_of_a_real_answer_is_stored_as_sent(feedback_client: FlaskClient, db: Path, check_schema: Check) -> None:
    answer = real_answer(feedback_client)
    body = {"rating": "down", "question": QUESTION, "answer": answer["answer"], "citations": answer["citations"],
            "client": "ignored", "extra": [1, 2]}
    response = feedback_client.post("/api/feedback", json=body)
    assert response.status_code == 201
    recorded = response.get_json()
    check_schema(recorded, "FeedbackRecorded")
    check_schema({k: v for k, v in body.items() if k in ("rating", "question", "answer", "citations")},
                 "FeedbackRequest")
    [stored] = FeedbackStore(db).items()
    assert stored.id == recorded["id"]
    assert (stored.client, stored.rating, stored.question, stored.answer) == ("widget", "down", QUESTION,
                                                                              answer["answer"])
    assert list(stored.citations) == answer["citations"]
    assert stored.created_at  # stamped by the store


def test_unknown_citation_fields_are_dropped_and_citations_are_optional(feedback_client: FlaskClient, db: Path) -> None:
    cited = {"n": 1, "doc_id": "003_7bfe52c2e0f08c40", "start": 3, "end": 9, "quote": "abcdef", "html": "<b>x</b>"}
    assert feedback_client.post("/api/feedback", json={"rating": "up", "question": "Q?", "answer": "A. [1]",
                                                       "citations": [cited]}).status_code == 201
    assert feedback_client.post("/api/feedback", json={"rating": "up", "question": "Q?", "answer": ""}).status_code == 201
    first, second = FeedbackStore(db).items()
    assert first.citations == ({"n": 1, "doc_id": "003_7bfe52c2e0f08c40", "start": 3, "end": 9, "quote": "abcdef"},)
    assert second.citations == ()


def test_a_rating_of_a_follow_up_is_stored_with_its_history(
    feedback_client: FlaskClient, db: Path, check_schema: Check
) -> None:
    first = real_answer(feedback_client)
    history = [{"question": QUESTION, "answer": first["answer"]}]
    follow_up = "What did he say about social workers?"
    second = feedback_client.post("/api/ask", json={"question": follow_up, "history": history}).get_json()
    body = {"rating": "down", "question": follow_up, "answer": second["answer"], "citations": second["citations"],
            "history": history}
    check_schema(body, "FeedbackRequest")
    assert feedback_client.post("/api/feedback", json=body).status_code == 201
    [stored] = FeedbackStore(db).items()
    assert stored.history == (Turn(QUESTION, first["answer"]),)
    assert (stored.question, stored.answer) == (follow_up, second["answer"])


GOOD = {"rating": "up", "question": "Q?", "answer": "A.", "citations": []}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_store_that_cannot_be_used_leaves_questions_answered_and_says_so(
    collection: Settings, engine: Engine, db: Path, check_schema: Check, monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.3)  # a locked file is given up on quickly
    with broken(db, fault):
        client = create_app(collection.with_overrides(feedback_db=db), engine).test_client()  # starts
        assert client.post("/api/ask", json={"question": QUESTION}).get_json()["abstained"] is False
        assert client.get("/").status_code == 200
        assert client.get("/api/documents").status_code == 200
        for _ in range(2):
            rated = client.post("/api/feedback", json=GOOD)
            assert (rated.status_code, rated.mimetype) == (503, "application/json")
            check_schema(rated.get_json(), "Error")
            error = rated.get_json()["error"]
            assert error["code"] == "store_unavailable"
            assert str(db) in error["message"] and CAUSES[fault] in error["message"] and "Fix:" in error["message"]
        ready = client.get("/readyz")
        assert ready.status_code == 200
        check_schema(ready.get_json(), "Ready")
        assert ready.get_json()["degraded"] == [{"part": "feedback", "code": "store_unavailable",
                                                 "message": error["message"]}]
    monkeypatch.setattr(sqlite_store, "RETRY_SECONDS", 0)  # tried again on the next use
    assert client.post("/api/feedback", json=GOOD).status_code == 201  # repaired: the next rating is stored
    assert client.get("/readyz").get_json()["degraded"] == []
    assert len(FeedbackStore(db).items()) == 1


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"rating": "meh"}, "bad_feedback", '"rating"'),
        ({"rating": None}, "bad_feedback", '"rating"'),
        ({"question": ""}, "bad_question", "empty"),
        ({"question": 7}, "bad_question", "string"),
        ({"question": "x" * 1001}, "bad_question", "1000"),
        ({"answer": None}, "bad_feedback", '"answer"'),
        ({"answer": "x" * 10_001}, "bad_feedback", "10000"),
        ({"answer": "\ud800"}, "bad_feedback", "Unicode"),
        ({"citations": "[1]"}, "bad_feedback", "list"),
        ({"citations": [1]}, "bad_feedback", "citations[0]"),
        ({"citations": [{"n": 0, "doc_id": "a"}]}, "bad_feedback", "citations[0].n"),
        ({"citations": [{"n": True, "doc_id": "a"}]}, "bad_feedback", "citations[0].n"),
        ({"citations": [{"n": 1, "doc_id": ""}]}, "bad_feedback", "citations[0].doc_id"),
        ({"citations": [{"n": 1, "doc_id": "a", "start": -1}]}, "bad_feedback", "citations[0].start"),
        ({"citations": [{"n": 1, "doc_id": "a", "quote": 5}]}, "bad_feedback", "citations[0].quote"),
        ({"citations": [{"n": 1, "doc_id": "a", "page": 0}]}, "bad_feedback", "citations[0].page"),
        ({"citations": [{"n": 1, "doc_id": "a", "page": "12"}]}, "bad_feedback", "citations[0].page"),
        ({"citations": [{"n": 1, "doc_id": "a"}] * 51}, "bad_feedback", "51"),
        # history: the same checks and messages as /api/ask's
        ({"history": {"question": "Q?", "answer": "A."}}, "bad_history", '"history" must be a list'),
        ({"history": None}, "bad_history", '"history" must be a list'),
        ({"history": ["Q?"]}, "bad_history", "history[0]"),
        ({"history": [{"question": "", "answer": "A."}]}, "bad_history", "history[0].question"),
        ({"history": [{"question": "Q?"}]}, "bad_history", "history[0].answer"),
        ({"history": [{"question": "Q?", "answer": "\ud800"}]}, "bad_history", "Unicode"),
        ({"history": [{"question": "Q?", "answer": "A."}] * 21}, "bad_history", "21 turns"),
    ],
)
def test_bad_feedback_is_a_json_400_that_stores_nothing(
    feedback_client: FlaskClient, db: Path, check_schema: Check, change: dict[str, Any], code: str, words: str
) -> None:
    body = {**GOOD, **change}
    if change.get("answer", "") is None:
        del body["answer"]
    response = feedback_client.post("/api/feedback", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()
    check_schema(error, "Error")
    assert error["error"]["code"] == code
    assert words in error["error"]["message"]
    assert FeedbackStore(db).items() == []


def test_history_is_refused_exactly_as_ask_refuses_it(feedback_client: FlaskClient, db: Path) -> None:
    for history in ([{"question": "x" * 1001, "answer": ""}], [{"question": "Q?", "answer": 5}], "[]"):
        asked = feedback_client.post("/api/ask", json={"question": "Q?", "history": history})
        rated = feedback_client.post("/api/feedback", json={**GOOD, "history": history})
        assert asked.status_code == rated.status_code == 400
        assert asked.get_json() == rated.get_json()
    assert FeedbackStore(db).items() == []


def test_body_errors_and_limits_apply(feedback_client: FlaskClient, db: Path) -> None:
    cases = [
        (feedback_client.post("/api/feedback", data="rating=up"), 415, "unsupported_media_type"),
        (feedback_client.post("/api/feedback", data="", content_type="application/json"), 400, "empty_body"),
        (feedback_client.post("/api/feedback", data="{x", content_type="application/json"), 400, "invalid_json"),
        (feedback_client.post("/api/feedback", json=[GOOD]), 400, "not_an_object"),
        (feedback_client.post("/api/feedback", json={**GOOD, "answer": "x" * 70_000}), 413, "body_too_large"),
        (feedback_client.get("/api/feedback"), 405, "method_not_allowed"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)
    assert FeedbackStore(db).items() == []


def test_cors_covers_feedback(feedback_client: FlaskClient, client: FlaskClient) -> None:
    preflight = feedback_client.options("/api/feedback", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    posted = feedback_client.post("/api/feedback", json=GOOD, headers={"Origin": ORIGIN})
    assert posted.headers["Access-Control-Allow-Origin"] == ORIGIN
    elsewhere = feedback_client.post("/api/feedback", json=GOOD, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in elsewhere.headers
    assert "Access-Control-Allow-Origin" not in client.options(
        "/api/feedback", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}).headers


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
citation_bodies = st.fixed_dictionaries(
    {}, optional={"n": json_values, "doc_id": json_values, "start": json_values, "quote": json_values}
)
turn_bodies = st.fixed_dictionaries({}, optional={"question": json_values, "answer": json_values})
feedback_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"rating": st.one_of(st.sampled_from(["up", "down"]), json_values)},
        optional={"question": st.one_of(st.text(max_size=30), json_values), "answer": json_values,
                  "citations": st.one_of(json_values, st.lists(citation_bodies, max_size=3)),
                  "history": st.one_of(json_values, st.lists(turn_bodies, max_size=3))},
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=feedback_bodies)
def test_any_json_body_gets_json_and_no_5xx(feedback_client: FlaskClient, body: Any) -> None:
    response = feedback_client.post("/api/feedback", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 400), response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    assert ("error" in response.get_json()) == (response.status_code == 400)
