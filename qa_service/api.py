"""/api/*: the answer contract over HTTP (see ../shared/DESIGN.md) and the documents it cites.

Views stay thin: read and check the request, call the one engine, serialize with
`qa_service.serialize`. Anything wrong with the request becomes a 4xx JSON error before the
engine runs (see http_errors).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file, url_for

from .ask_request import parse_ask_request
from .collection import original_file
from .http_errors import RequestError
from .live import current_engine
from .models import Document
from .serialize import answer_to_json, document_summary, document_to_json

bp = Blueprint("api", __name__, url_prefix="/api")

ORIGINAL_TYPES = {".pdf": "application/pdf",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
JSON_TYPE_NAMES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}


def read_json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a RequestError saying how to send one.

    Flask's MAX_CONTENT_LENGTH turns a body over QA_MAX_BODY_BYTES into 413 while it is read.
    """
    if not request.is_json:
        raise RequestError(
            "unsupported_media_type",
            f"Send the body as JSON with Content-Type: application/json (got {request.mimetype or 'none'}).",
            415,
        )
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise RequestError("empty_body", 'The body is empty; send a JSON object such as {"question": "..."}.')
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise RequestError("invalid_json", f"The body is not valid UTF-8 JSON ({exc.__class__.__name__}).") from exc
    if not isinstance(payload, dict):
        raise RequestError(
            "not_an_object",
            f'The body must be a JSON object such as {{"question": "..."}}, '
            f"not {JSON_TYPE_NAMES.get(type(payload), 'null')}.",
        )
    return payload


@bp.post("/ask")
def ask() -> Response:
    """Answer a question, with quoted sentences and their citations, or abstain."""
    asked = parse_ask_request(read_json_object(), current_app.config["SETTINGS"])
    answer = current_engine().ask(asked.question, asked.history)
    return jsonify(answer_to_json(answer))


def original_url(doc_id: str) -> str | None:
    """Where the PDF or Word file a document was read from is served, when it is kept."""
    if original_file(current_app.config["SETTINGS"].docs_dir, doc_id) is None:
        return None
    return url_for("api.original", doc_id=doc_id)


def _indexed(doc_id: str) -> Document:
    found = current_engine().documents.get(doc_id)
    if found is None:
        message = f"No document has the id {doc_id!r}; GET /api/documents lists them."
        raise RequestError("unknown_document", message, 404)
    return found


@bp.get("/documents")
def documents() -> Response:
    """Every document's metadata and stories, in id order, without the text."""
    docs = current_engine().documents
    return jsonify([document_summary(docs[doc_id], original_url(doc_id)) for doc_id in sorted(docs)])


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    """One document with the cleaned text that citation offsets index into."""
    return jsonify(document_to_json(_indexed(doc_id), original_url(doc_id)))


@bp.get("/documents/<doc_id>/original")
def original(doc_id: str) -> Response:
    """The PDF or Word file a document was read from; a PDF opens at a page with #page=N."""
    _indexed(doc_id)
    path = original_file(current_app.config["SETTINGS"].docs_dir, doc_id)
    if path is None:
        raise RequestError("no_original", f"The document {doc_id!r} was not read from a PDF or Word file; "
                                          f"GET /api/documents/{doc_id} has its text.", 404)
    return send_file(path, mimetype=ORIGINAL_TYPES[path.suffix], download_name=path.name, conditional=True)
