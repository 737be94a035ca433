"""The chat widget in a real browser: Debian's Chromium, driven by Playwright, against the real
app under gunicorn.

Pages are the demo page at / (same origin, CSP 'self') or pages of another site served from a
second loopback port (`host_site`), which embed the widget with the one script tag exactly as a
site owner would. Answers change while the engine is tuned, so these tests compare what the
widget shows with what the service returned for that very request, never with fixed wording.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from pdfs import harbour_report
from playwright.sync_api import Locator, Page, Route, expect

from qa_service.collection import add_files, exclusive_change
from qa_service.config import PROJECT_ROOT, Settings
from qa_service.feedback import FeedbackStore
from qa_service.models import Turn
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index
from qa_service.widget.views import STATIC

if TYPE_CHECKING:
    from conftest import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAFEGUARDING = "Who is the head of safeguarding at Action for Children?"
FOLLOW_UP = "What did he say about social workers?"
OFF_TOPIC = "What is the best recipe for lasagne?"
DEEP_QUOTE = "What did the government decide about the early intervention duty?"
SCREENSHOT_QUESTION = "Who is the head of safeguarding at Action for Children and what did the charity welcome?"
SCREENSHOT = PROJECT_ROOT / "assets" / "widget.png"
ANSWER_TIMEOUT_MS = 30_000

HOSTILE_DOCUMENT = """---
title: 'Harbour notice <img src=x onerror="window.__pwned=1">'
source: "<script>window.__pwned=1</script> Gazette"
date: "2011-06-01"
author: "<b>Keeper</b>"
url: "javascript:window.__pwned=1"
---
Harbour notice

The lighthouse keeper pinned a notice to the harbour gate.

The notice read <script>window.__pwned=1</script> and the gate code for the lighthouse is 4417.

Visitors later found the tag <img src=x onerror="window.__pwned=1"> scrawled on the lighthouse door in chalk.
"""
HOSTILE_CSS = """
  body * { display: none !important; }
  button { color: red !important; background: lime !important; font-size: 40px !important; border-radius: 0; }
  :root { font-size: 40px; color: red; line-height: 5; letter-spacing: 4px; font-family: "Comic Sans MS", cursive; }
  qa-widget { display: none !important; opacity: 0 !important; }
"""

SHADOW_FOCUS = """() => {
  const host = document.querySelector('qa-widget');
  if (document.activeElement !== host) return 'outside the widget';
  const el = host.shadowRoot.activeElement;
  return el ? (el.getAttribute('aria-label') || el.className) : 'nothing';
}"""


# --- a second site on another loopback port -----------------------------------------------------


@dataclass(frozen=True)
class HostSite:
    """Static pages served from another origin than the service, like a customer's site."""

    url: str
    folder: Path

    def page(self, name: str, body: str, head: str = "") -> str:
        """Write a page and return its URL."""
        html = f'<!doctype html><html lang="en"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'
        (self.folder / name).write_text(html, encoding="utf-8")
        return f"{self.url}/{name}"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # the test output is not the place for access lines
        pass


