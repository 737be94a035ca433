"""Errors a user can act on. Each edge (HTTP, CLI, Slack) turns them into its own message."""

from __future__ import annotations


class QAServiceError(Exception):
    """Base class: `code` is machine-readable, the message says what to do."""

    code = "error"


class DocumentError(QAServiceError):
    """A document cannot be added: empty, binary, undecodable, duplicate, or malformed header."""

    code = "bad_document"


class Conflict(DocumentError):
    """The change clashes with what the collection holds (HTTP 409)."""

    code = "collection_conflict"


class DuplicateDocument(Conflict):
    """A document with the same text or the same id is in the collection already."""

    code = "duplicate_document"


class IndexUnavailable(QAServiceError):
    """The index is missing, corrupt or built with other settings; the message names the fix."""

    code = "index_unavailable"


class StoreUnavailable(QAServiceError):
    """The service's SQLite file (QA_FEEDBACK_DB) cannot be used; the message names the file, why and the fix.

    Only what needs the file fails with it (feedback, the Slack bot): questions are still answered.
    """

    code = "store_unavailable"


class CannotWrite(QAServiceError):
    """A folder of the service is full or not writable; the message names it, what it needs and the fix.

    Raised before anything is changed, or after what was half written has been removed.
    """

    code = "cannot_write"


class InvalidQuestion(QAServiceError):
    """The question or history is not something the engine can answer (empty, too long...)."""

    code = "bad_question"
