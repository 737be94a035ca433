"""Shared fixtures: the real model, loaded once, and a real index built from docs/ once.

Tests never touch the project's own index/ folder; each session builds its own copy in a
temporary folder from the real documents. The app fixtures serve that index: `app` and
`client` in-process, `live_server` under a real gunicorn on a loopback port.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaluate.bench.server import Server as LiveServer  # noqa: E402
from evaluate.bench.server import (  # noqa: E402
    ServerConfig,
    ServerError,
    free_port,  # noqa: F401 (tests import it from here)
    gunicorn,
    service_env,
)
from qa_service.app import create_app  # noqa: E402
from qa_service.config import PROJECT_ROOT, Settings  # noqa: E402
from qa_service.engine import Engine  # noqa: E402
from qa_service.search.embedding import Embedder  # noqa: E402
from qa_service.search.indexing import build_index  # noqa: E402

DOCS = PROJECT_ROOT / "docs"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2 from the packaged weights."""
    return Embedder()


@pytest.fixture(scope="session")
def collection(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """Settings pointing at a copy of docs/ and an index built from it (shared, read-only).

    No rate limit: the session's app and server answer every test's requests, far more than one
    client may send (tests/test_rate_limits.py gives the limit settings of its own).
    """
    root = tmp_path_factory.mktemp("collection")
    shutil.copytree(DOCS, root / "docs")
    settings = Settings(docs_dir=root / "docs", index_dir=root / "index", feedback_db=root / "feedback.sqlite3",
                        rate_limit=None)
    build_index(settings.docs_dir, settings.index_dir, embedder)
    return settings


@pytest.fixture(scope="session")
def engine(collection: Settings, embedder: Embedder) -> Engine:
    """The engine over the shared index."""
    return Engine.load(collection, embedder)


@pytest.fixture(scope="session")
def wiki_engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    """An engine over a collection nobody on this project wrote, shaped nothing like docs/:
    the Normans article of SQuAD 2.0 (evaluate/squad/), one document of 39 paragraphs."""
    from evaluate.squad_collection import build_collection
    from evaluate.squad_format import load_squad

    squad = load_squad(PROJECT_ROOT / "evaluate" / "squad" / "normans-dev-v2.0.json")
    return build_collection(squad, tmp_path_factory.mktemp("wiki"), embedder).engine


@pytest.fixture
def scratch(tmp_path: Path) -> Settings:
    """Settings for a test that changes documents or the index: its own copy of docs/, no index yet."""
    shutil.copytree(DOCS, tmp_path / "docs")
    return Settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index", feedback_db=tmp_path / "feedback.sqlite3")


@pytest.fixture
def indexed(scratch: Settings, collection: Settings) -> Settings:
    """`scratch` with a copy of the shared index (same documents), for tests that change an index without re-embedding all."""
    shutil.copytree(collection.index_dir, scratch.index_dir, symlinks=True)
    return scratch


# --- HTTP service -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def app(collection: Settings, engine: Engine) -> Flask:
    """The app over the shared index and engine (read-only, so one for the session)."""
    return create_app(collection, engine)


@pytest.fixture(scope="session")
def client(app: Flask) -> FlaskClient:
    """Flask's test client for `app`."""
    return app.test_client()


@contextmanager
def run_gunicorn(
    settings: Settings, log: Path, extra_env: Mapping[str, str] | None = None, workers: int = 1
) -> Iterator[LiveServer]:
    """The real app for `settings` under gunicorn, started as the benchmarks start it (the Procfile's
    command on a free loopback port, --preload), with 4 threads per worker and `settings`' rate limit.

    Stopped (terminate, then kill) when the block ends, whatever happened inside it; a server
    that does not come up fails the test with the end of its log.
    """
    env = {**service_env(settings), "LOG_LEVEL": "INFO", **(extra_env or {})}
    try:
        with gunicorn(ServerConfig(workers, 4), env, log) as server:
            yield server
    except ServerError as exc:  # only gunicorn() raises it: the server never came up
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def live_server(collection: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app under gunicorn (gunicorn.conf.py, --preload, 1 worker) on a free loopback port."""
    with run_gunicorn(collection, tmp_path_factory.mktemp("server") / "gunicorn.log") as server:
        yield server


@pytest.fixture(scope="session")
def gunicorn_server() -> Callable[..., AbstractContextManager[LiveServer]]:
    """`with gunicorn_server(settings, log, extra_env, workers) as server:` for a server of a test's own
    (e.g. with SLACK_* settings or several workers); see `run_gunicorn`."""
    return run_gunicorn


def _closed(schema: object) -> object:
    """A copy of a JSON schema where every object lists all its properties (no undeclared extras)."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: _closed(value) for key, value in schema.items()}
    if closed.get("type") == "object" and "properties" in closed:
        closed.setdefault("additionalProperties", False)
    return closed


@pytest.fixture(scope="session")
def check_schema(collection: Settings) -> Callable[[object, str], None]:
    """`check_schema(body, "Answer")` fails unless `body` matches that component of /openapi.json.

    Stricter than the published description: a field the response has but the schema does not
    declare fails too, so the description cannot fall behind the responses.
    """
    from jsonschema import Draft202012Validator

    from qa_service.openapi import openapi_spec

    components = _closed(openapi_spec(collection)["components"])

    def check(body: object, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        errors = sorted(Draft202012Validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)

    return check


# --- a real browser (the chat widget's tests) ----------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, headless, once per session.

    Fails rather than skips when Chromium is missing: a skipped browser test would let a broken
    widget pass CI. Playwright's own browser download is not used (it cannot reach its CDN here).
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; install it with: apt-get update && apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


# Every page of a test's context reports what its Content-Security-Policy blocked (in a shadow
# root too: the event is composed) as a console error; Chromium logs its own "Refused to ..." too.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`);
}, true);
"""
CSP_MARKS = ("CSP violation", "Content Security Policy")


@pytest.fixture
def csp_violations() -> list[str]:
    """What the Content-Security-Policy of any page of the test blocked (see `page`)."""
    return []


@pytest.fixture
def page(browser: object, csp_violations: list[str]) -> Iterator[object]:
    """A fresh page (its own cookies and sessionStorage) at 1100x760; closed after the test.

    Uncaught errors in the page fail the test, so a widget that throws cannot pass by accident;
    so does anything a page's Content-Security-Policy blocked (`csp_violations`), so the widget
    is known to work under the policy of the service's pages and of the sites that embed it.
    """
    context = browser.new_context(viewport={"width": 1100, "height": 760})  # type: ignore[attr-defined]
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("console", lambda message: csp_violations.append(message.text)
               if message.type == "error" and any(mark in message.text for mark in CSP_MARKS) else None)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
    assert not csp_violations, f"blocked by a Content-Security-Policy: {csp_violations}"