@pytest.fixture(scope="module")
def host_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostSite]:
    folder = tmp_path_factory.mktemp("site")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HostSite(f"http://127.0.0.1:{server.server_address[1]}", folder)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def hostile_server(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    gunicorn_server: Callable[..., AbstractContextManager[LiveServer]],
    host_site: HostSite,
) -> Iterator[LiveServer]:
    """The service over docs/ plus a document full of markup, allowing `host_site` through CORS."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(PROJECT_ROOT / "docs", root / "docs")
    (root / "docs" / "zz_harbour_notice.txt").write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    settings = Settings(docs_dir=root / "docs", index_dir=root / "index", feedback_db=root / "feedback.sqlite3")
    build_index(settings.docs_dir, settings.index_dir, embedder)
    with gunicorn_server(settings, root / "gunicorn.log", {"QA_CORS_ORIGINS": host_site.url}) as server:
        yield server


def embed(server_url: str, **options: str) -> str:
    """The one tag a site owner adds."""
    attributes = "".join(f' data-{name}="{value}"' for name, value in options.items())
    return f'<script src="{server_url}/widget.js" defer{attributes}></script>'


# --- driving the widget ----------------------------------------------------------------------------


def open_demo(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/")
    page.locator(".launcher").wait_for(state="visible")


def focused(page: Page) -> str:
    return page.evaluate(SHADOW_FOCUS)


def open_chat(page: Page) -> None:
    page.locator(".launcher").click()
    page.locator(".input").wait_for(state="visible")


def ask(page: Page, question: str) -> tuple[dict[str, Any], Locator]:
    """Type and send a question; the service's JSON for it and the widget's reply to it."""
    turns = page.locator(".turn")
    before = turns.count()
    page.locator(".input").fill(question)
    with page.expect_response(lambda r: r.url.endswith("/api/ask")) as response:
        page.locator(".input").press("Enter")
    body = response.value.json()
    reply = turns.nth(before).locator(".answer, .abstain, .error")
    reply.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    return body, reply


def check_answer_shown(reply: Locator, answer: dict[str, Any]) -> None:
    """Each quote with its [n] button, and a sources list naming every cited document."""
    assert answer["abstained"] is False
    buttons = reply.locator("button.cite")
    assert buttons.all_inner_texts() == [f"[{c['n']}]" for c in answer["citations"]]
    assert reply.locator("q.quote").all_text_contents() == [c["quote"] for c in answer["citations"]]
    sources = reply.locator(".sources").inner_text()
    for citation in answer["citations"]:
        assert citation["title"] in sources
        if citation["source"]:
            assert citation["source"] in sources


def check_source_view(page: Page, citation: dict[str, Any], document: dict[str, Any]) -> None:
    """The document's title and metadata, and its text with exactly the quote in a visible <mark>."""
    mark = page.locator("mark")
    mark.wait_for(state="visible")
    assert mark.count() == 1
    assert mark.text_content() == citation["quote"]
    assert page.locator(".source-title").text_content() == document["title"]
    text = page.locator(".source-text")
    assert text.text_content() == document["text"]  # all of it, verbatim, around the mark
    box, marked = text.bounding_box(), mark.bounding_box()
    assert box and marked
    assert box["y"] <= marked["y"] and marked["y"] + min(marked["height"], 40) <= box["y"] + box["height"]
    needs_scroll, scrolled = text.evaluate(
        "(el) => [el.querySelector('mark').offsetTop + 40 > el.clientHeight, el.scrollTop > 0]")
    assert scrolled == needs_scroll


def get_document(server: LiveServer, doc_id: str) -> dict[str, Any]:
    return requests.get(f"{server.url}/api/documents/{doc_id}", timeout=10).json()


# --- the tests ---------------------------------------------------------------------------------------


