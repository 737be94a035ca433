"""POST /api/feedback: a thumbs up or down on an answer the widget showed, kept for review.

Thumbs-down answers become candidate gold items (`python -m evaluate feedback`), so a rating
is stored with the question, the answer text and the citations exactly as the client showed
them, and with the conversation history the question was asked with: the question and
`history` are read by /api/ask's own parser, so they are checked exactly as when asked.
The body is checked before anything is stored: a bad one is a 4xx JSON error (see
http_errors) and leaves the store unchanged; a good one while the SQLite file cannot be
used is a 503 store_unavailable (see sqlite_store). CORS comes from `cors` like every /api/* route.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify

from . import health
from .api import read_json_object
from .ask_request import ANSWER_CHARS_PER_QUESTION_CHAR, parse_ask_request
from .config import Settings
from .feedback import RATINGS, Feedback, FeedbackStore
from .http_errors import RequestError
from .text import is_text

bp = Blueprint("feedback", __name__, url_prefix="/api")

EXTENSION = "qa_service.feedback_api"
CLIENT = "widget"  # the one browser client; Slack records its ratings in-process, not over HTTP
MAX_CITATIONS = 50  # an answer quotes 1-3 sentences; anything near this is not an answer we gave
CITATION_FIELDS = ("n", "doc_id", "title", "source", "date", "section", "quote", "start", "end")  # the contract's order
CITATION_INT_FIELDS = ("n", "start", "end")


def _bad(message: str) -> RequestError:
    return RequestError("bad_feedback", message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_text(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _bad(f'"{where}" must be a string.')
    if len(value) > limit:
        raise _bad(f'"{where}" is longer than {limit} characters.')
    if not is_text(value):
        raise _bad(f'"{where}" holds characters that are not valid Unicode text.')
    return value


def _check_citation(index: int, item: Any, limit: int) -> dict[str, Any]:
    """The citation's known fields; unknown ones are dropped so the store holds the contract only."""
    where = f"citations[{index}]"
    if not isinstance(item, dict):
        raise _bad(f'{where} must be an object like the citations of /api/ask ({{"n": 1, "doc_id": "..."}}).')
    if not _is_int(item.get("n")) or item["n"] < 1:
        raise _bad(f"{where}.n must be a positive integer.")
    if not isinstance(item.get("doc_id"), str) or not item["doc_id"].strip():
        raise _bad(f"{where}.doc_id must be a non-empty string.")
    citation: dict[str, Any] = {}
    for name in (f for f in CITATION_FIELDS if f in item):
        if name not in CITATION_INT_FIELDS:
            citation[name] = _check_text(item[name], f"{where}.{name}", limit)
        elif not _is_int(item[name]) or item[name] < 0:
            raise _bad(f"{where}.{name} must be a non-negative integer.")
        else:
            citation[name] = item[name]
    if "page" in item:  # the printed page shown, or null
        if item["page"] is not None and (not _is_int(item["page"]) or item["page"] < 1):
            raise _bad(f"{where}.page must be a positive integer or null.")
        citation["page"] = item["page"]
    if "answer_span" in item:  # the phrase the client marked, or null
        citation["answer_span"] = _check_answer_span(item["answer_span"], f"{where}.answer_span", limit)
    return citation


def _check_answer_span(span: Any, where: str, limit: int) -> dict[str, Any] | None:
    if span is None:
        return None
    if not isinstance(span, dict) or not all(_is_int(span.get(k)) and span[k] >= 0 for k in ("start", "end")):
        raise _bad(f'{where} must be null or {{"start": int, "end": int, "text": str}} as /api/ask returns it.')
    return {"start": span["start"], "end": span["end"], "text": _check_text(span.get("text"), f"{where}.text", limit)}


def parse_feedback(payload: Mapping[str, Any], settings: Settings) -> Feedback:
    """A Feedback from a decoded JSON object, or a RequestError / InvalidQuestion saying what to fix.

    The question and the optional `history` go through /api/ask's parser (codes bad_question
    and bad_history); everything else is bad_feedback. Unknown fields are ignored, as /api/ask
    does.
    """
    rating = payload.get("rating")
    if rating not in RATINGS:
        raise _bad('"rating" must be "up" or "down".')
    asked = parse_ask_request(payload, settings)
    answer_limit = settings.max_question_chars * ANSWER_CHARS_PER_QUESTION_CHAR
    if "answer" not in payload:
        raise _bad('"answer" is required: the answer text as /api/ask returned it.')
    answer = _check_text(payload["answer"], "answer", answer_limit)
    citations = payload.get("citations", [])
    if not isinstance(citations, list):
        raise _bad('"citations" must be a list: the citations of the answer, as /api/ask returned them.')
    if len(citations) > MAX_CITATIONS:
        raise _bad(f'"citations" has {len(citations)} items; an answer has at most {MAX_CITATIONS}.')
    checked = tuple(_check_citation(i, c, answer_limit) for i, c in enumerate(citations))
    return Feedback(client=CLIENT, rating=rating, question=asked.question, answer=answer, citations=checked,
                    history=asked.history)


def init_app(app: Flask, settings: Settings) -> None:
    """Open the feedback store (creating its schema) when the app starts, not on the first rating.

    A file that cannot be used does not stop the app: /readyz lists it, and each rating is a
    503 store_unavailable naming the file and the fix until it can be used again.
    """
    store = FeedbackStore(settings.feedback_db, settings.retention_days)
    app.extensions[EXTENSION] = store
    health.watch(app, "feedback", store.file.problem)


@bp.post("/feedback")
def feedback() -> tuple[Response, int]:
    """Store one rating; 201 with the stored id."""
    item = parse_feedback(read_json_object(), current_app.config["SETTINGS"])
    stored = current_app.extensions[EXTENSION].record(item)
    return jsonify({"id": stored, "status": "recorded"}), 201
