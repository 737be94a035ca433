"""The service's one SQLite file (settings.feedback_db): opening it and keeping its tables current.

Feedback and the Slack bot keep their tables in the same file, shared by every gunicorn
worker and every instance that mounts it. SQLite serialises the writers; each call opens its
own short-lived connection, so a store is safe to share between threads.

A table is declared once, as its columns. A new file gets the tables whole; a file written by
an older version gets the columns it lacks added (`ALTER TABLE ... ADD COLUMN`), so an upgrade
keeps every stored row. A column added after a table first shipped must therefore be one
SQLite can add: nullable, or NOT NULL with a DEFAULT. The check and the additions run in one
`BEGIN IMMEDIATE` transaction, so workers starting together never add a column twice.

Rows hold what people asked, which may name a child or a family, so they are not kept
for ever: a table with a `created` column forgets rows older than the retention period
(QA_RETENTION_DAYS) whenever a row is written to it, in the same transaction.

The file fails alone. A file that is damaged, locked, unwritable or in a folder that cannot
be made never stops the service from starting or answering questions: opening it at start
is tried, and until it works every use raises StoreUnavailable naming the file, the cause
and the fix (HTTP 503; the Slack bot asks Slack to retry). Its problem is logged once per
process, not on every request. While it is unusable the file is tried again at most every
RETRY_SECONDS (uses in between fail at once, so a lock held elsewhere cannot tie up every
thread for BUSY_TIMEOUT), and the first use or readiness probe that finds it usable again
(repaired, moved aside, permissions fixed) makes its tables and carries on.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import StoreUnavailable
from .models import Turn

logger = logging.getLogger(__name__)

BUSY_TIMEOUT = 10  # seconds a connection waits for another process's write lock
RETRY_SECONDS = 5.0  # while a file is unusable, how long uses fail at once before it is tried again
RETRY_BUSY_TIMEOUT = 0.5  # how long trying it again waits for a lock: /readyz may be the one trying

# Why a file cannot be used, and what to do, by SQLite's primary result code.
_DAMAGED = ("it is not a SQLite database, or it is damaged",
            "move it aside (a new, empty one is made in its place) or restore it from a backup")
_LOCKED = (f"another process has held a lock on it for over {BUSY_TIMEOUT} s",
           "end that process's transaction (a sqlite3 shell left open, a stuck job)")
_UNWRITABLE = ("the service may not write to it",
               "give the user the service runs as write access to the file and its folder")
_UNOPENABLE = ("it or its folder cannot be opened or written",
               "check that its folder exists and the service's user may write there (SQLite writes a journal "
               "beside the file), or set QA_FEEDBACK_DB to another path")
_CAUSES = {
    sqlite3.SQLITE_NOTADB: _DAMAGED,
    sqlite3.SQLITE_CORRUPT: _DAMAGED,
    sqlite3.SQLITE_BUSY: _LOCKED,
    sqlite3.SQLITE_LOCKED: _LOCKED,
    sqlite3.SQLITE_READONLY: _UNWRITABLE,
    sqlite3.SQLITE_PERM: _UNWRITABLE,
    sqlite3.SQLITE_CANTOPEN: _UNOPENABLE,
    sqlite3.SQLITE_FULL: ("the disk that holds it is full", "free some space on that disk"),
    sqlite3.SQLITE_IOERR: ("reading or writing it failed", "check the disk and the file's permissions"),
}

# The problem last logged for each file in this process: the feedback and Slack stores open the
# same file, and a problem is logged once, not by each of them nor on every request.
_logged: dict[Path, str] = {}
_logged_lock = threading.Lock()


@dataclass(frozen=True)
class Table:
    """A table as its column definitions ("name TYPE constraints"), plus statements run after it
    exists and is current, such as CREATE INDEX IF NOT EXISTS."""

    name: str
    columns: tuple[str, ...]
    after: tuple[str, ...] = ()
    created: str = ""  # column of each row's creation time (`timestamp`); rows past retention are deleted


def timestamp(seconds: float) -> str:
    """How creation times are stored: ISO 8601 in UTC to the second, so text order is time order."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def history_column(history: Sequence[Turn]) -> str:
    """A conversation history as stored: /api/ask's JSON shape, [{"question", "answer"}], oldest first."""
    return json.dumps([asdict(turn) for turn in history], ensure_ascii=False)


def history_from_column(raw: str) -> tuple[Turn, ...]:
    """The Turns of a stored history (see `history_column`)."""
    return tuple(Turn(question=t["question"], answer=t["answer"]) for t in json.loads(raw))


@contextmanager
def _connection(path: Path, isolation_level: str | None = "", timeout: float | None = None
                ) -> Iterator[sqlite3.Connection]:
    """`isolation_level=None` leaves transactions to the caller; "" is Python's default (implicit BEGIN).
    `timeout` is how long to wait for a lock (default BUSY_TIMEOUT)."""
    wait = BUSY_TIMEOUT if timeout is None else timeout
    with closing(sqlite3.connect(path, timeout=wait, isolation_level=isolation_level)) as db:
        yield db


FAULTS = (OSError, sqlite3.DatabaseError)  # what using a file may raise; `_is_file_fault` sorts them


