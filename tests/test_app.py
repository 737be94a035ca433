"""The factory, its configuration, picking up rebuilt indexes, and documentation checked by tests."""

from __future__ import annotations

import logging
import os
import re
import runpy
from pathlib import Path

import pytest
from flask import Flask
from openapi_spec_validator import validate

from qa_service.app import create_app
from qa_service.config import ENV_VARS, PROJECT_ROOT, Settings
from qa_service.engine import Engine
from qa_service.live import EXTENSION, LiveEngine, current_build
from qa_service.logs import configure_logging
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index

README = PROJECT_ROOT / "README.md"
NEW_DOCUMENT = """---
title: "Harbour seals of the Wash"
source: "Test Gazette"
date: "2011-06-01"
author: "A. Tester"
url: ""
---
The harbour seal colony in the Wash counted four hundred pups this summer.
Wardens credit the quiet beaches for the rise.
"""


def live_of(app: Flask) -> LiveEngine:
    return app.extensions[EXTENSION]


# --- the factory -------------------------------------------------------------------------------


def test_factory_uses_the_given_settings_and_engine(collection: Settings, engine: Engine) -> None:
    app = create_app(collection.with_overrides(max_body_bytes=1234), engine)
    assert app.config["SETTINGS"].index_dir == collection.index_dir
    assert app.config["MAX_CONTENT_LENGTH"] == 1234
    assert live_of(app).get() is engine
    ready = app.test_client().get("/readyz").get_json()
    assert ready["build"] == Path(current_build(collection.index_dir)).name
    assert ready["documents"] == len(engine.documents)


def test_factory_reads_settings_from_the_environment(
    collection: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_INDEX_DIR", str(collection.index_dir))
    monkeypatch.setenv("QA_MAX_QUESTION_CHARS", "12")
    monkeypatch.setenv("QA_CORS_ORIGINS", "https://a.example, https://b.example")
    app = create_app(engine=engine)
    assert app.config["SETTINGS"].max_question_chars == 12
    assert app.config["SETTINGS"].cors_origins == ("https://a.example", "https://b.example")
    response = app.test_client().post("/api/ask", json={"question": "Who leads safeguarding?"})
    assert response.status_code == 400
    assert "12" in response.get_json()["error"]["message"]


def test_bad_log_level_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        configure_logging("LOUD")


def test_app_starts_without_an_index_and_picks_it_up_once_built(scratch: Settings, embedder: Embedder) -> None:
    app = create_app(scratch)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    for response in (client.get("/readyz"), client.post("/api/ask", json={"question": "Who?"}),
                     client.get("/api/documents")):
        assert response.status_code == 503
        error = response.get_json()["error"]
        assert error["code"] == "index_unavailable"
        assert "build-index" in error["message"]
    assert client.post("/api/ask", json={"question": ""}).status_code == 400  # bad input is still a 4xx

    build_index(scratch.docs_dir, scratch.index_dir, embedder)
    live_of(app).interval = 0
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["documents"] == 5


def test_rebuilt_index_is_served_without_a_restart(scratch: Settings, embedder: Embedder) -> None:
    build_index(scratch.docs_dir, scratch.index_dir, embedder)
    app = create_app(scratch, Engine.load(scratch, embedder))
    client = app.test_client()
    first = client.get("/readyz").get_json()

    (scratch.docs_dir / "seals.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    build_index(scratch.docs_dir, scratch.index_dir, embedder)
    live_of(app).interval = 3600
    assert len(client.get("/api/documents").get_json()) == 5  # not checked again within the interval

    live_of(app).interval = 0
    documents = client.get("/api/documents").get_json()
    assert "seals" in {d["id"] for d in documents}
    assert client.get("/readyz").get_json()["build"] != first["build"]
    answer = client.post("/api/ask", json={"question": "How many seal pups were counted in the Wash?"}).get_json()
    assert "seals" in {c["doc_id"] for c in answer["citations"]}


def test_broken_build_keeps_the_old_index_serving(
    scratch: Settings, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    build_index(scratch.docs_dir, scratch.index_dir, embedder)
    app = create_app(scratch, Engine.load(scratch, embedder))
    client = app.test_client()
    serving = client.get("/readyz").get_json()["build"]

    broken = scratch.index_dir / "builds" / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    link = scratch.index_dir / "current"
    (scratch.index_dir / ".swap").symlink_to("builds/broken")
    os.replace(scratch.index_dir / ".swap", link)

    live_of(app).interval = 0
    with caplog.at_level(logging.ERROR, logger="qa_service.live"):
        assert client.get("/readyz").get_json()["build"] == serving
        assert client.post("/api/ask", json={"question": "Who is the head of safeguarding?"}).status_code == 200
    failures = [r for r in caplog.records if r.name == "qa_service.live" and r.levelno == logging.ERROR]
    assert len(failures) == 1  # logged once, not on every request
    assert "broken" in failures[0].getMessage() and serving in failures[0].getMessage()
    [index] = client.get("/readyz").get_json()["degraded"]
    assert (index["part"], index["code"]) == ("index", "older_build")
    assert "broken cannot be loaded" in index["message"] and serving in index["message"]


def test_a_current_build_damaged_at_start_is_passed_over_for_the_older_one(
    scratch: Settings, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    older = build_index(scratch.docs_dir, scratch.index_dir, embedder).path
    (scratch.docs_dir / "seals.txt").write_text(NEW_DOCUMENT, encoding="utf-8")
    current = build_index(scratch.docs_dir, scratch.index_dir, embedder).path
    vectors = current / "sentence_vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:1000])

    with caplog.at_level(logging.ERROR, logger="qa_service.live"):
        client = create_app(scratch).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert (body["build"], body["documents"]) == (older.name, 5)  # the older build, without the seals
    [index] = body["degraded"]
    assert (index["part"], index["code"]) == ("index", "older_build")
    assert current.name in index["message"] and "sentence_vectors.npy is corrupt" in index["message"]
    assert older.name in index["message"]
    answer = client.post("/api/ask", json={"question": "Who is the head of safeguarding?"})
    assert answer.status_code == 200 and answer.get_json()["citations"]
    [logged] = [r.getMessage() for r in caplog.records if r.name == "qa_service.live"]  # once
    assert logged.startswith(f"Index build builds/{current.name} could not be loaded; serving the older build "
                             f"{older.name}: The index file sentence_vectors.npy is corrupt")

    repaired = build_index(scratch.docs_dir, scratch.index_dir, embedder)
    assert repaired.repaired and repaired.embedded == ["seals"]  # the damaged build lends no vectors
    live_of(client.application).interval = 0
    body = client.get("/readyz").get_json()
    assert (body["build"], body["documents"], body["degraded"]) == (repaired.path.name, 6, [])


def test_with_no_build_that_loads_nothing_is_served_and_the_fix_is_named(
    scratch: Settings, embedder: Embedder
) -> None:
    only = build_index(scratch.docs_dir, scratch.index_dir, embedder).path
    (only / "passages.faiss").unlink()
    ready = create_app(scratch).test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["error"]["message"] == ("The index file passages.faiss is missing: run `python -m "
                                                    "qa_service build-index` (or `make index`) to build it.")


# --- gunicorn and Procfile -----------------------------------------------------------------------


def gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "OMP_NUM_THREADS"):
        monkeypatch.setenv(name, "")  # so monkeypatch restores the variable the config file sets
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))


def test_gunicorn_config_defaults_fit_two_cores_and_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = gunicorn_settings(monkeypatch)
    assert (defaults["workers"], defaults["threads"], defaults["preload_app"]) == (2, 4, True)
    assert defaults["accesslog"] is None  # the app logs each request itself
    assert os.environ["OMP_NUM_THREADS"] == "1"  # one torch thread per process unless told otherwise
    tuned = gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="8")
    assert (tuned["workers"], tuned["threads"]) == (3, 8)


