"""The service's SQLite file fails alone: each fault a named, fixable StoreUnavailable, logged once,
retried without tying up threads, and left behind once the file is repaired."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest
from store_faults import CAUSES, FAULTS, broken

from qa_service import sqlite_store
from qa_service.errors import StoreUnavailable
from qa_service.feedback import Feedback, FeedbackStore
from qa_service.slack.store import SlackStore

RATING = Feedback("widget", "down", "Who is the head of safeguarding?", "Shaun Kelly said: [1]")


@pytest.fixture(autouse=True)
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked file is given up on after 0.3 s (0.2 s when tried again), so the tests stay quick."""
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT", 0.3)
    monkeypatch.setattr(sqlite_store, "RETRY_BUSY_TIMEOUT", 0.2)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "feedback.sqlite3"


def store_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "qa_service.sqlite_store" and r.levelno >= logging.ERROR]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_file_that_cannot_be_used_fails_each_use_naming_it_why_and_the_fix(path: Path, fault: str) -> None:
    now = [1000.0]
    with broken(path, fault):
        store = FeedbackStore(path, clock=lambda: now[0])  # opening does not raise: the service starts
        problem = store.file.problem()
        assert problem is not None and problem.code == "store_unavailable"
        for message in (str(problem), *(str(_raised(use)) for use in (lambda: store.record(RATING), store.items))):
            assert str(path) in message and CAUSES[fault] in message and "Fix:" in message
    now[0] += sqlite_store.RETRY_SECONDS
    assert store.record(RATING) == 1  # repaired: the next use makes the tables and stores the rating
    assert [item.question for item in store.items()] == [RATING.question]
    assert store.file.problem() is None


def _raised(use: object) -> StoreUnavailable:
    with pytest.raises(StoreUnavailable) as raised:
        use()  # type: ignore[operator]
    return raised.value


def test_a_problem_is_logged_once_for_every_store_on_the_file_and_its_end_once(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    with caplog.at_level(logging.INFO, logger="qa_service.sqlite_store"), broken(path, "damaged"):
        feedback, slack = FeedbackStore(path, clock=lambda: now[0]), SlackStore(path, clock=lambda: now[0])
        for _ in range(3):
            now[0] += sqlite_store.RETRY_SECONDS  # each use opens the file again, and fails again
            _raised(lambda: feedback.record(RATING))
            _raised(lambda: slack.claim("event:Ev1"))
    [logged] = store_errors(caplog)
    assert str(path) in logged.getMessage() and CAUSES["damaged"] in logged.getMessage()
    now[0] += sqlite_store.RETRY_SECONDS
    assert slack.claim("event:Ev1") and feedback.record(RATING) == 1
    recovered = [r for r in caplog.records if "usable again" in r.getMessage()]
    assert len(recovered) == 1 and str(path) in recovered[0].getMessage()
    assert len(store_errors(caplog)) == 1


def test_while_locked_uses_fail_at_once_until_the_file_is_tried_again_briefly(path: Path) -> None:
    now = [1000.0]
    with broken(path, "locked"):
        started = time.monotonic()
        store = FeedbackStore(path, clock=lambda: now[0])
        assert time.monotonic() - started >= sqlite_store.BUSY_TIMEOUT  # it waited for the lock once
        started = time.monotonic()
        for _ in range(20):
            assert CAUSES["locked"] in str(_raised(store.items))
        assert time.monotonic() - started < sqlite_store.BUSY_TIMEOUT  # and not again within RETRY_SECONDS
        now[0] += sqlite_store.RETRY_SECONDS
        started = time.monotonic()
        assert store.file.problem() is not None  # as a readiness probe would, it tries again...
        assert sqlite_store.RETRY_BUSY_TIMEOUT <= time.monotonic() - started < sqlite_store.BUSY_TIMEOUT  # briefly
    now[0] += sqlite_store.RETRY_SECONDS
    assert store.items() == []


def test_a_file_damaged_while_in_use_is_noticed_and_made_again_once_moved_aside(path: Path) -> None:
    now = [1000.0]
    store = FeedbackStore(path, clock=lambda: now[0])
    assert store.record(RATING) == 1
    path.write_bytes(b"\0garbage" * 1000)  # e.g. overwritten by another program
    assert CAUSES["damaged"] in str(_raised(lambda: store.record(RATING)))
    assert store.file.problem() is not None
    path.unlink()
    now[0] += sqlite_store.RETRY_SECONDS
    assert store.record(RATING) == 1  # a new, empty file with its tables
    assert store.file.problem() is None


def test_a_broken_constraint_is_not_taken_for_a_broken_file(path: Path) -> None:
    store = FeedbackStore(path)
    row = "INSERT INTO feedback (id, created_at, client, rating, question, answer, citations) VALUES (1, '', 'api', " \
          "'up', 'Q?', 'A.', '[]')"
    with store.file.connect() as db:
        db.execute(row)
    with pytest.raises(sqlite3.IntegrityError), store.file.connect() as db:
        db.execute(row)
    assert store.file.problem() is None
    assert len(store.items()) == 1
