"""Thumbs up/down on answers, from the widget and from Slack, in one SQLite store.

Maintainers review thumbs-down answers as candidate gold items (`python -m evaluate
feedback`), so each record keeps the question, the answer and its citations as shown, and
the conversation that came before it: a follow-up ("Who is their head of safeguarding?")
means nothing without its earlier turns. The table lives in the service's SQLite file (see
sqlite_store), which adds the `history` column to a file written before it existed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .models import Turn
from .sqlite_store import SQLiteFile, Table, history_column, history_from_column

RATINGS = ("up", "down")
CLIENTS = ("widget", "slack", "api")

FEEDBACK_TABLE = Table("feedback", (
    "id INTEGER PRIMARY KEY AUTOINCREMENT",
    "created_at TEXT NOT NULL",
    "client TEXT NOT NULL",
    "rating TEXT NOT NULL CHECK (rating IN ('up', 'down'))",
    "question TEXT NOT NULL",
    "answer TEXT NOT NULL",
    "citations TEXT NOT NULL",
    "comment TEXT NOT NULL DEFAULT ''",
    "history TEXT NOT NULL DEFAULT '[]'",  # added later: rows from before it read as no history
), created="created_at")


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer.

    `citations` is the answer's citation list as JSON-able dicts; `history` the conversation's
    earlier questions and answers, oldest first, as the client sent them with the question.
    """

    client: str
    rating: str
    question: str
    answer: str
    citations: tuple[dict, ...] = ()
    comment: str = ""
    created_at: str = ""
    id: int | None = None
    history: tuple[Turn, ...] = ()


class FeedbackStore:
    """The feedback table of the service's SQLite file.

    Ratings older than `retention_days` are deleted as new ones arrive (None: kept for ever),
    so maintainers export thumbs-down answers (`python -m evaluate feedback`) within that time.
    Every method raises StoreUnavailable while the file cannot be used (`file.problem()` says why).
    """

    def __init__(self, path: Path, retention_days: int | None = None, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.file = SQLiteFile(path, (FEEDBACK_TABLE,), retention_days, clock)

    def record(self, item: Feedback) -> int:
        """Store a rating and return its id; raises ValueError for an unknown rating or client."""
        if item.rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}")
        if item.client not in CLIENTS:
            raise ValueError(f"client must be one of {', '.join(CLIENTS)}")
        with self.file.writing(FEEDBACK_TABLE) as (db, now):
            cursor = db.execute(
                "INSERT INTO feedback (created_at, client, rating, question, answer, citations, comment, history)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (item.created_at or now, item.client, item.rating, item.question, item.answer,
                 json.dumps(list(item.citations), ensure_ascii=False), item.comment,
                 history_column(item.history)),
            )
            return int(cursor.lastrowid)

    def items(self, rating: str | None = None) -> list[Feedback]:
        """Stored ratings, oldest first, optionally only 'up' or 'down'."""
        query = "SELECT id, created_at, client, rating, question, answer, citations, comment, history FROM feedback"
        params: tuple = ()
        if rating is not None:
            query += " WHERE rating = ?"
            params = (rating,)
        with self.file.connect() as db:
            rows = db.execute(query + " ORDER BY id", params).fetchall()
        return [
            Feedback(id=r[0], created_at=r[1], client=r[2], rating=r[3], question=r[4], answer=r[5],
                     citations=tuple(json.loads(r[6])), comment=r[7],
                     history=history_from_column(r[8]))
            for r in rows
        ]
