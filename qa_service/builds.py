"""Builds started over HTTP: run in the background, one at a time, their status in a file.

An upload or a removal answers at once with a build id; the change itself (collection.py)
runs on a thread of the worker that took the request, after any change before it (the
machine's one build lock). Its status is a small JSON file in `index/jobs/`, written
atomically at each step, so that any worker of any process can answer
`GET /api/builds/<id>`, not only the one running it. A build whose process died before it
finished (a worker killed, the machine restarted) is reported as interrupted: its process
id no longer runs. The change it made is undone by the next one (collection._settle), and
the index that served before it serves on.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .collection import exclusive_change
from .config import Settings
from .errors import QAServiceError
from .files import write_text_atomically
from .processes import alive
from .search.indexing import BuildReport, Progress

logger = logging.getLogger(__name__)

JOB_ID = re.compile(r"[0-9a-f]{32}")
REPORT_EVERY = 0.5  # seconds between two writes of a running build's progress
KEEP_JOBS = 100  # finished builds whose status stays readable


@dataclass(frozen=True)
class Build:
    """One background change of the collection and how far it got."""

    id: str
    action: str  # "add" or "remove"
    documents: tuple[str, ...]  # the ids it adds or removes
    state: str = "queued"  # queued -> running -> done | failed; "interrupted" when its process died
    message: str = ""
    embedded: int = 0  # texts embedded so far
    to_embed: int = 0
    created_at: str = field(default_factory=lambda: _now())
    finished_at: str = ""
    pid: int = field(default_factory=os.getpid)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "interrupted")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def jobs_dir(settings: Settings) -> Path:
    return settings.index_dir / "jobs"


def files_dir(settings: Settings, build_id: str) -> Path:
    """Where an upload's files wait for their build."""
    return jobs_dir(settings) / build_id


def new_build_id() -> str:
    return uuid.uuid4().hex


def save(settings: Settings, build: Build) -> None:
    folder = jobs_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / f"{build.id}.json", json.dumps(asdict(build), ensure_ascii=False))


def read(settings: Settings, build_id: str) -> Build | None:
    """The build's status, None for an id no build has; a build whose process is gone is interrupted."""
    if not JOB_ID.fullmatch(build_id):
        return None
    try:
        data = json.loads((jobs_dir(settings) / f"{build_id}.json").read_text(encoding="utf-8"))
        build = Build(**{**data, "documents": tuple(data["documents"])})
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not build.finished and not alive(build.pid):
        return replace(build, state="interrupted", message="The process running this build stopped before it "
                                                           "finished; the index from before it is serving.")
    return build


def start(settings: Settings, build: Build, work: Callable[[Progress], BuildReport]) -> None:
    """Record `build` as queued and run `work` on a thread once the build lock is free."""
    save(settings, build)
    thread = threading.Thread(target=_run, args=(settings, build, work), name=f"build-{build.id[:8]}", daemon=True)
    thread.start()


def _run(settings: Settings, build: Build, work: Callable[[Progress], BuildReport]) -> None:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= REPORT_EVERY or done >= total:
            last[0] = time.monotonic()
            save(settings, replace(running, embedded=done, to_embed=total))

    try:
        with exclusive_change(settings):
            running = replace(build, state="running")
            save(settings, running)
            report = work(progress)
        state, message = "done", _summary(report)
    except QAServiceError as exc:
        state, message = "failed", str(exc)
    except Exception as exc:  # a bug: the status says so, the log has the traceback
        logger.exception("Build %s failed", build.id)
        state, message = "failed", f"The build failed ({exc.__class__.__name__}); the index from before it is serving."
    try:
        current = read(settings, build.id) or build
        save(settings, replace(current, state=state, message=message, finished_at=_now()))
    finally:
        shutil.rmtree(files_dir(settings, build.id), ignore_errors=True)
        _prune(settings)
    logger.info("Build %s %s: %s", build.id, state, message)


def _summary(report: BuildReport) -> str:
    return (f"{report.documents} documents ({len(report.embedded)} embedded, {len(report.reused)} unchanged), "
            f"{report.sentences} sentences, {report.passages} passages in {report.seconds:.1f}s")


def _prune(settings: Settings) -> None:
    """Keep the status of the newest KEEP_JOBS builds."""
    statuses = sorted(jobs_dir(settings).glob("*.json"), key=lambda p: p.stat().st_mtime)
    for old in statuses[:-KEEP_JOBS]:
        old.unlink(missing_ok=True)
