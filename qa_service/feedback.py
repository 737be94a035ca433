"""Thumbs up/down on answers, from the widget and from Slack, in one SQLite store.

Maintainers review thumbs-down answers as candidate gold items (`python -m evaluate
feedback`), so each record keeps the question, the answer and its citations as shown.
SQLite serialises writers across gunicorn workers; each call opens its own connection,
so the store is safe to share between threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RATINGS = ("up", "down")
CLIENTS = ("widget", "slack", "api")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    client TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
"""


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer; `citations` is the answer's citation list as JSON-able dicts."""

    client: str
    rating: str
    question: str
    answer: str
    citations: tuple[dict, ...] = ()
    comment: str = ""
    created_at: str = ""
    id: int | None = None


class FeedbackStore:
    """The feedback table of the service's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db

    def record(self, item: Feedback) -> int:
        """Store a rating and return its id; raises ValueError for an unknown rating or client."""
        if item.rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}")
        if item.client not in CLIENTS:
            raise ValueError(f"client must be one of {', '.join(CLIENTS)}")
        created = item.created_at or datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, client, rating, question, answer, citations, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created, item.client, item.rating, item.question, item.answer,
                 json.dumps(list(item.citations), ensure_ascii=False), item.comment),
            )
            return int(cursor.lastrowid)

    def items(self, rating: str | None = None) -> list[Feedback]:
        """Stored ratings, oldest first, optionally only 'up' or 'down'."""
        query = "SELECT id, created_at, client, rating, question, answer, citations, comment FROM feedback"
        params: tuple = ()
        if rating is not None:
            query += " WHERE rating = ?"
            params = (rating,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id", params).fetchall()
        return [
            Feedback(id=r[0], created_at=r[1], client=r[2], rating=r[3], question=r[4], answer=r[5],
                     citations=tuple(json.loads(r[6])), comment=r[7])
            for r in rows
        ]
