"""Changing the collection: documents added or removed and the index rebuilt, as one step.

The command line (`ingest`) and the upload API (`documents_api`) change the collection
through here only. One change runs at a time on a machine: each holds an exclusive lock
on `index/.build.lock` from before it touches `docs/` until its build is in place, so two
uploads, or an upload and `build-index`, never build over each other. A change whose build
fails is undone (the files it wrote go, the documents it removed come back), so `docs/`
stays what the serving index was built from. A change killed outright (the process gone)
is undone by the next change, from the journal it left (`_settle`).

A PDF or Word file is kept beside its document as `docs/originals/<doc_id>.pdf`: the
source page links to it at the cited page.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings
from .errors import Conflict, DocumentError, DuplicateDocument
from .files import check_space, write_atomically, write_text_atomically, writing
from .reading.documents import RawDocument, read_source_file, render_document, stored_documents
from .search.indexing import BuildReport, Progress, build_index
from .search.stored_builds import current_link, read_manifest

if TYPE_CHECKING:
    from .search.embedding import Embedder

ORIGINALS = "originals"
KEPT_ORIGINALS = (".pdf", ".docx")  # what the cleaned text cannot stand for: pages, layout
_SET_ASIDE = ".removing-"  # + change token: where removed documents wait until the build is in place

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Addition:
    """A document to add, and the file it was read from."""

    document: RawDocument
    path: Path


def plan_additions(paths: Sequence[Path], existing: Sequence[RawDocument], max_bytes: int) -> list[Addition]:
    """The documents the files make, or DocumentError for the first that can't be added (a file
    over `max_bytes`, QA_MAX_DOCUMENT_BYTES, included)."""
    fingerprints = {doc.body_fingerprint: doc.doc_id for doc in existing}
    taken = {doc.doc_id for doc in existing}
    planned: list[Addition] = []
    for path in paths:
        doc = read_source_file(path, max_bytes)
        if doc.body_fingerprint in fingerprints:
            raise DuplicateDocument(f"{path.name}: same text as the document {fingerprints[doc.body_fingerprint]}")
        if doc.doc_id in taken:
            raise DuplicateDocument(f"{path.name}: a document with id {doc.doc_id!r} exists already; rename the file")
        fingerprints[doc.body_fingerprint] = doc.doc_id
        taken.add(doc.doc_id)
        planned.append(Addition(doc, path))
    return planned


def check_removable(doc_ids: Sequence[str], existing: Sequence[RawDocument]) -> None:
    """DocumentError unless every id is a stored document and at least one document stays."""
    known = {doc.doc_id for doc in existing}
    for doc_id in doc_ids:
        if doc_id not in known:
            raise DocumentError(f"no document has the id {doc_id!r}")
    if known <= set(doc_ids):
        raise Conflict("the collection would be empty; add another document before removing the last")


def original_file(docs_dir: Path, doc_id: str) -> Path | None:
    """The PDF or Word file a document was read from, when it is kept."""
    for suffix in KEPT_ORIGINALS:
        path = docs_dir / ORIGINALS / f"{doc_id}{suffix}"
        if path.is_file():
            return path
    return None


@contextmanager
def exclusive_change(settings: Settings) -> Iterator[None]:
    """Hold the machine's one build lock (waiting for it) while the block runs. A change
    left half done by a process that died holding it is settled first (`_settle`)."""
    with writing(settings.index_dir, "the build lock", 0, "QA_INDEX_DIR"):
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        handle = (settings.index_dir / ".build.lock").open("a")
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            _settle(settings)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def settle_if_idle(settings: Settings) -> None:
    """Settle what a killed change left behind, when no change is running: the service
    does this as it starts, so a restart after a crash serves and stores the same collection."""
    lock = settings.index_dir / ".build.lock"
    try:
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a change is running; it settles what it finds itself
                return
            try:
                _settle(settings)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError as exc:  # no index folder yet, or a read-only one: nothing to settle here
        logger.debug("No change settled at start: %s", exc)


def add_files(settings: Settings, paths: Sequence[Path], embedder: Embedder, progress: Progress | None = None,
              token: str = "") -> tuple[list[RawDocument], BuildReport]:
    """Add the files' documents and rebuild; the caller holds `exclusive_change`.

    Planned again here, under the lock: a document added since the caller last looked
    makes a duplicate refused now rather than indexed twice.
    """
    additions = plan_additions(paths, stored_documents(settings.docs_dir), settings.max_document_bytes)
    return [a.document for a in additions], _apply(settings, additions, [], embedder, progress, token)


def remove_documents(settings: Settings, doc_ids: Sequence[str], embedder: Embedder,
                     progress: Progress | None = None, token: str = "") -> BuildReport:
    """Remove the documents (and their kept originals) and rebuild; the caller holds `exclusive_change`."""
    check_removable(doc_ids, stored_documents(settings.docs_dir))
    return _apply(settings, [], doc_ids, embedder, progress, token)


def _apply(settings: Settings, additions: Sequence[Addition], removals: Sequence[str], embedder: Embedder,
           progress: Progress | None, token: str) -> BuildReport:
    """Write the additions, set the removals aside, build; undo all of it if the build fails.

    A journal (`index/changes/<token>.json`) names the change before any file moves, so
    that a process killed mid-way leaves enough behind for the next change to undo it.
    """
    token = token or uuid.uuid4().hex
    docs = settings.docs_dir
    change = _Change(token, created=not docs.is_dir(), added=tuple(a.document.doc_id for a in additions),
                     removed=tuple(removals))
    try:
        docs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DocumentError(f"document folder {docs} cannot be created ({exc.strerror})") from exc
    journal = _journal(settings, token)
    rendered = {a.document.doc_id: render_document(a.document) for a in additions}
    needed = sum(len(text.encode("utf-8")) for text in rendered.values()) + sum(
        a.path.stat().st_size for a in additions if a.path.suffix.lower() in KEPT_ORIGINALS)
    try:
        with writing(journal.parent, "the change's journal", 1 << 10, "QA_INDEX_DIR"):
            journal.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(journal, json.dumps(asdict(change)))
        with writing(docs, "the documents", needed, "QA_DOCS_DIR"):
            check_space(docs, "the documents", needed, "QA_DOCS_DIR")
            aside = docs / f"{_SET_ASIDE}{token}"
            if removals:
                aside.mkdir(exist_ok=True)
            for doc_id in removals:
                for path in _files_of(docs, doc_id):
                    path.rename(aside / path.name)
            for addition in additions:
                doc = addition.document
                write_text_atomically(docs / f"{doc.doc_id}.txt", rendered[doc.doc_id])
                suffix = addition.path.suffix.lower()
                if suffix in KEPT_ORIGINALS:
                    (docs / ORIGINALS).mkdir(exist_ok=True)
                    target = docs / ORIGINALS / f"{doc.doc_id}{suffix}"
                    write_atomically(target, lambda temporary, source=addition.path: shutil.copyfile(source, temporary))
        report = build_index(docs, settings.index_dir, embedder, progress=progress)
    except BaseException:
        _undo(settings, change)
        raise
    _finish(settings, change)
    return report


@dataclass(frozen=True)
class _Change:
    """What a change does to `docs/`, as its journal records it."""

    token: str
    created: bool  # the change made the document folder
    added: tuple[str, ...]
    removed: tuple[str, ...]


def _journal(settings: Settings, token: str) -> Path:
    return settings.index_dir / "changes" / f"{token}.json"


def _files_of(docs_dir: Path, doc_id: str) -> list[Path]:
    original = original_file(docs_dir, doc_id)
    return [docs_dir / f"{doc_id}.txt", *([original] if original else [])]


def _undo(settings: Settings, change: _Change) -> None:
    """Put `docs/` back as it was: the added documents out, the ones set aside back in place."""
    docs = settings.docs_dir
    for doc_id in change.added:
        for path in _files_of(docs, doc_id):
            path.unlink(missing_ok=True)
    aside = docs / f"{_SET_ASIDE}{change.token}"
    if aside.is_dir():
        for path in aside.iterdir():
            path.rename((docs / ORIGINALS if path.suffix in KEPT_ORIGINALS else docs) / path.name)
    _finish(settings, change)
    if change.created:
        shutil.rmtree(docs, ignore_errors=True)


def _finish(settings: Settings, change: _Change) -> None:
    shutil.rmtree(settings.docs_dir / f"{_SET_ASIDE}{change.token}", ignore_errors=True)
    _journal(settings, change.token).unlink(missing_ok=True)


def _settle(settings: Settings) -> None:
    """Finish or undo each change whose process died mid-way (with the lock held, any journal
    is such a change's). One whose build was already in place is kept, the others undone."""
    folder = settings.index_dir / "changes"
    for journal in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            change = _Change(str(data["token"]), bool(data["created"]), tuple(data["added"]), tuple(data["removed"]))
        except (OSError, ValueError, TypeError, KeyError):
            logger.error("Unreadable change journal %s left as it is", journal)
            continue
        manifest = read_manifest(current_link(settings.index_dir)) or {}
        indexed = set(manifest.get("documents", {}))
        if set(change.added) <= indexed and not set(change.removed) & indexed:
            _finish(settings, change)
            logger.info("Change %s had been built before its process stopped; kept", change.token)
        else:
            _undo(settings, change)
            logger.warning("Change %s was interrupted before its build was in place; undone", change.token)
