"""GET /source/<doc_id>: a document's cleaned text with a cited span marked, on a page of its own.

Through the real app over the real index: the page for a real citation marks exactly its
quote, bad offsets and unknown documents get HTML error pages with a 4xx (never a 500), and
a document full of markup is shown as text. The scrolling itself is checked in a real
browser (test_widget_browser.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import lxml.html
import pytest
import requests
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from qa_service.app import create_app
from qa_service.config import Settings
from qa_service.engine import Engine
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index
from qa_service.security_headers import PAGE_POLICY
from qa_service.widget.source import source_url

if TYPE_CHECKING:
    from conftest import LiveServer

SAFEGUARDING = "Who is the head of safeguarding at Action for Children?"
DEEP_QUOTE = "What did the government decide about the early intervention duty?"
MULTI_STORY_DOC = "004_9915dc2b03620208"  # a tag-archive page: three stories
HOSTILE = """---
title: 'Harbour <script>window.__pwned=1</script> notice'
source: "<img src=x onerror=alert(1)> Gazette"
date: "2011-06-01"
author: "<b>Keeper</b> & Sons"
url: "javascript:alert(1)"
---
Harbour notice

The notice read <script>window.__pwned=1</script> and the gate code is 4417.
"""


def page_of(response: TestResponse) -> lxml.html.HtmlElement:
    """The HTML page, after checking it is one of ours: text/html under the self-only CSP."""
    assert response.mimetype == "text/html", response.get_data(as_text=True)[:200]
    assert response.headers["Content-Security-Policy"] == PAGE_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return lxml.html.fromstring(response.get_data(as_text=True))


def find(page: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """Elements by tag ("mark") or by class (".note"), in document order."""
    if selector.startswith("."):
        return page.xpath(f'//*[contains(concat(" ", normalize-space(@class), " "), " {selector[1:]} ")]')
    return page.xpath(f"//{selector}")


def path_of(url: str) -> str:
    """What a browser requests for a link built on http://localhost (the fragment stays in the browser)."""
    return url.removeprefix("http://localhost").split("#")[0]


def test_a_citations_page_marks_exactly_its_quote(client: FlaskClient, engine: Engine) -> None:
    answer = engine.ask(DEEP_QUOTE)
    assert not answer.abstained
    for citation in answer.citations:
        response = client.get(path_of(source_url("http://localhost", citation.doc_id, citation.start, citation.end)))
        assert response.status_code == 200
        page = page_of(response)
        document = engine.documents[citation.doc_id]
        [mark] = find(page, "mark")
        assert mark.get("id") == "quote" and mark.text_content() == citation.quote
        [text] = find(page, ".document-text")
        assert text.text_content() == document.text  # all of it, verbatim, around the mark
        assert find(page, "h1")[0].text_content() == document.title
        assert document.source in find(page, ".source-meta")[0].text_content()
        assert find(page, "script") == []  # the browser scrolls to #quote by itself
        assert f"{citation.start}–{citation.end}" in find(page, ".source-span")[0].text_content()


def test_the_story_holding_the_span_is_named(client: FlaskClient, engine: Engine) -> None:
    document = engine.documents[MULTI_STORY_DOC]
    story = document.sections[-1]
    start = story.end - 20
    page = page_of(client.get(f"/source/{MULTI_STORY_DOC}?start={start}&end={story.end}"))
    assert find(page, ".source-section")[0].text_content() == f"Story: {story.title}"
    assert find(page, "mark")[0].text_content() == document.text[start:story.end]


def test_without_a_span_the_whole_document_is_shown_unmarked(client: FlaskClient, engine: Engine) -> None:
    doc_id, document = sorted(engine.documents.items())[0]
    page = page_of(client.get(f"/source/{doc_id}"))
    assert find(page, "mark") == [] and find(page, ".source-span") == []
    assert find(page, ".document-text")[0].text_content() == document.text


def text_length(engine: Engine) -> int:
    return len(engine.documents["003_7bfe52c2e0f08c40"].text)


