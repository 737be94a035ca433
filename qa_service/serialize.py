"""The answer contract as JSON: the one place data classes become dicts for clients.

Field names and meanings are shared by the HTTP API, the widget, the Slack bot, the
evaluation CLI and outside clients (see ../shared/DESIGN.md); change them only additively.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .models import Answer, Document


def answer_to_json(answer: Answer) -> dict[str, Any]:
    """`POST /api/ask`'s response body."""
    return {
        "answer": answer.answer,
        "abstained": answer.abstained,
        "citations": [asdict(c) for c in answer.citations],
        "passages": [
            {
                "doc_id": p.passage.doc_id,
                "text": p.passage.text,
                "score": round(p.score, 4),
                "start": p.passage.start,
                "end": p.passage.end,
            }
            for p in answer.passages
        ],
        "confidence": answer.confidence,
        "ordered_by_date": answer.ordered_by_date,
        "query": answer.query,
        "timings_ms": answer.timings_ms,
    }


def document_summary(document: Document, original: str | None = None) -> dict[str, Any]:
    """A document's metadata and its stories, without the text; `original` is where the
    PDF or Word file it was read from can be fetched, when it is kept."""
    return {
        "id": document.doc_id,
        "title": document.title,
        "source": document.source,
        "date": document.date,
        "author": document.author,
        "url": document.url,
        "sections": [asdict(s) for s in document.sections],
        "pages": len(document.page_starts),
        "original": original,
    }


def document_to_json(document: Document, original: str | None = None) -> dict[str, Any]:
    """A document with the cleaned text that citation offsets index into, and where in it
    each printed page starts (a PDF's; empty for other documents)."""
    return {**document_summary(document, original), "text": document.text, "page_starts": list(document.page_starts)}
