"""GET /widget.js, /widget.css, /demo.css (the styles of the service's own pages) and the demo page at GET /.

The demo page embeds the widget with the same one tag a site owner would use, so what it
shows is what they get. Like every page of the service it is served under a
Content-Security-Policy of 'self' only (see security_headers): the widget must work without
inline scripts or styles and without any third-party resource, and a document that smuggles
markup into an answer could not run it here even if the widget slipped.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request, send_from_directory, url_for

from ..errors import IndexUnavailable
from ..live import current_engine
from ..serialize import document_summary

bp = Blueprint("widget", __name__, template_folder="templates")

STATIC = Path(__file__).resolve().parent / "static"
ASSET_MAX_AGE = 300  # seconds: sites pick up a new widget within minutes, browsers don't refetch per page
DEMO_TITLE = "Ask the documents"
DEMO_GREETING = (
    "Ask me about the documents in this collection. I answer only with sentences quoted from them, "
    "and each quote links to its source."
)


def _asset(name: str, mimetype: str) -> Response:
    """A static file, cacheable for a few minutes and loadable from any site that embeds the widget."""
    response = send_from_directory(STATIC, name, mimetype=mimetype, max_age=ASSET_MAX_AGE)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def page_response(html: str, status: int = 200) -> Response:
    """One of the service's own HTML pages (security_headers adds their self-only CSP)."""
    return Response(html, status=status, mimetype="text/html")


@bp.get("/widget.js")
def script() -> Response:
    """The widget itself; it finds its server from its own src, so one file serves every site."""
    return _asset("widget.js", "text/javascript")


@bp.get("/widget.css")
def stylesheet() -> Response:
    """The widget's styles, loaded into its shadow root (never into the host page)."""
    return _asset("widget.css", "text/css")


@bp.get("/demo.css")
def demo_stylesheet() -> Response:
    """Styles of the service's own pages (the demo page and the source page), never of the widget."""
    return _asset("demo.css", "text/css")


@bp.get("/")
def demo() -> Response:
    """A page about the collection that embeds the widget; it renders even before an index exists."""
    try:
        documents = [document_summary(doc) for _, doc in sorted(current_engine().documents.items())]
    except IndexUnavailable:
        documents = None
    script_url = url_for("widget.script", _external=True)
    snippet = f'<script src="{script_url}" defer data-title="{DEMO_TITLE}"></script>'
    html = render_template(
        "demo.html", documents=documents, snippet=snippet, title=DEMO_TITLE, greeting=DEMO_GREETING,
        host=request.host_url.rstrip("/"),
    )
    return page_response(html)
