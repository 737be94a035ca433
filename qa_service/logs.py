"""Structured logs: one JSON object per line, and one access line per HTTP request.

Platforms that run the Procfile collect stderr line by line; a JSON object per line lets
them filter on `status` or `latency_ms` without parsing free text. Gunicorn's own access log
stays off (see gunicorn.conf.py) so each request is logged exactly once, here.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

ROOT_LOGGER = "qa_service"
access_logger = logging.getLogger("qa_service.access")


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", ...fields}`; `fields` comes from `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    """Set the service's log level and, unless the host already set up logging, log JSON to stderr.

    Under pytest (caplog) or an embedding application the root logger has handlers and
    records simply propagate to them; under gunicorn it has none, so we add our own once.
    """
    logger = logging.getLogger(ROOT_LOGGER)
    try:
        logger.setLevel(level)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}") from exc
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)


def access_fields(response: Response) -> dict[str, Any]:
    """What one access line records about the request being finished."""
    started = g.get("started")
    latency = (time.perf_counter() - started) * 1000 if started is not None else None
    return {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "latency_ms": round(latency, 2) if latency is not None else None,
        "remote": request.remote_addr,
    }


def _start_timer() -> None:
    g.started = time.perf_counter()


def _log_access(response: Response) -> Response:
    fields = access_fields(response)
    access_logger.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    """Time every request and log it when its response is ready (error responses included)."""
    app.before_request(_start_timer)
    app.after_request(_log_access)