@pytest.mark.parametrize(("query", "says"), [
    ("start=5", 'both "start" and "end"'),
    ("end=9", 'both "start" and "end"'),
    ("start=abc&end=9", "whole numbers"),
    ("start=-1&end=9", "whole numbers"),
    ("start=1.5&end=9", "whole numbers"),
    ("start=%2012&end=20", "whole numbers"),  # " 12": int() would take it
    ("start=%D9%A1&end=20", "whole numbers"),  # an Arabic-Indic one: so would int()
    ("start=9999999999999&end=99999999999999", "whole numbers"),
    ("start=9&end=9", "start < end"),
    ("start=9&end=5", "start < end"),
    ("start=0&end={length_plus_one}", "start < end <= {length}"),
])
def test_offsets_that_are_not_a_span_are_an_html_400(client: FlaskClient, engine: Engine, query: str,
                                                     says: str) -> None:
    length = text_length(engine)
    response = client.get("/source/003_7bfe52c2e0f08c40?" + query.format(length_plus_one=length + 1))
    assert response.status_code == 400
    page = page_of(response)
    assert says.format(length=length) in find(page, ".note")[0].text_content()
    assert "bad_span" in page.text_content()
    assert find(page, ".document-text") == []  # no document shown for a wrong link


def test_the_whole_text_is_a_span(client: FlaskClient, engine: Engine) -> None:
    response = client.get(f"/source/003_7bfe52c2e0f08c40?start=0&end={text_length(engine)}")
    assert response.status_code == 200
    assert find(page_of(response), "mark")[0].text_content() == engine.documents["003_7bfe52c2e0f08c40"].text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc_id=st.sampled_from(["003_7bfe52c2e0f08c40", "nope"]) | st.text(min_size=1, max_size=12),
       query=st.dictionaries(st.sampled_from(["start", "end", "x"]), st.text(max_size=8) | st.integers().map(str),
                             max_size=3))
def test_any_id_and_offsets_get_a_page_and_no_5xx(client: FlaskClient, doc_id: str, query: dict[str, str]) -> None:
    response = client.get(f"/source/{quote(doc_id, safe='')}?{urlencode(query)}")
    assert response.status_code in (200, 400, 404), response.get_data(as_text=True)[:300]


def test_an_unknown_document_is_an_html_404_that_escapes_the_id(client: FlaskClient) -> None:
    response = client.get("/source/%3Cimg%20src=x%20onerror=alert(1)%3E?start=0&end=5")
    assert response.status_code == 404
    page = page_of(response)
    assert find(page, "img") == []
    assert "<img src=x onerror=alert(1)>" in find(page, ".note")[0].text_content()
    assert "unknown_document" in page.text_content()


def test_without_an_index_the_page_says_how_to_build_one(scratch: Settings) -> None:
    response = create_app(scratch).test_client().get("/source/003_7bfe52c2e0f08c40")
    assert response.status_code == 503
    assert "build-index" in page_of(response).text_content()


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> FlaskClient:
    """The real app over a collection of one document full of markup."""
    root = tmp_path_factory.mktemp("hostile-source")
    (root / "docs").mkdir()
    (root / "docs" / "harbour.txt").write_text(HOSTILE, encoding="utf-8")
    settings = Settings(docs_dir=root / "docs", index_dir=root / "index", feedback_db=root / "feedback.sqlite3")
    build_index(settings.docs_dir, settings.index_dir, embedder)
    return create_app(settings, Engine.load(settings, embedder)).test_client()


def test_markup_in_a_document_is_shown_as_text(hostile_client: FlaskClient) -> None:
    document = hostile_client.get("/api/documents/harbour").get_json()
    start = document["text"].index("<script>")
    end = document["text"].index("</script>") + len("</script>")
    response = hostile_client.get(f"/source/harbour?start={start}&end={end}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    page = page_of(response)
    assert find(page, "mark")[0].text_content() == "<script>window.__pwned=1</script>"
    assert find(page, "h1")[0].text_content() == "Harbour <script>window.__pwned=1</script> notice"
    assert "by <b>Keeper</b> & Sons" in find(page, ".source-meta")[0].text_content()
    assert not any("javascript:" in (a.get("href") or "") for a in find(page, "a"))  # never made a link
    assert find(page, ".document-text")[0].text_content() == document["text"]


def test_the_page_is_served_under_gunicorn(live_server: LiveServer, engine: Engine) -> None:
    citation = engine.ask(SAFEGUARDING).citations[0]
    response = requests.get(source_url(live_server.url, citation.doc_id, citation.start, citation.end), timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert find(lxml.html.fromstring(response.text), "mark")[0].text_content() == citation.quote
    assert requests.get(f"{live_server.url}/source/nope?start=0&end=1", timeout=30).status_code == 404
    assert requests.get(f"{live_server.url}/source/{citation.doc_id}?start=x&end=1", timeout=30).status_code == 400


def test_source_url_makes_one_path_segment_of_any_id() -> None:
    assert source_url("https://qa.example.org", "a/b c?d#e", 1, 5) == (
        "https://qa.example.org/source/a%2Fb%20c%3Fd%23e?start=1&end=5#quote")