def test_procfile_serves_the_factory_and_builds_the_index_on_release() -> None:
    lines = dict(line.split(":", 1) for line in (PROJECT_ROOT / "Procfile").read_text().splitlines() if line.strip())
    web = lines["web"]
    assert "gunicorn" in web and "--config gunicorn.conf.py" in web and "--preload" in web
    assert "0.0.0.0:$PORT" in web and "qa_service.app:create_app()" in web
    assert lines["release"].strip() == "python -m qa_service build-index"


# --- documentation checked by tests ----------------------------------------------------------------


def app_routes(app: Flask) -> dict[str, set[str]]:
    """Every route as OpenAPI spells it ('/api/documents/{doc_id}') with its methods."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_openapi_is_valid_and_describes_every_route(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").get_json()
    validate(spec)  # a valid OpenAPI 3.1 document
    described = {path: set(ops) for path, ops in spec["paths"].items()}
    assert described == app_routes(app)


def test_openapi_limits_follow_the_settings(collection: Settings, engine: Engine) -> None:
    app = create_app(collection.with_overrides(max_question_chars=77, max_history_turns=3), engine)
    schemas = app.test_client().get("/openapi.json").get_json()["components"]["schemas"]
    assert schemas["AskRequest"]["properties"]["question"]["maxLength"] == 77
    assert schemas["AskRequest"]["properties"]["history"]["maxItems"] == 3


def test_readme_documents_every_setting_and_route(app: Flask) -> None:
    readme = README.read_text(encoding="utf-8")
    table_rows = {m.group(1) for m in re.finditer(r"^\|\s*`([A-Z_]+)`\s*\|", readme, re.MULTILINE)}
    expected = set(ENV_VARS) | {"PORT", "HOST", "WEB_CONCURRENCY", "GUNICORN_THREADS"}
    assert not expected - table_rows, f"README's settings table lacks {sorted(expected - table_rows)}"
    for rule in app.url_map.iter_rules():
        assert rule.rule in readme, f"README does not mention {rule.rule}"


def test_readme_starts_with_the_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    head = readme[: readme.index("\n## ", readme.index("make test"))]
    assert "make run" in head and "make test" in head
    for section in ("## Evaluation", "## Chat widget", "## Slack bot"):
        assert f"\n{section}\n" in readme

