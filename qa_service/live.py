"""The engine a web process serves, swapped for a new one when the index is rebuilt.

The model and index load once, in `create_app`, so `gunicorn --preload` pays for them
before the workers fork. After that every worker notices a rebuilt index by itself,
without a restart: at most once per `interval` seconds, a request that needs the engine
reads the `index/current` symlink (one readlink, no file is opened) and, when it names a
build this process has not tried yet, loads that build and replaces the engine.

A swap replaces a reference, never mutates the engine, so a request that already holds the
old engine finishes on it. A build that fails to load is logged and not tried again until
`current` moves, and whatever was serving keeps serving. When nothing is serving yet (at
start, say) and the current build cannot be loaded, the newest kept build that can is
served instead: a damaged file costs the latest change, not every answer. Either way
`problem` says which build is served and why it is not the current one, for /readyz.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app

from .config import Settings
from .engine import Engine
from .errors import IndexUnavailable, QAServiceError
from .search.embedding import Embedder
from .search.indexing import load_index
from .search.stored_builds import current_link, kept_builds

logger = logging.getLogger(__name__)

EXTENSION = "qa_service.live"


def current_build(index_dir: Path) -> str | None:
    """Where `index/current` points (e.g. 'builds/2026...'), or None without a link.

    This is the cheap change check: builds are written to a new folder and the link is
    swapped last, so a new target always means a new, complete build.
    """
    try:
        return os.readlink(current_link(index_dir))
    except OSError:
        return None


class OlderBuild(QAServiceError):
    """The current build cannot be loaded, so an older one serves: answers may miss the latest changes."""

    code = "older_build"


class LiveEngine:
    """Holds the serving Engine (or the reason there is none) and reloads it on a new build."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        engine: Engine | None,
        build: str | None,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.interval = interval
        self._clock = clock
        self._engine = engine
        self._build = build  # the link target last tried, loaded or not
        self._serving_build = build if engine is not None else None
        self._error: IndexUnavailable | None = None
        self._behind: IndexUnavailable | None = None  # why the build served is not the current one
        self._checked = clock()
        self._lock = threading.Lock()

    @classmethod
    def start(cls, settings: Settings, engine: Engine | None = None) -> LiveEngine:
        """Load model and index now; a missing or broken index is remembered, not raised.

        A given `engine` is taken to be the one for the build `current` points to now
        (tests pass the session's engine so nothing is loaded twice).
        """
        build = current_build(settings.index_dir)
        if engine is not None:
            return cls(settings, engine.embedder, engine, build)
        live = cls(settings, Embedder.from_settings(settings), None, build)
        live._load(build)
        return live

    @property
    def build_id(self) -> str | None:
        """The name of the build being served, or None when no index is loaded."""
        return Path(self._serving_build).name if self._serving_build else None

    def problem(self) -> OlderBuild | None:
        """Why the build being served is not the one `current` points to, or None when it is (or none is served)."""
        if self._engine is None or self._behind is None:
            return None
        return OlderBuild(f"The current index build {Path(self._build or '').name or '(none)'} cannot be loaded "
                          f"({self._behind}); serving the older build {self.build_id} until it is repaired.")

    def get(self) -> Engine:
        """The engine to answer with; IndexUnavailable (naming the fix) when there is none."""
        self.refresh()
        engine = self._engine
        if engine is None:
            raise IndexUnavailable(str(self._error or "The index is not loaded."))
        return engine

    def refresh(self) -> None:
        """Load the build `current` points to if it is new; cheap when nothing changed.

        Only one thread loads at a time; the others keep answering with the engine they have
        rather than queueing behind the load.
        """
        if self._clock() - self._checked < self.interval:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._checked = self._clock()
            build = current_build(self.settings.index_dir)
            if build == self._build:
                return
            self._build = build  # read before loading: a swap during the load is picked up next time
            self._load(build)
        finally:
            self._lock.release()

    def _load(self, build: str | None) -> None:
        try:
            engine = Engine.load(self.settings, self.embedder)
        except IndexUnavailable as exc:
            if self._engine is None:
                self._serve_older(build, exc)
            else:
                self._behind = exc
                logger.error("Index build %s could not be loaded; still serving %s: %s", build, self.build_id, exc)
            return
        self._engine, self._serving_build, self._error, self._behind = engine, build, None, None
        logger.info("Serving index build %s (%d documents)", self.build_id, len(engine.documents))

    def _serve_older(self, build: str | None, exc: IndexUnavailable) -> None:
        """Serve the newest kept build that loads, other than the current one; without one, serve nothing."""
        index_dir = self.settings.index_dir
        current = current_link(index_dir).resolve()
        for folder in kept_builds(index_dir):
            if folder == current:
                continue
            try:
                data = load_index(index_dir, self.embedder.name, self.embedder.dimension, folder)
            except IndexUnavailable:
                continue
            self._engine, self._behind = Engine(data, self.embedder), exc
            self._serving_build = str(folder.relative_to(index_dir))
            logger.error("Index build %s could not be loaded; serving the older build %s: %s",
                         build, self.build_id, exc)
            return
        self._error = exc
        logger.error("Serving without an index: build %s could not be loaded: %s", build, exc)


def init_app(app: Flask, live: LiveEngine) -> None:
    """Attach the process's LiveEngine to the app (one per app, shared by all its threads)."""
    app.extensions[EXTENSION] = live


def get_live() -> LiveEngine:
    """The LiveEngine of the app handling the current request."""
    return current_app.extensions[EXTENSION]


def current_engine() -> Engine:
    """The engine for this request (checking for a rebuilt index first)."""
    return get_live().get()
