"""The feedback table: ratings with their conversation, and files from before history was stored."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from qa_service.config import load_settings
from qa_service.feedback import Feedback, FeedbackStore
from qa_service.models import Turn

HISTORY = (Turn("Who is the head of safeguarding at Action for Children?", "Shaun Kelly… said: [1]"),
           Turn("Why “Munro”?", "Because. [1]"))

# The table as the first release wrote it: no history column.
OLD_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, client TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), question TEXT NOT NULL, answer TEXT NOT NULL,
    citations TEXT NOT NULL, comment TEXT NOT NULL DEFAULT ''
);
INSERT INTO feedback (created_at, client, rating, question, answer, citations)
    VALUES ('2026-01-01T00:00:00+00:00', 'widget', 'down', 'Old question?', 'Old answer. [1]', '[]');
"""


def old_file(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(OLD_SCHEMA)
    return path


def test_a_rating_keeps_its_history_in_order(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    first = store.record(Feedback("widget", "down", "What did he say?", "He said. [1]", history=HISTORY))
    second = store.record(Feedback("slack", "up", "First question?", "An answer. [1]"))
    rated, plain = store.items()
    assert (rated.id, rated.history) == (first, HISTORY)
    assert (plain.id, plain.history) == (second, ())


def test_ratings_past_retention_are_deleted_when_a_new_one_arrives(tmp_path: Path) -> None:
    day = 86400.0
    now = [1_800_000_000.0]
    store = FeedbackStore(tmp_path / "feedback.sqlite3", retention_days=30, clock=lambda: now[0])
    store.record(Feedback("widget", "down", "Old question?", "Old answer. [1]"))
    now[0] += 20 * day
    store.record(Feedback("slack", "down", "Newer question?", "Newer answer. [1]"))
    assert [item.question for item in store.items()] == ["Old question?", "Newer question?"]
    now[0] += 11 * day  # the first is 31 days old, the second 11
    store.record(Feedback("widget", "up", "Latest question?", "Latest answer. [1]"))
    assert [item.question for item in store.items()] == ["Newer question?", "Latest question?"]
    assert FeedbackStore(store.path).items() == store.items()  # a reader without retention deletes nothing


def test_retention_is_a_positive_number_of_days() -> None:
    assert load_settings({}).retention_days == 180
    assert load_settings({"QA_RETENTION_DAYS": "30"}).retention_days == 30
    for raw in ("0", "-5", "a month"):
        with pytest.raises(ValueError, match="QA_RETENTION_DAYS"):
            load_settings({"QA_RETENTION_DAYS": raw})


def test_a_file_from_before_history_is_upgraded_and_keeps_its_ratings(tmp_path: Path) -> None:
    path = old_file(tmp_path / "feedback.sqlite3")
    store = FeedbackStore(path)
    [old] = store.items()
    assert (old.id, old.question, old.history) == (1, "Old question?", ())
    store.record(Feedback("widget", "down", "What did he say?", "He said. [1]", history=HISTORY))
    assert [item.history for item in FeedbackStore(path).items()] == [(), HISTORY]  # reopening changes nothing


def _open_store(path: str, results: multiprocessing.Queue) -> None:
    problem = FeedbackStore(Path(path)).file.problem()  # opening it migrated it, or says why not
    results.put("ok" if problem is None else str(problem))


def test_workers_opening_an_old_file_together_add_the_column_once(tmp_path: Path) -> None:
    path = old_file(tmp_path / "feedback.sqlite3")
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_open_store, args=(str(path), results)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [results.get(timeout=10) for _ in processes] == ["ok"] * 4  # no "duplicate column name"
    with closing(sqlite3.connect(path)) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(feedback)")]
    assert columns.count("history") == 1