def _is_file_fault(exc: Exception) -> bool:
    """Whether `exc` says the file cannot be used (damaged, locked, unwritable or missing, a full
    disk), rather than that a statement is wrong (a broken constraint: a bug or a duplicate)."""
    return isinstance(exc, (OSError, sqlite3.OperationalError)) or type(exc) is sqlite3.DatabaseError


def _problem_of(path: Path, exc: Exception) -> str:
    """What StoreUnavailable says about a file fault: the file, why it cannot be used, SQLite's words, the fix."""
    if isinstance(exc, OSError):
        why, fix = f"its folder {path.parent} cannot be made or used", _UNOPENABLE[1]
    else:
        code = getattr(exc, "sqlite_errorcode", None)
        why, fix = _CAUSES.get(code & 0xFF if code is not None else None, ("SQLite failed on it", "see the error"))
    return (f"The SQLite file {path} (QA_FEEDBACK_DB), which holds feedback and the Slack bot's state, "
            f"cannot be used: {why} ({exc}). Fix: {fix}.")


def _log_problem(path: Path, message: str | None) -> None:
    """Log a file's problem when it is new (not again while it lasts), and its end."""
    with _logged_lock:
        before = _logged.pop(path, None)
        if message is not None:
            _logged[path] = message
    if message is not None and message != before:
        logger.error("%s", message)
    elif message is None and before is not None:
        logger.warning("The SQLite file %s (QA_FEEDBACK_DB) is usable again", path)


def _migrate(db: sqlite3.Connection, table: Table) -> None:
    db.execute(f"CREATE TABLE IF NOT EXISTS {table.name} ({', '.join(table.columns)})")
    present = {row[1] for row in db.execute(f"PRAGMA table_info({table.name})")}
    for column in table.columns:
        if column.split()[0] not in present:
            db.execute(f"ALTER TABLE {table.name} ADD COLUMN {column}")
    if table.created:  # retention deletes by age on every write
        db.execute(f"CREATE INDEX IF NOT EXISTS {table.name}_{table.created} ON {table.name} ({table.created})")
    for statement in table.after:
        db.execute(statement)


class SQLiteFile:
    """One SQLite file holding `tables`, created or brought up to date when it is first usable."""

    def __init__(self, path: Path, tables: Sequence[Table], retention_days: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """`retention_days` None keeps rows for ever (tools that only read); `clock` gives "now" in seconds.

        The file is opened here, so that its tables are made and a problem is logged at start;
        a file that cannot be used does not raise here but on each use (see the module's notes).
        """
        self.path = path
        self.tables = tuple(tables)
        self.retention_days = retention_days
        self.clock = clock
        self._lock = threading.RLock()  # check() holds it while it records a failure
        self._ready = False
        self._problem: str | None = None
        self._tried_at = 0.0
        with suppress(StoreUnavailable):  # logged; /readyz lists it and every use raises it
            self.check()

    def problem(self) -> StoreUnavailable | None:
        """Why the file cannot be used, or None when it can.

        Cheap enough for a readiness probe: no I/O once the file works; while it does not, it
        is tried again (as `check` does) at most every RETRY_SECONDS, waiting RETRY_BUSY_TIMEOUT at most.
        """
        try:
            self.check()
        except StoreUnavailable as exc:
            return exc
        return None

    def check(self) -> None:
        """Make sure the file is usable, or raise StoreUnavailable.

        Once usable this does nothing; while not, it opens the file again (making its tables)
        at most every RETRY_SECONDS, and in between raises the last problem at once.
        """
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            if self._problem is not None and self.clock() - self._tried_at < RETRY_SECONDS:
                raise StoreUnavailable(self._problem)
            self._tried_at = self.clock()
            try:
                self._open(BUSY_TIMEOUT if self._problem is None else RETRY_BUSY_TIMEOUT)
            except FAULTS as exc:
                if not _is_file_fault(exc):
                    raise
                raise self._failed(exc) from exc
            self._ready, self._problem = True, None
            _log_problem(self.path, None)

    def _open(self, busy_timeout: float) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _connection(self.path, isolation_level=None, timeout=busy_timeout) as db:  # transactions below
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in self.tables:
                    _migrate(db, table)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _failed(self, exc: Exception) -> StoreUnavailable:
        """Record a fault met opening or using the file: it is tried again (after RETRY_SECONDS) on a later use."""
        problem = _problem_of(self.path, exc)
        with self._lock:
            self._ready, self._problem, self._tried_at = False, problem, self.clock()
        _log_problem(self.path, problem)
        return StoreUnavailable(problem)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection whose work is committed when the block ends (rolled back on an error), then closed.

        StoreUnavailable when the file cannot be used; other errors (a broken constraint) pass through.
        """
        self.check()
        try:
            with _connection(self.path) as db, db:
                yield db
        except FAULTS as exc:
            if not _is_file_fault(exc):
                raise
            raise self._failed(exc) from exc

    @contextmanager
    def writing(self, table: Table) -> Iterator[tuple[sqlite3.Connection, str]]:
        """A connection (as `connect`) for adding a row to `table`, and the row's creation time.

        Rows of `table` older than the retention period are deleted in the same transaction.
        """
        now = self.clock()
        with self.connect() as db:
            if table.created and self.retention_days is not None:
                cutoff = timestamp(now - self.retention_days * 86400)
                db.execute(f"DELETE FROM {table.name} WHERE {table.created} < ?", (cutoff,))
            yield db, timestamp(now)
