"""/healthz and /readyz: is the process up, and can it answer questions?

They differ on purpose. A platform restarts a process whose liveness check fails, and
restarting cannot build a missing index, so /healthz only says the process serves HTTP.
/readyz says whether questions can be answered (an index is loaded) and names the fix when
not; load balancers route to a process only once it is ready.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .live import current_engine, get_live

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: 200 whenever the process can answer HTTP, index or not."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness: 200 with the build being served, or 503 index_unavailable naming the fix."""
    engine = current_engine()  # raises IndexUnavailable -> 503, and picks up a rebuilt index
    return jsonify({"status": "ready", "build": get_live().build_id, "documents": len(engine.documents)})