def test_keyboard_user_asks_and_opens_the_quoted_span(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    for _ in range(20):
        page.keyboard.press("Tab")
        if focused(page).startswith("Open chat"):
            break
    assert focused(page).startswith("Open chat")
    page.keyboard.press("Enter")
    assert page.locator(".panel").is_visible()
    assert focused(page) == "Your question"

    answer, reply = ask(page, DEEP_QUOTE)
    check_answer_shown(reply, answer)
    deepest = max(answer["citations"], key=lambda c: c["start"])
    page.locator(".turn").last.locator("button.cite", has_text=f"[{deepest['n']}]").first.focus()
    page.keyboard.press("Enter")
    document = get_document(live_server, deepest["doc_id"])
    check_source_view(page, deepest, document)
    meta = page.locator(".source-head .source-meta")
    assert meta.is_visible() and (document["source"] or "") in meta.inner_text()

    page.keyboard.press("Escape")  # back to the answers, onto the marker that opened the source
    assert page.locator(".log").is_visible() and not page.locator(".source-text").is_visible()
    assert focused(page).startswith(f"Source {deepest['n']}:")
    page.keyboard.press("Escape")  # closes the chat, focus back on the launcher
    assert not page.locator(".panel").is_visible()
    assert focused(page).startswith("Open chat")


def test_controls_are_labelled_and_answers_announced(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    ask(page, SAFEGUARDING)
    unlabelled = page.evaluate("""() => [...document.querySelector('qa-widget').shadowRoot
        .querySelectorAll('button, input')].filter((el) => !(el.getAttribute('aria-label') || '').trim())
        .map((el) => el.outerHTML)""")
    assert unlabelled == []
    log = page.locator(".log")
    assert (log.get_attribute("aria-live"), log.get_attribute("role")) == ("polite", "log")
    assert page.locator(".panel").get_attribute("role") == "dialog"


def test_follow_up_sends_the_history_and_shows_its_answer(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    first, _ = ask(page, SAFEGUARDING)
    with page.expect_request(lambda r: r.url.endswith("/api/ask") and r.method == "POST") as sent:
        second, reply = ask(page, FOLLOW_UP)
    body = json.loads(sent.value.post_data or "{}")
    assert body == {"question": FOLLOW_UP, "history": [{"question": SAFEGUARDING, "answer": first["answer"]}]}
    if second["abstained"]:
        assert "don't say" in reply.inner_text()
    else:
        check_answer_shown(reply, second)
    assert page.locator(".turn").count() == 2


def test_conversation_survives_a_reload_and_new_conversation_clears_it(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    first, _ = ask(page, SAFEGUARDING)
    page.reload()
    page.locator(".launcher").wait_for(state="visible")
    assert page.locator(".panel").is_visible()  # it was open
    assert page.locator(".turn").count() == 1
    check_answer_shown(page.locator(".turn .answer"), first)
    with page.expect_request(lambda r: r.url.endswith("/api/ask")) as sent:
        ask(page, FOLLOW_UP)
    assert json.loads(sent.value.post_data or "{}")["history"] == [{"question": SAFEGUARDING,
                                                                   "answer": first["answer"]}]

    page.get_by_role("button", name="Start a new conversation").click()
    assert page.locator(".turn").count() == 0
    assert page.locator(".greeting").is_visible()
    with page.expect_request(lambda r: r.url.endswith("/api/ask")) as sent:
        ask(page, SAFEGUARDING)
    assert json.loads(sent.value.post_data or "{}")["history"] == []
    page.reload()
    page.locator(".launcher").wait_for(state="visible")
    assert page.locator(".turn").count() == 1


def test_abstention_reads_as_such_with_related_reading(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    answer, reply = ask(page, OFF_TOPIC)
    assert answer["abstained"] is True
    assert answer["passages"], "the service lists the closest passages when it abstains"
    assert reply.locator(".abstain-title").inner_text() == "The documents don't say"
    assert reply.locator("button.cite, q.quote, .sources").count() == 0  # nothing offered as an answer
    assert "not an answer" in (reply.locator(".related-title").text_content() or "")
    related = reply.locator(".related-item")
    related.first.wait_for(state="visible")
    shown = answer["passages"][:3]
    assert related.count() == len(shown)
    first = shown[0]
    document = get_document(live_server, first["doc_id"])
    assert related.first.locator(".source-link").inner_text() == document["title"]
    related.first.locator(".source-link").click()
    check_source_view(page, {"quote": first["text"]}, document)


def test_server_down_shows_a_clear_error(page: Page, host_site: HostSite, live_server: LiveServer) -> None:
    from conftest import free_port

    down = f"http://127.0.0.1:{free_port()}"  # nothing listens here

    def serve_file(route: Route) -> None:  # the widget's own files still load; its API calls hit a closed port
        name = route.request.url.rsplit("/", 1)[1]
        route.fulfill(path=STATIC / name, content_type="text/javascript" if name.endswith(".js") else "text/css")

    page.route(f"{down}/widget.*", serve_file)
    page.goto(host_site.page("down.html", "<h1>A site</h1>" + embed(down)))
    open_chat(page)
    answer_or_error = page.locator(".input")
    answer_or_error.fill(SAFEGUARDING)
    answer_or_error.press("Enter")
    error = page.locator(".turn .error")
    error.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    text = error.inner_text()
    assert "Can't reach the answering service" in text and down.removeprefix("http://") in text
    assert "TypeError" not in text and "Failed to fetch" not in text
    assert page.locator(".input").input_value() == SAFEGUARDING  # ready to send again
    assert page.locator(".typing").count() == 0
    assert error.get_by_role("button", name="Try the question again").is_visible()


def test_service_errors_show_the_services_message(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    answer, reply = ask(page, "why " * 300)  # over QA_MAX_QUESTION_CHARS: a 400 with a message for a person
    assert answer["error"]["code"] == "bad_question"
    assert answer["error"]["message"] in reply.inner_text()
    assert "Traceback" not in reply.inner_text()


def test_site_not_in_cors_origins_gets_a_clear_error(page: Page, host_site: HostSite, live_server: LiveServer) -> None:
    page.goto(host_site.page("not-allowed.html", embed(live_server.url)))
    open_chat(page)
    page.locator(".input").fill(SAFEGUARDING)
    page.locator(".input").press("Enter")
    error = page.locator(".turn .error")
    error.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    assert "may not be allowed to use it" in error.inner_text()


def test_hostile_host_page_css_does_not_reach_the_widget(
    page: Page, host_site: HostSite, hostile_server: LiveServer
) -> None:
    host_button = '<button id="site-button">Site button</button>'
    page.goto(host_site.page("plain.html", host_button))
    plain = page.locator("#site-button").evaluate(
        "(b) => { const s = getComputedStyle(b); return [s.borderRadius, s.fontFamily, s.backgroundColor]; }")

    page.goto(host_site.page("hostile.html", host_button + embed(hostile_server.url),
                             head=f"<style>{HOSTILE_CSS}</style>"))
    launcher = page.locator(".launcher")
    launcher.wait_for(state="visible")
    box = launcher.bounding_box()
    assert box and (box["width"], box["height"]) == (56, 56)
    assert box["x"] + box["width"] <= 1100 and box["y"] + box["height"] <= 760
    launcher.click()
    answer, reply = ask(page, SAFEGUARDING)
    check_answer_shown(reply, answer)
    style = page.locator("button.cite").first.evaluate(
        "(b) => { const s = getComputedStyle(b); return [s.color, s.fontSize, s.letterSpacing]; }")
    assert style[0] != "rgb(255, 0, 0)" and style[1] == "12px" and style[2] == "normal"
    text = reply.locator(".answer-text").evaluate("(p) => [getComputedStyle(p).fontSize, getComputedStyle(p).color]")
    assert text == ["15px", "rgb(29, 36, 48)"]
    # ...and the widget's styles do not leak out onto the site's own button
    page.goto(host_site.page("with-widget.html", host_button + embed(hostile_server.url)))
    page.locator(".launcher").wait_for(state="visible")
    leaked = page.locator("#site-button").evaluate(
        "(b) => { const s = getComputedStyle(b); return [s.borderRadius, s.fontFamily, s.backgroundColor]; }")
    assert leaked == plain


def test_markup_in_a_document_is_shown_literally_and_never_runs(
    page: Page, host_site: HostSite, hostile_server: LiveServer
) -> None:
    # A page without a CSP, so nothing but the widget's own text-only rendering stands in the way.
    page.goto(host_site.page("news.html", "<h1>Local news</h1>" + embed(hostile_server.url)))
    open_chat(page)
    answer, reply = ask(page, "What is the gate code for the lighthouse?")
    check_answer_shown(reply, answer)
    [cited] = [c for c in answer["citations"] if "<script>" in c["quote"]]
    assert "<script>window.__pwned=1</script>" in reply.inner_text()
    reply.locator("button.cite", has_text=f"[{cited['n']}]").click()
    document = get_document(hostile_server, cited["doc_id"])
    check_source_view(page, cited, document)
    assert page.locator(".source-title").inner_text() == 'Harbour notice <img src=x onerror="window.__pwned=1">'
    assert '<img src=x onerror="window.__pwned=1">' in page.locator(".source-text").inner_text()
    assert page.locator(".source-url").count() == 0  # a javascript: URL is never made a link
    tab = open_in_new_tab(page)  # the service's own page for it: markup shown as text there too
    assert tab.locator("mark").text_content() == cited["quote"]
    assert tab.locator("h1").inner_text() == 'Harbour notice <img src=x onerror="window.__pwned=1">'
    tab.wait_for_timeout(300)
    assert tab.evaluate("typeof window.__pwned") == "undefined"
    assert tab.evaluate("document.querySelectorAll('script, img, b').length") == 0
    tab.close()

    page.keyboard.press("Escape")
    _, second = ask(page, "What was scrawled on the lighthouse door?")
    assert '<img src=x onerror="window.__pwned=1">' in second.inner_text()
    page.wait_for_timeout(500)  # an <img onerror> would have fired by now
    assert page.evaluate("typeof window.__pwned") == "undefined"
    elements = page.evaluate("""() => [...document.querySelector('qa-widget').shadowRoot.querySelectorAll('*')]
        .map((el) => el.localName)""")
    assert "script" not in elements and "img" not in elements and "b" not in elements


def test_escape_closes_and_focus_returns_to_the_launcher(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    page.locator(".launcher").focus()
    page.keyboard.press("Enter")
    assert focused(page) == "Your question"
    page.keyboard.press("Escape")
    assert not page.locator(".panel").is_visible()
    assert focused(page).startswith("Open chat")
    assert page.locator(".launcher").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Space")  # a button: Space opens it too, and the close button closes it
    page.get_by_role("button", name="Close chat", exact=True).click()
    assert not page.locator(".panel").is_visible()
    assert focused(page).startswith("Open chat")


def test_readable_at_320_px_without_horizontal_overflow(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    open_demo(page, live_server)
    open_chat(page)
    answer, reply = ask(page, DEEP_QUOTE)
    panel = page.locator(".panel").bounding_box()
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 320

    def overflow() -> list[str]:
        return page.evaluate("""() => {
          const root = document.querySelector('qa-widget').shadowRoot;
          const wide = [...root.querySelectorAll('.panel, .panel *')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.left < -0.5 || r.right > 320.5);
          }).map((el) => el.className || el.localName);
          if (document.documentElement.scrollWidth > 320) wide.push('page');
          return wide;
        }""")

    assert overflow() == []
    assert float(reply.locator(".answer-text, .timeline").first.evaluate("(el) => getComputedStyle(el).fontSize")
                 .removesuffix("px")) >= 14
    if not answer["abstained"]:
        reply.locator("button.cite").first.click()
        page.locator("mark").wait_for(state="visible")
        assert overflow() == []


def test_thumbs_down_stores_a_feedback_row_with_its_conversation(
    page: Page, live_server: LiveServer, collection: Settings
) -> None:
    open_demo(page, live_server)
    open_chat(page)
    first, _ = ask(page, SAFEGUARDING)
    answer, reply = ask(page, FOLLOW_UP)
    store = FeedbackStore(collection.feedback_db)
    before = {item.id for item in store.items()}
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as response:
        reply.get_by_role("button", name="Not helpful").click()
    assert response.value.status == 201
    history = [{"question": SAFEGUARDING, "answer": first["answer"]}]
    assert json.loads(response.value.request.post_data or "{}")["history"] == history  # as it was asked with
    [row] = [item for item in store.items() if item.id not in before]
    assert (row.client, row.rating, row.question, row.answer) == ("widget", "down", FOLLOW_UP, answer["answer"])
    assert list(row.citations) == answer["citations"]
    assert row.history == (Turn(SAFEGUARDING, first["answer"]),)
    # the widget updates after it has read the response: wait for it, as a person would
    expect(reply.get_by_role("button", name="Not helpful")).to_have_attribute("aria-pressed", "true")
    expect(reply.get_by_role("button", name="Helpful", exact=True)).to_be_disabled()
    expect(reply.locator(".feedback-status")).to_contain_text("Thanks")

    first_reply = page.locator(".turn").first.locator(".answer, .abstain")
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as response:
        first_reply.get_by_role("button", name="Helpful", exact=True).click()
    assert json.loads(response.value.request.post_data or "{}")["history"] == []  # nothing came before it
    page.reload()  # the rating is remembered with the conversation: no second vote
    page.locator(".turn .answer").first.wait_for(state="visible")
    assert page.locator(".turn").nth(1).get_by_role("button", name="Not helpful").is_disabled()


def open_in_new_tab(page: Page) -> Page:
    """Follow the source view's "Open in a new tab" link; the service's source page, loaded."""
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open in a new tab").click()
    tab = opened.value
    tab.wait_for_load_state()
    return tab


def test_a_source_opens_in_a_new_tab_scrolled_to_its_span(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    answer, reply = ask(page, DEEP_QUOTE)
    deepest = max(answer["citations"], key=lambda c: c["start"])
    reply.locator("button.cite", has_text=f"[{deepest['n']}]").first.click()
    document = get_document(live_server, deepest["doc_id"])
    check_source_view(page, deepest, document)

    tab = open_in_new_tab(page)
    assert tab.url == (f"{live_server.url}/source/{deepest['doc_id']}"
                       f"?start={deepest['start']}&end={deepest['end']}#quote")
    mark = tab.locator("mark#quote")
    assert mark.text_content() == deepest["quote"]
    assert tab.locator("h1").inner_text() == document["title"]
    assert tab.locator(".document-text").text_content() == document["text"]
    box, height, scrolled = mark.bounding_box(), tab.viewport_size["height"], tab.evaluate("window.scrollY")  # type: ignore[index]
    assert box and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= height  # on screen
    if box["y"] + scrolled + min(box["height"], 40) > height:  # below the first screen: the page had to scroll
        assert scrolled > 0


def test_options_from_data_attributes(page: Page, host_site: HostSite, live_server: LiveServer) -> None:
    tag = embed(live_server.url, title="Harbour help", greeting="Ask about the harbour.", color="#0a7f3f",
                position="bottom-left")
    page.goto(host_site.page("options.html", tag))
    launcher = page.locator(".launcher")
    launcher.wait_for(state="visible")
    box = launcher.bounding_box()
    assert box and box["x"] < 100  # bottom-left
    assert launcher.get_attribute("aria-label") == "Open chat: Harbour help"
    assert launcher.evaluate("(b) => getComputedStyle(b).backgroundColor") == "rgb(10, 127, 63)"
    launcher.click()
    assert page.locator(".title").inner_text() == "Harbour help"
    assert page.locator(".greeting").inner_text() == "Ask about the harbour."
    assert page.locator(".header").evaluate("(h) => getComputedStyle(h).backgroundColor") == "rgb(10, 127, 63)"
    page.goto(host_site.page("bad-colour.html", embed(live_server.url, colour="url(javascript:x)")))
    page.locator(".launcher").wait_for(state="visible")
    assert page.locator(".launcher").evaluate("(b) => getComputedStyle(b).backgroundColor") == "rgb(36, 84, 214)"


def test_the_demo_page_serves_a_self_only_csp_that_the_widget_works_under(
    page: Page, live_server: LiveServer
) -> None:
    response = page.goto(f"{live_server.url}/")
    assert response is not None and "default-src 'self'" in response.headers["content-security-policy"]
    page.locator(".launcher").wait_for(state="visible")
    open_chat(page)
    answer, reply = ask(page, SAFEGUARDING)
    check_answer_shown(reply, answer)
    reply.locator("button.cite").first.click()
    check_source_view(page, answer["citations"][0], get_document(live_server, answer["citations"][0]["doc_id"]))
    source = open_in_new_tab(page)  # the source page, under the same policy
    expect(source.locator("mark#quote")).to_be_visible()
    # and the `page` fixture fails the test if either page's policy blocked anything


def strict_csp(service: str) -> str:
    """What a site with its own strict policy allows so that the widget runs: the service's origin for
    the script, its stylesheet and its API calls, nothing inline."""
    policy = f"default-src 'none'; script-src {service}; style-src {service}; connect-src {service}"
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


def test_a_site_with_a_strict_csp_embeds_the_widget_by_allowing_the_service_origin(
    page: Page, host_site: HostSite, hostile_server: LiveServer
) -> None:
    page.goto(host_site.page("strict.html", embed(hostile_server.url), head=strict_csp(hostile_server.url)))
    page.locator(".launcher").wait_for(state="visible")
    open_chat(page)
    answer, reply = ask(page, SAFEGUARDING)
    check_answer_shown(reply, answer)
    assert page.locator(".launcher").evaluate("(b) => getComputedStyle(b).position") == "fixed"  # styled


def test_what_a_policy_blocks_is_caught(
    page: Page, host_site: HostSite, live_server: LiveServer, csp_violations: list[str]
) -> None:
    """The check the `page` fixture makes can fail: a site whose policy forgets style-src blocks the
    widget's stylesheet (the widget still shows, unstyled), and that is reported."""
    no_styles = f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; script-src {live_server.url}">'
    page.goto(host_site.page("no-styles.html", embed(live_server.url), head=no_styles))
    page.locator(".launcher").wait_for(state="visible")  # shown once its stylesheet loaded or failed
    assert any("style-src" in v and "widget.css" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # seen: the fixture's own check is for the other tests


def test_screenshot_of_the_widget_answering(browser: Any, live_server: LiveServer, tmp_path: Path) -> None:
    """The README's picture: the demo page with an answer and its sources.

    Written to a temporary file, and over assets/widget.png only with UPDATE_SCREENSHOTS=1
    (`make screenshot`), so a test run leaves the checkout as it found it.
    """
    shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / SCREENSHOT.name
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=2)
    try:
        page = context.new_page()
        open_demo(page, live_server)
        open_chat(page)
        answer, _ = ask(page, SCREENSHOT_QUESTION)
        assert not answer["abstained"]
        page.locator(".input").blur()
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=shot, animations="disabled")
    finally:
        context.close()
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (2560, 1600)


# --- the answer span ----------------------------------------------------------------------------------

# The contrast of a span's text on its background, as painted over the answer's own background: the
# colours are drawn on a canvas and read back, so any CSS colour form (color-mix, system colours) counts.
SPAN_CONTRAST = """(span) => {
  const paint = (colours) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const g = canvas.getContext('2d');
    for (const colour of colours) { g.fillStyle = colour; g.fillRect(0, 0, 1, 1); }
    return [...g.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  };
  const luminance = (rgb) => rgb.map((v) => v / 255).map((c) => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let paper = span.parentElement;
  while (paper && ['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(paper).backgroundColor)) {
    paper = paper.parentElement;
  }
  const under = ['#ffffff', paper ? getComputedStyle(paper).backgroundColor : '#ffffff'];
  const back = luminance(paint([...under, getComputedStyle(span).backgroundColor]));
  const ink = luminance(paint([...under, getComputedStyle(span).color]));
  return [(Math.max(back, ink) + 0.05) / (Math.min(back, ink) + 0.05), getComputedStyle(span).fontWeight];
}"""


def test_the_answer_span_is_marked_as_text_inside_its_quote(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server)
    open_chat(page)
    answer, reply = ask(page, SAFEGUARDING)
    check_answer_shown(reply, answer)  # the quotes read exactly as before, mark and all
    [cited] = [c for c in answer["citations"] if c["answer_span"]]
    marked = reply.locator("q.quote strong.answer-span")
    assert marked.all_text_contents() == [cited["answer_span"]["text"]]
    assert marked.evaluate("(el) => el.closest('q').textContent") == cited["quote"]
    for scheme in ("light", "dark"):  # the widget's own colours whatever the page prefers
        page.emulate_media(color_scheme=scheme)
        contrast, weight = marked.evaluate(SPAN_CONTRAST)
        assert contrast >= 4.5 and int(weight) >= 700, (scheme, contrast, weight)
    page.emulate_media(forced_colors="active")  # Windows high contrast: the system's mark colours
    contrast, _ = marked.evaluate(SPAN_CONTRAST)
    assert contrast >= 4.5


def test_markup_in_an_answer_span_is_shown_literally(page: Page, live_server: LiveServer) -> None:
    quote = "The keeper on duty was <b>Tom</b> <img src=x onerror=\"window.__pwned=1\"> in 1911."
    phrase = "<b>Tom</b> <img src=x onerror=\"window.__pwned=1\">"
    start = 40 + quote.index(phrase)
    reply_body = {
        "answer": f"{quote} [1]", "abstained": False, "passages": [], "confidence": 0.9, "query": "q",
        "citations": [{"n": 1, "doc_id": "003_7bfe52c2e0f08c40", "title": "T", "source": "S", "date": "", "section": "",
                       "quote": quote, "start": 40, "end": 40 + len(quote),
                       "answer_span": {"start": start, "end": start + len(phrase), "text": phrase}}],
    }
    page.route("**/api/ask", lambda route: route.fulfill(status=200, content_type="application/json",
                                                         body=json.dumps(reply_body)))
    open_demo(page, live_server)
    open_chat(page)
    _, reply = ask(page, "Who was the keeper?")
    assert reply.locator("strong.answer-span").text_content() == phrase
    assert reply.locator("q.quote").text_content() == quote
    page.wait_for_timeout(300)  # an <img onerror> would have fired by now
    assert page.evaluate("typeof window.__pwned") == "undefined"
    elements = page.evaluate("""() => [...document.querySelector('qa-widget').shadowRoot.querySelectorAll('*')]
        .map((el) => el.localName)""")
    assert "b" not in elements and "img" not in elements


@pytest.fixture(scope="module")
def report_server(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, gunicorn_server) -> Iterator[LiveServer]:
    """The service over a collection started from one printed report (a PDF), as a new user would start it."""
    root = tmp_path_factory.mktemp("report")
    settings = Settings(docs_dir=root / "docs", index_dir=root / "index", feedback_db=root / "feedback.sqlite3")
    with exclusive_change(settings):
        add_files(settings, [harbour_report(root / "harbour.pdf")], embedder)
    with gunicorn_server(settings, root / "gunicorn.log") as server:
        yield server


def test_a_pdf_s_citation_shows_its_page_and_opens_the_file_at_it(page: Page, report_server: LiveServer) -> None:
    open_demo(page, report_server)
    open_chat(page)
    answer, reply = ask(page, "Why must the harbour channel be dredged more?")
    first = answer["citations"][0]
    assert first["doc_id"] == "harbour" and first["page"] in range(1, 5)
    expect(reply.locator(".source-meta").first).to_contain_text(f"p. {first['page']}")
    reply.locator("button.cite", has_text=f"[{first['n']}]").first.click()
    document = get_document(report_server, "harbour")
    check_source_view(page, first, document)
    expect(page.locator(".source-view .source-meta")).to_contain_text(f"p. {first['page']}")
    pdf_link = page.get_by_role("link", name=f"PDF at page {first['page']}")
    assert pdf_link.get_attribute("href") == f"{report_server.url}/api/documents/harbour/original#page={first['page']}"

    tab = open_in_new_tab(page)
    assert tab.locator("mark#quote").text_content() == first["quote"]
    expect(tab.locator(".source-pages")).to_contain_text(f"Page {first['page']} of 4")
    starts = [*document["page_starts"], len(document["text"])]
    printed = document["text"][starts[first["page"] - 1]:starts[first["page"]]]
    assert tab.locator(".document-text").text_content() == printed  # that page's text, the quote in it
    opened = tab.get_by_role("link", name=f"Open the PDF at page {first['page']}").get_attribute("href")
    assert opened == f"/api/documents/harbour/original#page={first['page']}"
    assert requests.get(report_server.url + opened.split("#")[0], timeout=10).headers["Content-Type"] == "application/pdf"
