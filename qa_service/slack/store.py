"""What the Slack bot must remember, in the service's SQLite file (settings.feedback_db).

Two tables, shared by every gunicorn worker and every instance that mounts the same file
(see sqlite_store, which also adds the columns a file from an older version lacks):

- `slack_handled`: keys of work already taken (event ids, messages, feedback clicks). A
  claim is an INSERT that fails on a duplicate primary key, so when Slack retries an event
  or delivers it to two workers at once exactly one claim succeeds; process memory could
  not give that guarantee.
- `slack_turns`: every answer the bot gave, with its question, the history it was asked
  with, and the timestamps of the question's and the answer's messages. A thread's
  follow-ups get the conversation as history (Slack's conversations.replies is never
  called); a thread under a DM message starts from the DM's turns up to that message; and a
  button click (feedback, "Post to channel") finds the answer and history it belongs to.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..models import Answer, AnswerSpan, Citation, Passage, ScoredPassage, Turn
from ..sqlite_store import SQLiteFile, Table, history_column, history_from_column
from .events import Conversation

HANDLED_KEEP_SECONDS = 24 * 3600  # Slack retries an event for about an hour; a day is plenty

HANDLED_TABLE = Table(
    "slack_handled",
    ("key TEXT PRIMARY KEY", "handled_at REAL NOT NULL"),
    after=("CREATE INDEX IF NOT EXISTS slack_handled_age ON slack_handled (handled_at)",),
)
TURNS_TABLE = Table(
    "slack_turns",
    (
        "turn_id TEXT PRIMARY KEY",
        "created_at TEXT NOT NULL",
        "team TEXT",
        "channel TEXT",
        "thread_ts TEXT",
        "question TEXT NOT NULL",
        "answer_text TEXT NOT NULL",
        "answer_json TEXT NOT NULL",
        # added later; rows from before them have no history and no message timestamps
        "history TEXT NOT NULL DEFAULT '[]'",
        "question_ts TEXT",
        "answer_ts TEXT",
    ),
    after=("CREATE INDEX IF NOT EXISTS slack_turns_thread ON slack_turns (team, channel, thread_ts)",),
    created="created_at",
)
_TURN_COLUMNS = "turn_id, team, channel, thread_ts, question, answer_json, history, question_ts, answer_ts"


@dataclass(frozen=True)
class SlackTurn:
    """One answer the bot gave.

    `conversation` is None for a reply only its asker saw. `history` is what the engine was
    asked with, oldest first. `question_ts` and `answer_ts` are the Slack timestamps of the
    question's and the answer's messages, None where there is no such message (an /ask).
    """

    turn_id: str
    question: str
    answer: Answer
    conversation: Conversation | None
    history: tuple[Turn, ...] = ()
    question_ts: str | None = None
    answer_ts: str | None = None


def _answer_to_row(answer: Answer) -> str:
    return json.dumps(asdict(answer), ensure_ascii=False)


def _answer_from_row(raw: str) -> Answer:
    data: dict[str, Any] = json.loads(raw)
    return Answer(
        answer=data["answer"],
        abstained=data["abstained"],
        citations=tuple(_citation_from_row(c) for c in data["citations"]),
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


def _citation_from_row(data: dict[str, Any]) -> Citation:
    span = data.get("answer_span")  # rows stored before answer spans have none
    return Citation(**{**data, "answer_span": AnswerSpan(**span) if span else None})


def _turn_from_row(row: tuple) -> SlackTurn:
    turn_id, team, channel, thread_ts, question, answer_json, history, question_ts, answer_ts = row
    return SlackTurn(
        turn_id=turn_id, question=question, answer=_answer_from_row(answer_json),
        conversation=Conversation(team, channel, thread_ts) if team is not None else None,
        history=history_from_column(history), question_ts=question_ts, answer_ts=answer_ts,
    )


def _where(conversation: Conversation) -> tuple[str, str, str]:
    return conversation.team, conversation.channel, conversation.thread_ts


class SlackStore:
    """The Slack tables of the service's SQLite file.

    Every method raises StoreUnavailable while the file cannot be used (`file.problem()` says why);
    the bot then asks Slack to send the event again later rather than answer without its claims.
    """

    def __init__(self, path: Path, clock: Callable[[], float] = time.time, retention_days: int | None = None) -> None:
        """Turns older than `retention_days` are deleted as new ones arrive (None: kept for ever);
        a thread older than that starts afresh."""
        self.path = path
        self.file = SQLiteFile(path, (HANDLED_TABLE, TURNS_TABLE), retention_days, clock)

    def claim(self, key: str) -> bool:
        """True for the first caller to claim `key` (in any process), False for every later one."""
        now = self.file.clock()
        with self.file.connect() as db:
            db.execute("DELETE FROM slack_handled WHERE handled_at < ?", (now - HANDLED_KEEP_SECONDS,))
            try:
                db.execute("INSERT INTO slack_handled (key, handled_at) VALUES (?, ?)", (key, now))
            except sqlite3.IntegrityError:
                return False
        return True

    def release(self, key: str) -> None:
        """Give a claim back, so the work can be tried again (e.g. a post that Slack refused)."""
        with self.file.connect() as db:
            db.execute("DELETE FROM slack_handled WHERE key = ?", (key,))

    def add_turn(self, turn: SlackTurn) -> None:
        """Remember an answer the bot posted (call it once the post succeeded)."""
        where = _where(turn.conversation) if turn.conversation else (None,) * 3
        with self.file.writing(TURNS_TABLE) as (db, created):
            db.execute(
                "INSERT INTO slack_turns (turn_id, created_at, team, channel, thread_ts, question, answer_text,"
                " answer_json, history, question_ts, answer_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (turn.turn_id, created, *where, turn.question, turn.answer.answer, _answer_to_row(turn.answer),
                 history_column(turn.history), turn.question_ts, turn.answer_ts),
            )

    def knows(self, conversation: Conversation) -> bool:
        """True when the bot has answered in this conversation (so its follow-ups are questions)."""
        with self.file.connect() as db:
            row = db.execute(
                "SELECT 1 FROM slack_turns WHERE team = ? AND channel = ? AND thread_ts = ? LIMIT 1",
                _where(conversation),
            ).fetchone()
        return row is not None

    def history(self, conversation: Conversation, limit: int, branches_from: Conversation | None = None
                ) -> tuple[Turn, ...]:
        """The conversation's last `limit` questions and answers, oldest first.

        With `branches_from` (a thread under a DM message), the turns of that conversation up
        to and including the one whose question or answer is the thread's root message come
        first, then the thread's own turns; a root the bot has no turn for adds nothing.
        """
        with self.file.connect() as db:
            own = db.execute(
                "SELECT question, answer_text FROM slack_turns WHERE team = ? AND channel = ? AND thread_ts = ?"
                " ORDER BY rowid DESC LIMIT ?",
                (*_where(conversation), limit),
            ).fetchall()
            earlier: list[tuple[str, str]] = []
            if branches_from is not None and conversation.thread_ts:
                earlier = db.execute(
                    "SELECT question, answer_text FROM slack_turns WHERE team = ? AND channel = ? AND thread_ts = ?"
                    " AND rowid <= (SELECT max(rowid) FROM slack_turns WHERE team = ? AND channel = ?"
                    " AND thread_ts = ? AND ? IN (question_ts, answer_ts))"
                    " ORDER BY rowid DESC LIMIT ?",
                    (*_where(branches_from), *_where(branches_from), conversation.thread_ts, limit),
                ).fetchall()
        rows = [*reversed(earlier), *reversed(own)]
        return tuple(Turn(question=q, answer=a) for q, a in rows[-limit:])

    def turn(self, turn_id: str) -> SlackTurn | None:
        """The answer a button refers to, or None when it is unknown (e.g. another database)."""
        with self.file.connect() as db:
            row = db.execute(f"SELECT {_TURN_COLUMNS} FROM slack_turns WHERE turn_id = ?", (turn_id,)).fetchone()
        return None if row is None else _turn_from_row(row)
