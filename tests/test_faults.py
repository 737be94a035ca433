"""Faults done for real to the index and its builds: real `python -m qa_service` processes killed
with SIGKILL or run two at once, a real gunicorn restarted over a damaged build and asked while a
build swaps in, and small real file systems (tmpfs) that are full or read-only.

The damage done in-process (checksums, reuse, an injected ENOSPC) is in tests/search/test_indexing.py
and tests/test_app.py; stores that fail alone are in tests/test_sqlite_store.py and the tests of
their routes; encodings in tests/reading/.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from disks import small_disk
from test_cli import COMMAND, cli_env, run

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import load_index

if TYPE_CHECKING:
    from conftest import LiveServer

pytestmark = pytest.mark.slow

TIMEOUT = 30
QUESTION = {"question": "Who is the head of safeguarding at Action for Children?"}
TOWNS = ("Wells", "Lynn", "Boston", "Spalding", "Holbeach", "Wisbech", "Sutton", "Gedney")


def long_report(sentences: int) -> str:
    """A stored document long enough that embedding it takes seconds, each sentence different."""
    body = " ".join(f"In {1900 + i % 120} the port of {TOWNS[i % len(TOWNS)]} handled {1000 + 37 * i} tonnes "
                    f"of grain, {i % 9 + 2} ships and {i % 5 + 1} new cranes." + ("\n\n" if i % 6 == 5 else "")
                    for i in range(sentences))
    return ("---\ntitle: Ports of the Wash, a century of trade\nsource: Test Gazette\ndate: '2011-06-01'\n"
            f"author: A. Tester\nurl: ''\n---\n{body}\n")


def _link(settings: Settings) -> str:
    return os.readlink(settings.index_dir / "current")


def _wait_for_text(path: Path, text: str, process: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text("utf-8", errors="replace"):
            return
        if process.poll() is not None:
            pytest.fail(f"the process ended ({process.returncode}) before {text!r}: {path.read_text('utf-8')}")
        time.sleep(0.05)
    pytest.fail(f"no {text!r} in {seconds}s: {path.read_text('utf-8')}")


def test_a_build_killed_mid_embedding_leaves_the_old_index_and_the_next_build_completes(
    indexed: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    before = _link(indexed)
    (indexed.docs_dir / "ports.txt").write_text(long_report(1500), "utf-8")
    log = tmp_path / "build.log"
    with log.open("w") as stderr:
        build = subprocess.Popen([*COMMAND, "build-index"], cwd=PROJECT_ROOT, env=cli_env(indexed), stderr=stderr,
                                 stdout=subprocess.DEVNULL, text=True)
    try:
        _wait_for_text(log, "Embedding:", build)  # its progress bar: the model is embedding the report
        time.sleep(0.5)
        build.send_signal(signal.SIGKILL)
        assert build.wait(TIMEOUT) == -signal.SIGKILL
    finally:
        build.kill()
    assert _link(indexed) == before
    assert len(load_index(indexed.index_dir, embedder.name, embedder.dimension).documents) == 5
    assert run(indexed, "status").stdout.strip() == "index: stale"

    again = run(indexed, "build-index")
    assert again.returncode == 0, again.stderr
    assert "(1 embedded, 5 unchanged)" in again.stdout
    assert run(indexed, "status").returncode == 0
    assert "ports" in load_index(indexed.index_dir, embedder.name, embedder.dimension).documents
    assert not list((indexed.index_dir / "builds").glob(".staging-*"))


def test_two_builds_at_once_both_end_well_and_the_result_loads(indexed: Settings, embedder: Embedder) -> None:
    (indexed.docs_dir / "ports.txt").write_text(long_report(200), "utf-8")
    builds = [subprocess.Popen([*COMMAND, "build-index"], cwd=PROJECT_ROOT, env=cli_env(indexed), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [b.communicate(timeout=180) for b in builds]
    assert [b.returncode for b in builds] == [0, 0], outputs
    said = sorted(out.splitlines()[-1].split(" ", 2)[0] for out, _ in outputs)
    assert said == ["Built", "Index"], outputs  # one built, the other waited for it and found it up to date
    assert "ports" in load_index(indexed.index_dir, embedder.name, embedder.dimension).documents


def _ready(server: LiveServer) -> dict:
    response = requests.get(f"{server.url}/readyz", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()


def _wait_for_build(server: LiveServer, build: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready = _ready(server)
        if ready["build"] == build:
            return ready
        time.sleep(0.2)
    pytest.fail(f"the server did not pick up build {build} in {seconds}s: {ready}")


def test_a_damaged_build_at_restart_serves_the_older_one_until_build_index_repairs_it(
    indexed: Settings, tmp_path: Path, gunicorn_server: Callable[..., Any]
) -> None:
    older = Path(_link(indexed)).name
    (indexed.docs_dir / "ports.txt").write_text(long_report(60), "utf-8")
    assert run(indexed, "build-index").returncode == 0
    damaged = indexed.index_dir / "current" / "sentence_vectors.npy"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])

    with gunicorn_server(indexed, tmp_path / "gunicorn.log") as server:
        ready = _ready(server)
        assert (ready["build"], ready["documents"]) == (older, 5)
        assert [(d["part"], d["code"]) for d in ready["degraded"]] == [("index", "older_build")]
        assert "sentence_vectors.npy is corrupt" in ready["degraded"][0]["message"]
        answer = requests.post(f"{server.url}/api/ask", json=QUESTION, timeout=TIMEOUT)
        assert answer.status_code == 200 and answer.json()["citations"]

        status = run(indexed, "status")
        assert status.returncode == 1
        assert status.stdout.startswith("index: damaged (The index file sentence_vectors.npy is corrupt")
        repaired = run(indexed, "build-index")
        assert repaired.returncode == 0, repaired.stderr
        assert repaired.stdout.startswith("Repaired the index (The index file sentence_vectors.npy is corrupt")
        ready = _wait_for_build(server, Path(_link(indexed)).name)
        assert (ready["documents"], ready["degraded"]) == (6, [])
    assert run(indexed, "build-index").stdout.startswith("Index is up to date")


def test_clients_asking_while_a_build_swaps_in_all_get_answers(
    indexed: Settings, tmp_path: Path, gunicorn_server: Callable[..., Any]
) -> None:
    settings = indexed.with_overrides(rate_limit=None)  # eight clients from one address
    (settings.docs_dir / "ports.txt").write_text(long_report(300), "utf-8")
    statuses: list[int] = []
    done = threading.Event()

    def client() -> None:
        with requests.Session() as session:
            while not done.is_set():
                statuses.append(session.post(f"{server.url}/api/ask", json=QUESTION, timeout=TIMEOUT).status_code)

    with gunicorn_server(settings, tmp_path / "gunicorn.log", workers=2) as server:
        first = _ready(server)["build"]
        clients = [threading.Thread(target=client) for _ in range(8)]
        for thread in clients:
            thread.start()
        try:
            built = run(settings, "build-index")
            assert built.returncode == 0, built.stderr
            _wait_for_build(server, Path(_link(settings)).name)
            time.sleep(1)  # and a while on the new build
        finally:
            done.set()
            for thread in clients:
                thread.join(TIMEOUT)
        assert _ready(server)["build"] != first
    assert len(statuses) > 20 and set(statuses) == {200}, sorted(set(statuses))


# --- small real file systems -------------------------------------------------------------------


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip() and "Embedding" not in line]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_full_disk_under_the_index_is_one_line_naming_the_folder_and_the_space(
    scratch: Settings, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "full", "256k") as disk:
        settings = scratch.with_overrides(index_dir=disk / "index")
        error = _one_line_error(run(settings, "build-index"))
        assert error.startswith(f"error: {disk / 'index' / 'builds'} is full: the build would take about 0.")
        assert "MB is free; free some space or set QA_INDEX_DIR" in error
        assert not (disk / "index" / "current").exists() and not list((disk / "index" / "builds").iterdir())
        assert run(settings, "status").stdout.strip() == "index: missing"


def test_a_full_disk_under_the_documents_refuses_the_ingest_and_changes_nothing(
    indexed: Settings, tmp_path: Path
) -> None:
    big = tmp_path / "minutes.txt"
    big.write_text("The harbour board met on Tuesday and agreed the dredging budget for the spring.\n" * 3000,
                   "utf-8")
    with small_disk(tmp_path / "full", "200k") as disk:
        docs = disk / "docs"
        shutil.copytree(indexed.docs_dir, docs)
        settings = indexed.with_overrides(docs_dir=docs)
        before = (sorted(p.name for p in docs.iterdir()), _link(settings))
        error = _one_line_error(run(settings, "ingest", str(big)))
        assert error.startswith(f"error: {docs} is full: the documents would take about 0.")
        assert (sorted(p.name for p in docs.iterdir()), _link(settings)) == before


def test_a_read_only_index_folder_is_one_line_and_changes_nothing(scratch: Settings, tmp_path: Path) -> None:
    with small_disk(tmp_path / "ro", "1m", read_only=True) as disk:
        error = _one_line_error(run(scratch.with_overrides(index_dir=disk / "index"), "build-index"))
        assert error.startswith(f"error: {disk / 'index'}")
        assert "Read-only file system" in error and "Nothing was changed" in error
