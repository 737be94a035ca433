"""POST /api/documents, DELETE /api/documents/<doc_id>, GET /api/builds/<id>: the collection
changed over HTTP by whoever holds the admin token.

The routes are off (403 uploads_off) unless QA_ADMIN_TOKEN is set; with it, a request
needs `Authorization: Bearer <token>`, compared in constant time, or gets 401. The token
is checked before the body is read. Uploaded files are read and checked in the request
(an unreadable, empty, scanned or encrypted PDF, a file of an unknown type, a duplicate, a
body over QA_MAX_UPLOAD_BYTES: a 4xx JSON error naming the file, and nothing changes);
what passes is built in the background (builds.py) and answered at once with 202 and the
build's id. Every worker serves the new index once its build is in place (live.py).
"""

from __future__ import annotations

import hmac
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from . import builds
from .collection import add_files, check_removable, plan_additions, remove_documents
from .config import Settings
from .errors import DocumentError
from .http_errors import RequestError, drain_body
from .live import get_live
from .reading.documents import stored_documents

bp = Blueprint("documents", __name__, url_prefix="/api")


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _check_admin(settings: Settings) -> None:
    """RequestError unless uploads are on and the request carries the admin token."""
    if not settings.admin_token:
        drain_body()
        raise RequestError("uploads_off", "Changing documents over HTTP is off: set QA_ADMIN_TOKEN on the server "
                                          "to turn it on.", 403)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.admin_token.encode()):
        drain_body()
        raise RequestError("unauthorized", "Send the admin token as 'Authorization: Bearer <QA_ADMIN_TOKEN>'.", 401)


def _build_json(build: builds.Build) -> dict[str, Any]:
    fields = {k: v for k, v in asdict(build).items() if k != "pid"}
    return {**fields, "url": url_for("documents.build_status", build_id=build.id)}


def _accepted(build: builds.Build, **extra: Any) -> tuple[Response, int, dict[str, str]]:
    body = {"build": _build_json(build), **extra}
    return jsonify(body), 202, {"Location": url_for("documents.build_status", build_id=build.id)}


def _saved_uploads(folder: Path) -> list[Path]:
    """The request's files saved under their own names in `folder`, or RequestError."""
    uploads = [f for key in request.files for f in request.files.getlist(key)]
    if not uploads:
        raise RequestError("no_files", "Send one or more files as multipart/form-data (field 'file').")
    folder.mkdir(parents=True)
    paths: list[Path] = []
    for upload in uploads:
        name = Path((upload.filename or "").replace("\\", "/")).name
        if not Path(name).stem:
            raise RequestError("bad_document", "Every file needs a name, such as report.pdf.")
        path = folder / name
        if path in paths:
            raise RequestError("duplicate_document", f"{name}: sent twice in one request", 409)
        upload.save(path)
        paths.append(path)
    return paths


@bp.post("/documents")
def add_documents() -> tuple[Response, int, dict[str, str]]:
    """Add the files sent (multipart/form-data) and rebuild the index in the background."""
    settings = _settings()
    _check_admin(settings)
    request.max_content_length = settings.max_upload_bytes
    if request.mimetype != "multipart/form-data":
        drain_body()
        raise RequestError("unsupported_media_type", "Send the files as multipart/form-data, e.g. "
                                                     "curl -F file=@report.pdf.", 415)
    build_id = builds.new_build_id()
    folder = builds.files_dir(settings, build_id)
    try:
        paths = _saved_uploads(folder)
        additions = plan_additions(paths, stored_documents(settings.docs_dir), settings.max_document_bytes)
    except (RequestError, DocumentError):
        shutil.rmtree(folder, ignore_errors=True)
        raise
    embedder = get_live().embedder
    build = builds.Build(id=build_id, action="add", documents=tuple(a.document.doc_id for a in additions))
    builds.start(settings, build, lambda progress: add_files(settings, paths, embedder, progress, token=build_id)[1])
    documents = [{"id": a.document.doc_id, "title": a.document.title, "file": a.path.name,
                  "encoding": a.document.encoding} for a in additions]
    return _accepted(build, documents=documents)


@bp.delete("/documents/<doc_id>")
def delete_document(doc_id: str) -> tuple[Response, int, dict[str, str]]:
    """Remove a document (and its kept PDF or Word file) and rebuild the index in the background."""
    settings = _settings()
    _check_admin(settings)
    stored = stored_documents(settings.docs_dir)
    if doc_id not in {doc.doc_id for doc in stored}:
        raise RequestError("unknown_document", f"No document has the id {doc_id!r}; GET /api/documents lists them.",
                           404)
    check_removable([doc_id], stored)
    embedder = get_live().embedder
    build = builds.Build(id=builds.new_build_id(), action="remove", documents=(doc_id,))
    builds.start(settings, build, lambda progress: remove_documents(settings, [doc_id], embedder, progress,
                                                                    token=build.id))
    return _accepted(build)


@bp.get("/builds/<build_id>")
def build_status(build_id: str) -> Response:
    """How far a build has got: queued, running (texts embedded of all), done, failed or interrupted."""
    _check_admin(_settings())
    build = builds.read(_settings(), build_id)
    if build is None:
        raise RequestError("unknown_build", f"No build has the id {build_id!r}.", 404)
    return jsonify(_build_json(build))
