"""GET /openapi.json: an OpenAPI 3.1 description of every route, built from the live settings.

Limits in the schemas (question length, history turns) come from the same Settings the
request checks use, so the description cannot drift from what the service accepts. The
tests validate real responses against these schemas and fail when a route is undescribed.
Object schemas leave `additionalProperties` open because the contract lets responses grow.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from .api import ORIGINAL_TYPES
from .ask_request import ANSWER_CHARS_PER_QUESTION_CHAR
from .config import Settings
from .feedback_api import MAX_CITATIONS

API_VERSION = "1.0.0"

bp = Blueprint("openapi", __name__)

STRING = {"type": "string"}
ADMIN = [{"admin": []}]  # the bearer token of the routes that change documents
OFFSET = {"type": "integer", "minimum": 0}


def _in_path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": STRING}


DOC_ID = [_in_path("doc_id")]
BINARY = {"type": "string", "format": "binary"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], description: str, required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _content(media_type: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {media_type: {"schema": STRING}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _file(summary: str, operation_id: str, media_type: str, description: str) -> dict[str, Any]:
    """A GET route that serves one page or file (not JSON) and cannot fail."""
    return {"get": {
        "summary": summary,
        "operationId": operation_id,
        "responses": {"200": _content(media_type, description)},
    }}


def schemas(settings: Settings) -> dict[str, Any]:
    """The component schemas: request and response bodies as clients see them."""
    summary = {
        "id": {**STRING, "description": "Document id, as cited by `citations[].doc_id`."},
        "title": STRING,
        "source": {**STRING, "description": "Publisher or site."},
        "date": {**STRING, "description": 'ISO date, possibly partial ("2011", "2011-07"); "" when unknown.'},
        "author": STRING,
        "url": STRING,
        "sections": {"type": "array", "items": _ref("Section")},
        "pages": {"type": "integer", "minimum": 0, "description": "Printed pages (a PDF's); 0 for other documents."},
        "original": {"type": ["string", "null"],
                     "description": "Path of the PDF or Word file the document was read from "
                                    "(GET /api/documents/{doc_id}/original; add #page=N for a page), or null."},
    }
    question = {"type": "string", "minLength": 1, "maxLength": settings.max_question_chars}
    history = {"type": "array", "maxItems": settings.max_history_turns, "items": _ref("Turn")}
    return {
        "AskRequest": _obj(
            {
                "question": {**question, "description": "Not blank."},
                "history": {**history,
                            "description": "Earlier turns of the conversation, oldest first; used for follow-ups."},
            },
            "A question, with the conversation so far. Unknown fields are ignored.",
            required=["question"],
        ),
        "Turn": _obj(
            {
                "question": question,
                "answer": {"type": "string",
                           "maxLength": settings.max_question_chars * ANSWER_CHARS_PER_QUESTION_CHAR},
            },
            "One earlier exchange.",
        ),
        "Answer": _obj(
            {
                "answer": {**STRING, "description": "Sentences quoted verbatim from the documents, each followed by "
                                                    "[n]; when abstained, a plain statement that the documents "
                                                    "do not answer."},
                "abstained": {"type": "boolean", "description": "True when the documents do not answer."},
                "citations": {"type": "array", "items": _ref("Citation")},
                "passages": {"type": "array", "items": _ref("Passage"),
                             "description": "The retrieved passages, best first (related reading when abstained)."},
                "confidence": {"type": "number"},
                "ordered_by_date": {"type": "boolean",
                                    "description": "True when the quoted sentences are ordered oldest first."},
                "query": {**STRING, "description": "The question as searched, after resolving follow-ups."},
                "timings_ms": {"type": "object", "additionalProperties": {"type": "number"}},
            },
            "The answer contract shared by every client.",
        ),
        "Citation": _obj(
            {
                "n": {"type": "integer", "minimum": 1, "description": "The [n] marker in `answer`."},
                "doc_id": STRING,
                "title": STRING,
                "source": STRING,
                "date": STRING,
                "section": {**STRING, "description": "The story inside the document that holds the quote."},
                "quote": {**STRING, "description": "Exactly `text[start:end]` of GET /api/documents/{doc_id}."},
                "start": OFFSET,
                "end": OFFSET,
                "answer_span": {
                    "oneOf": [_ref("AnswerSpan"), {"type": "null"}],
                    "description": "The phrase of the quote that answers (a date, a number, a name, a place), "
                                   "or null when no one phrase does or the answer's other citation holds it.",
                },
                "page": {"type": ["integer", "null"], "minimum": 1,
                         "description": "The printed page the quote starts on (PDF documents; 1 for the first "
                                        "page), or null for a document without pages."},
            },
            "Where one quoted sentence came from.",
        ),
        "AnswerSpan": _obj(
            {
                "start": OFFSET,
                "end": OFFSET,
                "text": {**STRING, "description": "Exactly `text[start:end]` of GET /api/documents/{doc_id}, "
                                                  "inside the citation's `start`..`end`."},
            },
            "The phrase of a quoted sentence that answers the question, marked by the widget and Slack.",
        ),
        "Passage": _obj(
            {"doc_id": STRING, "text": {**STRING, "description": "Exactly `text[start:end]` of the document."},
             "score": {"type": "number"}, "start": OFFSET, "end": OFFSET},
            "A retrieved passage, scored by its best sentence on the scale of `confidence` (higher is better).",
        ),
        "Section": _obj(
            {"title": STRING, "date": STRING, "start": OFFSET, "end": OFFSET},
            "A story inside a document (a tag-archive page holds several).",
        ),
        "DocumentSummary": _obj(summary, "A document's metadata and stories."),
        "Document": _obj(
            {**summary, "text": {**STRING, "description": "The cleaned text that all offsets index into."},
             "page_starts": {"type": "array", "items": OFFSET,
                             "description": "Offset in `text` where each printed page starts (page 1 first); "
                                            "empty for a document without pages."}},
            "A document with its cleaned text.",
        ),
        "FeedbackRequest": _obj(
            {
                "rating": {"enum": ["up", "down"]},
                "question": {**question, "description": "The question as asked (checked like /api/ask's)."},
                "answer": {"type": "string",
                           "maxLength": settings.max_question_chars * ANSWER_CHARS_PER_QUESTION_CHAR,
                           "description": "The answer text as /api/ask returned it."},
                "citations": {"type": "array", "maxItems": MAX_CITATIONS, "items": _ref("Citation"),
                              "description": "The answer's citations as returned; unknown fields are dropped."},
                "history": {**history, "description": "The history the question was asked with, as sent to "
                                                      "/api/ask (checked the same way): a reviewer needs the "
                                                      "earlier turns to judge a follow-up."},
            },
            "A rating of one answer. Unknown fields are ignored.",
            required=["rating", "question", "answer"],
        ),
        "FeedbackRecorded": _obj(
            {"id": {"type": "integer", "minimum": 1}, "status": {"const": "recorded"}},
            "The rating was stored.",
        ),
        "Build": _obj(
            {
                "id": STRING,
                "action": {"enum": ["add", "remove"]},
                "documents": {"type": "array", "items": STRING, "description": "The ids it adds or removes."},
                "state": {"enum": ["queued", "running", "done", "failed", "interrupted"],
                          "description": "interrupted: the process running it stopped; the change is undone and "
                                         "the index from before it serves."},
                "message": {**STRING, "description": "What the build made, or why it failed."},
                "embedded": {"type": "integer", "minimum": 0, "description": "Texts embedded so far."},
                "to_embed": {"type": "integer", "minimum": 0, "description": "Texts to embed in all."},
                "created_at": STRING,
                "finished_at": {**STRING, "description": '"" until it has finished.'},
                "url": {**STRING, "description": "Where to read this status again."},
            },
            "A background change of the collection: every worker serves the new index once it is done.",
        ),
        "BuildStarted": _obj(
            {"build": _ref("Build"),
             "documents": {"type": "array", "items": _obj(
                 {"id": STRING, "title": STRING, "file": STRING,
                  "encoding": {"type": ["string", "null"],
                               "description": "The text encoding the file was read in (utf-8, windows-1252, "
                                              "utf-16-le...; stored as UTF-8); null for a PDF or Word file."}},
                 "A document the upload adds, and the file it is read from.")}},
            "Accepted: the build runs in the background; its status is at `build.url` (and Location).",
            required=["build"],
        ),
        "Health": _obj({"status": {"const": "ok"}}, "The process is serving HTTP."),
        "Ready": _obj(
            {"status": {"const": "ready"}, "build": {"type": ["string", "null"], "description": "The build answering."},
             "documents": {"type": "integer", "minimum": 0},
             "degraded": {"type": "array", "items": _ref("Degraded"),
                          "description": "Parts that do not work now while questions are answered; empty when "
                                         "all do."}},
            "An index is loaded and questions can be answered.",
        ),
        "Degraded": _obj(
            {"part": {**STRING, "description": "What does not work, e.g. feedback (POST /api/feedback), slack "
                                               "(the Slack bot) or index (the current build cannot be loaded, "
                                               "so the older one named in `build` answers)."},
             "code": {**STRING, "description": "As the part's own errors say it, e.g. store_unavailable or "
                                               "older_build."},
             "message": {**STRING, "description": "Why, naming the file and the fix."}},
            "A part of the service that fails alone.",
        ),
        "Error": _obj(
            {"error": _obj({"code": {**STRING, "description": "Machine-readable, e.g. bad_question."},
                            "message": {**STRING, "description": "What to change, for a person."}},
                           "What went wrong.")},
            "Every 4xx/5xx response.",
        ),
    }


def openapi_spec(settings: Settings) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    unavailable = _error("No index is loaded (index_unavailable); the message names the fix.")
    rate_limited = {**_error(f"More than {settings.rate_limit} from this client (rate_limited); Retry-After says "
                             "when to send again." if settings.rate_limit else "Not sent: QA_RATE_LIMIT is off."),
                    "headers": {"Retry-After": {"description": "Seconds until a request is allowed again.",
                                                "schema": {"type": "integer", "minimum": 1}}}}
    store_unavailable = _error("The SQLite file QA_FEEDBACK_DB names cannot be used (store_unavailable); the "
                               "message names it, why and the fix. Questions are still answered.")
    admin_errors = {
        "401": _error("No or a wrong 'Authorization: Bearer <QA_ADMIN_TOKEN>' header (unauthorized)."),
        "403": _error("QA_ADMIN_TOKEN is not set on the server, so changing documents is off (uploads_off)."),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "qa-service",
            "version": API_VERSION,
            "description": "Extractive, cited question answering over a document collection.",
        },
        "paths": {
            "/api/ask": {"post": {
                "summary": "Answer a question with quoted, cited sentences, or abstain.",
                "operationId": "ask",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("AskRequest")}}},
                "responses": {
                    "200": _json(_ref("Answer"), "The answer."),
                    "400": _error("Bad body, question or history (empty_body, invalid_json, not_an_object, "
                                  "bad_question, bad_history)."),
                    "413": _error(f"Body over {settings.max_body_bytes} bytes (body_too_large)."),
                    "415": _error("Content-Type is not application/json (unsupported_media_type)."),
                    "429": rate_limited,
                    "503": unavailable,
                },
            }},
            "/api/documents": {"get": {
                "summary": "List the documents.",
                "operationId": "listDocuments",
                "responses": {
                    "200": _json({"type": "array", "items": _ref("DocumentSummary")}, "All documents, by id."),
                    "503": unavailable,
                },
            }, "post": {
                "summary": "Add documents (.txt, .md, .html, .pdf, .docx) and rebuild the index in the background.",
                "operationId": "addDocuments",
                "security": ADMIN,
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object",
                    "properties": {"file": {"type": "array", "items": BINARY}},
                }}}},
                "responses": {
                    "202": _json(_ref("BuildStarted"), "Every file is readable and new; the build has started."),
                    "400": _error("A file that cannot be added: unreadable, empty, scanned, password-protected, of "
                                  f"an unknown type, over {settings.max_document_bytes} bytes (QA_MAX_DOCUMENT_BYTES) "
                                  "(bad_document), or none sent (no_files). The message names it."),
                    **admin_errors,
                    "409": _error("A file whose text or id the collection has already (duplicate_document)."),
                    "413": _error(f"Body over {settings.max_upload_bytes} bytes (body_too_large)."),
                    "415": _error("Not multipart/form-data (unsupported_media_type)."),
                },
            }},
            "/api/documents/{doc_id}": {"get": {
                "summary": "One document with the cleaned text that citations point into.",
                "operationId": "getDocument",
                "parameters": DOC_ID,
                "responses": {
                    "200": _json(_ref("Document"), "The document."),
                    "404": _error("No document has this id (unknown_document)."),
                    "503": unavailable,
                },
            }, "delete": {
                "summary": "Remove a document (and its kept file) and rebuild the index in the background.",
                "operationId": "removeDocument",
                "security": ADMIN,
                "parameters": DOC_ID,
                "responses": {
                    "202": _json(_ref("BuildStarted"), "The build has started."),
                    **admin_errors,
                    "404": _error("No document has this id (unknown_document)."),
                    "409": _error("It is the last document; the index needs one (collection_conflict)."),
                },
            }},
            "/api/documents/{doc_id}/original": {"get": {
                "summary": "The PDF or Word file a document was read from (a PDF opens at page N with #page=N).",
                "operationId": "getOriginal",
                "parameters": DOC_ID,
                "responses": {
                    "200": {"description": "The file.",
                            "content": {media: {"schema": BINARY} for media in ORIGINAL_TYPES.values()}},
                    "404": _error("No document has this id (unknown_document), or it was not read from a file "
                                  "that is kept (no_original)."),
                    "503": unavailable,
                },
            }},
            "/api/builds/{build_id}": {"get": {
                "summary": "How far a build started by an upload or a removal has got.",
                "operationId": "getBuild",
                "security": ADMIN,
                "parameters": [_in_path("build_id")],
                "responses": {
                    "200": _json(_ref("Build"), "The build's status."),
                    **admin_errors,
                    "404": _error("No build has this id (unknown_build)."),
                },
            }},
            "/api/feedback": {"post": {
                "summary": "Rate an answer thumbs up or down; thumbs-down answers are reviewed as gold candidates.",
                "operationId": "feedback",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("FeedbackRequest")}}},
                "responses": {
                    "201": _json(_ref("FeedbackRecorded"), "Stored."),
                    "400": _error("Bad body or fields (empty_body, invalid_json, not_an_object, bad_question, "
                                  "bad_history, bad_feedback)."),
                    "413": _error(f"Body over {settings.max_body_bytes} bytes (body_too_large)."),
                    "415": _error("Content-Type is not application/json (unsupported_media_type)."),
                    "429": rate_limited,
                    "503": store_unavailable,
                },
            }},
            "/": _file("Demo page about the collection, embedding the chat widget (HTML, CSP 'self').",
                       "demoPage", "text/html", "The demo page."),
            "/widget.js": _file("The embeddable chat widget: <script src=\"https://HOST/widget.js\" defer></script>.",
                                "widgetScript", "text/javascript", "The widget script."),
            "/widget.css": _file("The widget's styles, loaded by widget.js into its shadow root.",
                                 "widgetStyles", "text/css", "The widget stylesheet."),
            "/demo.css": _file("Styles of the service's own pages (the demo page and the source page).",
                               "demoStyles", "text/css", "The pages' stylesheet."),
            "/source/{doc_id}": {"get": {
                "summary": "A page showing one document's cleaned text with the span start..end marked "
                           "(<mark id=\"quote\">; link with #quote to scroll to it). HTML for people, CSP 'self'; "
                           "Slack's citations link here when QA_PUBLIC_URL is set.",
                "operationId": "sourcePage",
                "parameters": [
                    _in_path("doc_id"),
                    {"name": "start", "in": "query", "required": False, "schema": OFFSET,
                     "description": "First character of the span (with `end`; both or neither)."},
                    {"name": "end", "in": "query", "required": False, "schema": OFFSET,
                     "description": "One past the last character of the span: the citation's `end`."},
                ],
                "responses": {
                    "200": _content("text/html", "The document, the span marked."),
                    "400": _content("text/html", "Offsets that are not a span of the text (bad_span)."),
                    "404": _content("text/html", "No document has this id (unknown_document)."),
                    "503": _content("text/html", "No index is loaded (index_unavailable)."),
                },
            }},
            "/healthz": {"get": {
                "summary": "Liveness.",
                "operationId": "health",
                "responses": {"200": _json(_ref("Health"), "The process is up.")},
            }},
            "/readyz": {"get": {
                "summary": "Readiness: an index is loaded (parts that fail alone are listed in `degraded`).",
                "operationId": "ready",
                "responses": {"200": _json(_ref("Ready"), "Ready to answer."), "503": unavailable},
            }},
            "/slack/events": {"post": {
                "summary": "Slack's requests to the bot (Events API, the /ask command, button clicks), "
                           "signed by Slack; see README, Slack bot.",
                "operationId": "slackEvents",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                }},
                "responses": {
                    "200": {"description": "Acknowledged (the answer is posted to Slack afterwards); "
                                           "url_verification gets its challenge back."},
                    "401": _error("Bad signature, or a timestamp over five minutes old (invalid_signature)."),
                    "503": _error("The bot is off: SLACK_BOT_TOKEN or SLACK_SIGNING_SECRET is not set "
                                  "(slack_not_configured); or its SQLite file cannot be used "
                                  "(store_unavailable), so Slack sends the event again later."),
                },
            }},
            "/openapi.json": {"get": {
                "summary": "This description.",
                "operationId": "openapi",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 document.")},
            }},
        },
        "components": {"schemas": schemas(settings), "securitySchemes": {
            "admin": {"type": "http", "scheme": "bearer", "description": "QA_ADMIN_TOKEN."}}},
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The description for the settings this process runs with."""
    return jsonify(openapi_spec(current_app.config["SETTINGS"]))
