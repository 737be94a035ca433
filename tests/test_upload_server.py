"""The upload API under a real gunicorn on loopback: with and without the token, every
worker serving the new index, and a build whose worker is killed mid-way.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from pdfs import harbour_report

from qa_service.config import Settings

if TYPE_CHECKING:
    from conftest import LiveServer

pytestmark = pytest.mark.slow

TOKEN = "another-s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ENV = {"QA_ADMIN_TOKEN": TOKEN}
TIMEOUT = 30
WAIT = 180
DREDGING = "Why must the harbour channel be dredged more?"


def _upload(url: str, path: Path, headers: dict[str, str] = AUTH) -> requests.Response:
    with path.open("rb") as handle:
        return requests.post(f"{url}/api/documents", files={"file": (path.name, handle)}, headers=headers,
                             timeout=TIMEOUT)


def _status(url: str, started: requests.Response) -> dict:
    return requests.get(url + started.headers["Location"], headers=AUTH, timeout=TIMEOUT).json()


def _wait_for(url: str, started: requests.Response, done: Callable[[dict], bool]) -> dict:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        build = _status(url, started)
        if done(build):
            return build
        time.sleep(0.3)
    pytest.fail(f"the build did not get there in {WAIT}s: {build}")


def _answers(url: str, question: str, times: int) -> list[dict]:
    """`times` answers, each on a new connection, so that they are spread over the workers."""
    return [requests.post(f"{url}/api/ask", json={"question": question}, timeout=TIMEOUT,
                          headers={"Connection": "close"}).json() for _ in range(times)]


def test_an_upload_needs_the_token_and_every_worker_serves_it(
        indexed: Settings, gunicorn_server, tmp_path: Path, check_schema) -> None:
    report = harbour_report(tmp_path / "harbour.pdf")
    with gunicorn_server(indexed, tmp_path / "gunicorn.log", ENV, workers=2) as server:
        refused = _upload(server.url, report, headers={})
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
        assert not (indexed.docs_dir / "harbour.txt").exists()
        started = _upload(server.url, report)
        assert started.status_code == 202, started.text
        check_schema(started.json(), "BuildStarted")
        build = _wait_for(server.url, started, lambda b: b["state"] not in ("queued", "running"))
        assert build["state"] == "done", build
        time.sleep(1.5)  # each worker looks for a new build at most once a second
        answers = _answers(server.url, DREDGING, 8)
        assert all(not a["abstained"] and a["citations"][0]["doc_id"] == "harbour" for a in answers)
        assert all(a["citations"][0]["page"] in range(1, 5) for a in answers)
        pdf = requests.get(f"{server.url}/api/documents/harbour/original", timeout=TIMEOUT)
        assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content == report.read_bytes()


def _ledger(path: Path, lines: int) -> Path:
    """A long plain-text document: thousands of distinct sentences, so its build takes a while."""
    crops = ("barley", "oats", "rye", "wheat", "hops", "flax", "beans")
    text = "\n\n".join(f"Entry {i} of the granary ledger records that {i * 7 % 113} sacks of "
                       f"{crops[i % len(crops)]} came in from farm {i % 41} on day {i % 28 + 1}." for i in range(lines))
    path.write_text("Granary ledger\n\n" + text + "\n", encoding="utf-8")
    return path


def _worker_pid(server: LiveServer) -> int:
    master = server.process.pid
    (child,) = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(child)


def test_a_killed_build_leaves_the_old_index_serving_and_is_undone(
        indexed: Settings, gunicorn_server, tmp_path: Path) -> None:
    before = sorted(p.name for p in indexed.docs_dir.iterdir())
    serving = os.readlink(indexed.index_dir / "current")
    ledger = _ledger(tmp_path / "ledger.txt", 6000)
    question = "How many sacks of rye came in from farm 3?"
    with gunicorn_server(indexed, tmp_path / "gunicorn.log", ENV, workers=1) as server:
        started = _upload(server.url, ledger)
        assert started.status_code == 202, started.text
        _wait_for(server.url, started, lambda b: b["state"] == "running" and b["embedded"] > 0)
        assert (indexed.docs_dir / "ledger.txt").exists()  # the change was under way
        os.kill(_worker_pid(server), signal.SIGKILL)
        deadline = time.monotonic() + WAIT  # gunicorn starts another worker
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{server.url}/readyz", timeout=TIMEOUT).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        build = _status(server.url, started)
        assert build["state"] == "interrupted" and "serving" in build["message"], build
        assert os.readlink(indexed.index_dir / "current") == serving
        assert all(c["doc_id"] != "ledger" for a in _answers(server.url, question, 2) for c in a["citations"])
    with gunicorn_server(indexed, tmp_path / "restarted.log", ENV, workers=1) as server:
        assert sorted(p.name for p in indexed.docs_dir.iterdir()) == before  # undone as the service started
        again = _upload(server.url, harbour_report(tmp_path / "harbour.pdf"))
        assert _wait_for(server.url, again, lambda b: b["state"] not in ("queued", "running"))["state"] == "done"
