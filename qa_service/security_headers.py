"""Headers on every response, so that browsers take what the service sends for what it says it is.

- `X-Content-Type-Options: nosniff` everywhere: a document's text served as JSON or a kept
  file is never run as a script or a page because it happens to look like one.
- `Referrer-Policy: same-origin`: a link out of a source page (a document's own URL) does not
  tell the other site which document and span someone was reading.
- `Content-Security-Policy` on the service's own HTML pages (the demo page, the source page
  and its error pages): their scripts, styles and requests may come from this origin only,
  nothing inline, no plugins, and only this origin may frame them. The chat widget works
  under it because it is one script file that loads one stylesheet (see widget/). The policy
  is not sent with widget.js and widget.css: a policy governs the page it arrives with, and
  the widget runs inside the host site's page, under that site's own policy, so sites keep
  embedding it with one tag. No X-Frame-Options either: frame-ancestors says it for the pages.
"""

from __future__ import annotations

from flask import Flask, Response

PAGE_POLICY = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'; object-src 'none'"
EVERY_RESPONSE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def add_security_headers(response: Response) -> Response:
    """The headers above; a route that sets one itself keeps its own."""
    for name, value in EVERY_RESPONSE.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response, error responses included."""
    app.after_request(add_security_headers)
