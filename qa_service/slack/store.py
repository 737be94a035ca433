"""What the Slack bot must remember, in the service's SQLite file (settings.feedback_db).

Two tables, shared by every gunicorn worker and every instance that mounts the same file:

- `slack_handled`: keys of work already taken (event ids, messages, feedback clicks). A
  claim is an INSERT that fails on a duplicate primary key, so when Slack retries an event
  or delivers it to two workers at once exactly one claim succeeds; process memory could
  not give that guarantee.
- `slack_turns`: every answer the bot gave, with its question, so a thread's follow-ups get
  the conversation as history (Slack's conversations.replies is never called), and a
  button click (feedback, "Post to channel") finds the answer it belongs to.

Each call opens its own connection, so one store is safe to share between threads.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..models import Answer, Citation, Passage, ScoredPassage, Turn
from .events import Conversation

HANDLED_KEEP_SECONDS = 24 * 3600  # Slack retries an event for about an hour; a day is plenty

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_handled (
    key TEXT PRIMARY KEY,
    handled_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS slack_handled_age ON slack_handled (handled_at);
CREATE TABLE IF NOT EXISTS slack_turns (
    turn_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    team TEXT,
    channel TEXT,
    thread_ts TEXT,
    question TEXT NOT NULL,
    answer_text TEXT NOT NULL,
    answer_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS slack_turns_thread ON slack_turns (team, channel, thread_ts);
"""


@dataclass(frozen=True)
class SlackTurn:
    """One answer the bot gave; `conversation` is None for a reply only its asker saw."""

    turn_id: str
    question: str
    answer: Answer
    conversation: Conversation | None


def _answer_to_row(answer: Answer) -> str:
    return json.dumps(asdict(answer), ensure_ascii=False)


def _answer_from_row(raw: str) -> Answer:
    data: dict[str, Any] = json.loads(raw)
    return Answer(
        answer=data["answer"],
        abstained=data["abstained"],
        citations=tuple(Citation(**c) for c in data["citations"]),
        passages=tuple(
            ScoredPassage(passage=Passage(**{**p["passage"], "sentence_ids": tuple(p["passage"]["sentence_ids"])}),
                          score=p["score"])
            for p in data["passages"]
        ),
        confidence=data["confidence"],
        query=data["query"],
        timings_ms=data.get("timings_ms", {}),
        ordered_by_date=data.get("ordered_by_date", False),
    )


class SlackStore:
    """The Slack tables of the service's SQLite file."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            yield db

    def claim(self, key: str) -> bool:
        """True for the first caller to claim `key` (in any process), False for every later one."""
        now = self._clock()
        with self._connect() as db:
            db.execute("DELETE FROM slack_handled WHERE handled_at < ?", (now - HANDLED_KEEP_SECONDS,))
            try:
                db.execute("INSERT INTO slack_handled (key, handled_at) VALUES (?, ?)", (key, now))
            except sqlite3.IntegrityError:
                return False
        return True

    def release(self, key: str) -> None:
        """Give a claim back, so the work can be tried again (e.g. a post that Slack refused)."""
        with self._connect() as db:
            db.execute("DELETE FROM slack_handled WHERE key = ?", (key,))

    def add_turn(self, turn_id: str, question: str, answer: Answer, conversation: Conversation | None) -> None:
        """Remember an answer the bot posted (call it once the post succeeded)."""
        where = (conversation.team, conversation.channel, conversation.thread_ts) if conversation else (None,) * 3
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            db.execute(
                "INSERT INTO slack_turns (turn_id, created_at, team, channel, thread_ts, question, answer_text,"
                " answer_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (turn_id, created, *where, question, answer.answer, _answer_to_row(answer)),
            )

    def knows(self, conversation: Conversation) -> bool:
        """True when the bot has answered in this conversation (so its follow-ups are questions)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT 1 FROM slack_turns WHERE team = ? AND channel = ? AND thread_ts = ? LIMIT 1",
                (conversation.team, conversation.channel, conversation.thread_ts),
            ).fetchone()
        return row is not None

    def history(self, conversation: Conversation, limit: int) -> tuple[Turn, ...]:
        """The conversation's last `limit` questions and answers, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, answer_text FROM slack_turns WHERE team = ? AND channel = ? AND thread_ts = ?"
                " ORDER BY rowid DESC LIMIT ?",
                (conversation.team, conversation.channel, conversation.thread_ts, limit),
            ).fetchall()
        return tuple(Turn(question=q, answer=a) for q, a in reversed(rows))

    def turn(self, turn_id: str) -> SlackTurn | None:
        """The answer a button refers to, or None when it is unknown (e.g. another database)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT turn_id, team, channel, thread_ts, question, answer_json FROM slack_turns WHERE turn_id = ?",
                (turn_id,),
            ).fetchone()
        if row is None:
            return None
        conversation = Conversation(row[1], row[2], row[3]) if row[1] is not None else None
        return SlackTurn(turn_id=row[0], question=row[4], answer=_answer_from_row(row[5]), conversation=conversation)
