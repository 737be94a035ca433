"""The widget's routes without a browser: the demo page, its headers, and the files it serves.

What the widget does in a page is tested in a real Chromium (test_widget_browser.py); these
check what the server promises: one embed tag, a CSP of 'self' only, escaped document
metadata, and static files that cannot fetch anything from a third party or build HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from qa_service.app import create_app
from qa_service.config import Settings
from qa_service.engine import Engine
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index
from qa_service.widget.views import STATIC

HOSTILE_TITLE = 'Notice <img src=x onerror="window.__pwned=1">'


def test_demo_page_embeds_the_widget_with_one_tag_under_a_self_only_csp(client: FlaskClient, engine: Engine) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    sources = set(re.findall(r"(?:'[a-z-]+'|\S+://\S*|\*|data:|blob:)", csp))
    assert sources <= {"'self'", "'none'"}, csp  # no inline, eval, data: or other hosts
    html = response.get_data(as_text=True)
    tags = re.findall(r"<script\b[^>]*>", html)
    assert len(tags) == 1 and 'src="/widget.js"' in tags[0] and " defer" in tags[0]
    assert re.search(r"<script\b[^>]*>\s*</script>", html)  # no inline code
    assert "style=" not in html and "<style" not in html  # would be blocked by the CSP anyway
    for doc in engine.documents.values():
        assert doc.title in html
    assert "&lt;script src=&#34;http://localhost/widget.js&#34; defer" in html  # the snippet to copy


def test_demo_page_escapes_document_metadata(tmp_path: Path, scratch: Settings, embedder: Embedder) -> None:
    (scratch.docs_dir / "notice.txt").write_text(
        f'---\ntitle: \'{HOSTILE_TITLE}\'\nsource: "<script>alert(1)</script>"\ndate: ""\nauthor: ""\nurl: ""\n---\n'
        "The harbour notice was pinned to the gate.\n", encoding="utf-8")
    build_index(scratch.docs_dir, scratch.index_dir, embedder)
    html = create_app(scratch, Engine.load(scratch, embedder)).test_client().get("/").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "Notice &lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in html


def test_demo_page_renders_without_an_index(scratch: Settings) -> None:
    response = create_app(scratch).test_client().get("/")
    assert response.status_code == 200
    assert "build-index" in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "mimetype"), [("/widget.js", "text/javascript"), ("/widget.css", "text/css"),
                                                 ("/demo.css", "text/css")])
def test_static_files_are_served_as_they_are(client: FlaskClient, path: str, mimetype: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response.headers["Cache-Control"]
    assert response.get_data() == (STATIC / path.lstrip("/")).read_bytes()


def test_widget_builds_no_html_and_loads_nothing_from_elsewhere() -> None:
    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/", "", script, flags=re.DOTALL)  # the header comment shows an embed example
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "setAttribute(\"on", "DOMParser", "createContextualFragment"):
        assert sink not in code, sink
    urls = re.findall(r"https?://[^\s\"')]+", code)
    assert urls == ["http://www.w3.org/2000/svg"]  # the SVG namespace name, never fetched
    for name in ("widget.css", "demo.css"):
        css = (STATIC / name).read_text(encoding="utf-8")
        assert "url(" not in css and "@import" not in css and "//" not in css.replace("/*", "").replace("*/", "")


def test_widget_css_never_sizes_by_the_host_pages_root_font() -> None:
    assert not re.search(r"\d(\.\d+)?rem\b", (STATIC / "widget.css").read_text(encoding="utf-8"))
