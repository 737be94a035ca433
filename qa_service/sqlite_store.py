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
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .models import Turn

BUSY_TIMEOUT = 10  # seconds a connection waits for another process's write lock


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
def _connection(path: Path, isolation_level: str | None = "") -> Iterator[sqlite3.Connection]:
    """`isolation_level=None` leaves transactions to the caller; "" is Python's default (implicit BEGIN)."""
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=isolation_level)) as db:
        yield db


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
    """One SQLite file holding `tables`, created or brought up to date when it is opened."""

    def __init__(self, path: Path, tables: Sequence[Table], retention_days: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """`retention_days` None keeps rows for ever (tools that only read); `clock` gives "now" in seconds."""
        self.path = path
        self.retention_days = retention_days
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with _connection(path, isolation_level=None) as db:  # transactions spelled out below
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in tables:
                    _migrate(db, table)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection whose work is committed when the block ends (rolled back on an error), then closed."""
        with _connection(self.path) as db, db:
            yield db

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
