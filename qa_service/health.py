"""/healthz and /readyz: is the process up, and can it answer questions?

They differ on purpose. A platform restarts a process whose liveness check fails, and
restarting cannot build a missing index, so /healthz only says the process serves HTTP.
/readyz says whether questions can be answered (an index is loaded) and names the fix when
not; load balancers route to a process only once it is ready.

A part that fails alone (the SQLite file behind feedback and the Slack bot, or a current
index build that cannot be loaded while an older one serves) does not make the process
unready, since questions are still answered: /readyz stays 200 and lists it under
`degraded` with why and the fix. Each such part registers itself with `watch` from its own
init_app, giving a function that says what is wrong now; it must be quick (a probe answers at
once), e.g. look again only while the part fails and only every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify

from .errors import QAServiceError
from .live import current_engine, get_live

bp = Blueprint("health", __name__)

EXTENSION = "qa_service.health"

Problem = Callable[[], QAServiceError | None]  # why a part does not work now, or None when it does


def watch(app: Flask, part: str, problem: Problem) -> None:
    """List `part` in /readyz's `degraded` whenever `problem()` returns an error."""
    app.extensions.setdefault(EXTENSION, {})[part] = problem


def degraded() -> list[dict[str, str]]:
    """The parts that do not work now: {"part", "code", "message"} each, the index first (an older
    build serving while the current one cannot be loaded, live.py), then the watched parts in order."""
    found = []
    for part, problem in [("index", get_live().problem), *current_app.extensions.get(EXTENSION, {}).items()]:
        error = problem()
        if error is not None:
            found.append({"part": part, "code": error.code, "message": str(error)})
    return found


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: 200 whenever the process can answer HTTP, index or not."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness: 200 with the build being served and any degraded part, or 503 index_unavailable naming the fix."""
    engine = current_engine()  # raises IndexUnavailable -> 503, and picks up a rebuilt index
    return jsonify({"status": "ready", "build": get_live().build_id, "documents": len(engine.documents),
                    "degraded": degraded()})
