"""GET /source/<doc_id>?start=N&end=M: one document on a page of its own, the cited span marked.

Slack cannot open a document beside an answer the way the widget does, so each source it
lists links here when QA_PUBLIC_URL says where the service is; the widget's source view
offers the same page in a new tab. The page is rendered on the server from the cleaned text
that citation offsets index into, with `text[start:end]` in a <mark id="quote">; for a PDF
only the page the span is printed on is shown, with a link to the file at that page
(`#page=N`, which browsers' PDF viewers open at). Links carry
the fragment #quote, so the browser itself scrolls to the span: the page needs no script,
and it is served under the service's self-only Content-Security-Policy (security_headers). Jinja escapes
everything taken from the document, so a document holding <script> shows it as text.

People open these links in a browser, so errors are small HTML pages with the service's
error code and a message: 404 for an unknown document, 400 for offsets that are not a span
of its text, 503 while no index is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, render_template, request, url_for

from ..api import original_url
from ..errors import IndexUnavailable
from ..live import current_engine
from ..models import Document
from .views import page_response

bp = Blueprint("source", __name__, template_folder="templates")

QUOTE_ID = "quote"  # the <mark>'s id, and the fragment of every link to a span
OFFSET = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would also take "١٢" or " 12"


class BadSpan(ValueError):
    """The start/end query parameters do not name a span of the document's text."""


def source_url(base_url: str, doc_id: str, start: int, end: int) -> str:
    """The page showing `doc_id` with characters start..end marked, under `base_url` (no trailing /)."""
    return f"{base_url}/source/{quote(doc_id, safe='')}?start={start}&end={end}#{QUOTE_ID}"


def parse_span(args: Mapping[str, str], length: int) -> tuple[int, int] | None:
    """The (start, end) to mark in a text of `length` characters, None for none, or BadSpan."""
    start, end = args.get("start"), args.get("end")
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise BadSpan('Give both "start" and "end" (character offsets into the text), or neither to read '
                      "the whole document.")
    if not (OFFSET.fullmatch(start) and OFFSET.fullmatch(end)):
        raise BadSpan('"start" and "end" must be whole numbers of characters, such as ?start=534&end=596.')
    first, last = int(start), int(end)
    if not first < last <= length:
        raise BadSpan(f"start={first}&end={last} is not a span of this document: it needs start < end <= "
                      f"{length}, the length of its text.")
    return first, last


def _web_link(url: str) -> str | None:
    """The document's original address, only when it is http(s) (never javascript: or data:)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[" : not an address a browser could open either
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _error_page(status: int, code: str, message: str) -> Response:
    return page_response(render_template("source_error.html", status=status, code=code, message=message), status)


def _shown(document: Document, span: tuple[int, int] | None) -> tuple[int, int, tuple[int, ...]]:
    """The part of the text to show and its printed pages: for a span of a PDF, the page(s)
    it is printed on, as the reader would find it in the file; else the whole text."""
    if span is None or not document.page_starts:
        return 0, len(document.text), ()
    first, last = document.page_at(span[0]) or 1, document.page_at(span[1] - 1) or 1
    return document.page_span(first)[0], document.page_span(last)[1], tuple(range(first, last + 1))


def _page(document: Document, span: tuple[int, int] | None) -> Response:
    text = document.text
    shown_start, shown_end, pages = _shown(document, span)
    start, end = span or (shown_end, shown_end)  # no span: all of the text is `before`, nothing marked
    section = document.section_at(start) if span else None
    original = original_url(document.doc_id)
    html = render_template(
        "source.html",
        document=document,
        meta=" · ".join(p for p in (document.source, document.date, document.author and f"by {document.author}") if p),
        link=_web_link(document.url),
        section=section.title if section and section.title != document.title else "",
        span=span,
        pages=pages,
        page_count=len(document.page_starts),
        original=original,
        original_at_page=f"{original}#page={pages[0]}" if original and pages else original,
        whole=url_for("source.source", doc_id=document.doc_id),
        before=text[shown_start:start],
        marked=text[start:end],
        after=text[end:shown_end],
        quote_id=QUOTE_ID,
    )
    return page_response(html)


@bp.get("/source/<doc_id>")
def source(doc_id: str) -> Response:
    """The document with the span `start`..`end` marked (both optional, together)."""
    try:
        document = current_engine().documents.get(doc_id)
    except IndexUnavailable as exc:
        return _error_page(503, exc.code, str(exc))
    if document is None:
        return _error_page(404, "unknown_document", f"No document has the id {doc_id!r}; the link may be from "
                                                    "before the collection changed.")
    try:
        span = parse_span(request.args, len(document.text))
    except BadSpan as exc:
        return _error_page(400, "bad_span", str(exc))
    return _page(document, span)
