"""The Slack bot's SQLite state: claims shared across processes, thread histories, stored answers."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

from qa_service.engine import Engine
from qa_service.models import Answer, Turn
from qa_service.slack.events import Conversation
from qa_service.slack.store import HANDLED_KEEP_SECONDS, SlackStore, SlackTurn

THREAD = Conversation("T1", "C1", "100.1")
DM = Conversation("T1", "D1", "")


def plain(text: str) -> Answer:
    return Answer(answer=text, abstained=False, citations=(), passages=(), confidence=0.5, query=text)


def _claim_in_process(path: str, key: str, results: multiprocessing.Queue) -> None:
    results.put(SlackStore(Path(path)).claim(key))


def test_a_key_is_claimed_once_across_stores_and_processes(tmp_path: Path) -> None:
    path = tmp_path / "qa.sqlite3"
    assert SlackStore(path).claim("event:Ev1") is True
    assert SlackStore(path).claim("event:Ev1") is False  # another worker's store, same file
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    processes = [context.Process(target=_claim_in_process, args=(str(path), "event:Ev2", results)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert sorted(results.get(timeout=10) for _ in processes) == [False, False, False, True]


def test_a_released_claim_can_be_claimed_again(tmp_path: Path) -> None:
    store = SlackStore(tmp_path / "qa.sqlite3")
    assert store.claim("post:t1") and not store.claim("post:t1")
    store.release("post:t1")
    assert store.claim("post:t1")


def test_old_claims_are_forgotten_after_a_day(tmp_path: Path) -> None:
    now = [1_000_000.0]
    store = SlackStore(tmp_path / "qa.sqlite3", clock=lambda: now[0])
    assert store.claim("event:Ev1")
    now[0] += HANDLED_KEEP_SECONDS + 1
    assert store.claim("event:Ev2")  # pruning happens on the next claim
    assert store.claim("event:Ev1")


def test_turns_past_retention_are_forgotten_when_a_new_one_is_added(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    store = SlackStore(tmp_path / "qa.sqlite3", clock=lambda: now[0], retention_days=7)
    store.add_turn(SlackTurn("t0", "q0", plain("a0"), THREAD))
    now[0] += 8 * 86400
    assert store.history(THREAD, 5) == (Turn("q0", "a0"),)  # only a write deletes
    store.add_turn(SlackTurn("t1", "q1", plain("a1"), THREAD))
    assert store.history(THREAD, 5) == (Turn("q1", "a1"),)
    assert store.turn("t0") is None


def test_history_is_the_threads_last_turns_oldest_first(tmp_path: Path) -> None:
    store = SlackStore(tmp_path / "qa.sqlite3")
    assert not store.knows(THREAD)
    for i in range(5):
        store.add_turn(SlackTurn(f"t{i}", f"q{i}", plain(f"a{i}"), THREAD))
    store.add_turn(SlackTurn("elsewhere", "other", plain("x"), Conversation("T1", "C1", "200.2")))
    store.add_turn(SlackTurn("ephemeral", "private", plain("y"), None))
    assert store.knows(THREAD)
    assert store.history(THREAD, 3) == (Turn("q2", "a2"), Turn("q3", "a3"), Turn("q4", "a4"))
    assert store.history(Conversation("T2", "C1", "100.1"), 3) == ()  # another workspace


def test_a_stored_answer_comes_back_whole(tmp_path: Path, engine: Engine) -> None:
    store = SlackStore(tmp_path / "qa.sqlite3")
    answer = engine.ask("Who is the head of safeguarding at Action for Children?")
    assert any(c.answer_span for c in answer.citations)  # so the round trip covers the marked phrase
    asked = SlackTurn("t1", "the question", answer, THREAD, history=(Turn("earlier?", "Earlier. [1]"),),
                      question_ts="100.2", answer_ts="100.3")
    store.add_turn(asked)
    assert store.turn("t1") == asked
    store.add_turn(SlackTurn("t2", "private", answer, None))
    assert store.turn("t2") == SlackTurn("t2", "private", answer, None, (), None, None)
    assert store.turn("missing") is None


def dm_turn(n: int, thread_ts: str = "") -> SlackTurn:
    """The n-th DM exchange: question posted at ts n.1, answer at n.2."""
    return SlackTurn(f"dm{n}{thread_ts}", f"q{n}", plain(f"a{n}"), Conversation("T1", "D1", thread_ts),
                     question_ts=f"{n}.1", answer_ts=f"{n}.2")


def test_a_dm_thread_starts_from_the_dm_up_to_the_message_it_hangs_from(tmp_path: Path) -> None:
    store = SlackStore(tmp_path / "qa.sqlite3")
    for n in (1, 2, 3):
        store.add_turn(dm_turn(n))
    under_answer_2, under_question_2 = Conversation("T1", "D1", "2.2"), Conversation("T1", "D1", "2.1")
    expected = (Turn("q1", "a1"), Turn("q2", "a2"))  # never q3: it came after the message
    assert store.history(under_answer_2, 10, branches_from=DM) == expected
    assert store.history(under_question_2, 10, branches_from=DM) == expected
    assert store.history(under_answer_2, 1, branches_from=DM) == (Turn("q2", "a2"),)
    assert store.history(under_answer_2, 10) == ()  # only a DM thread inherits
    assert store.history(Conversation("T1", "D1", "9.9"), 10, branches_from=DM) == ()  # no turn of ours there
    assert store.history(Conversation("T1", "D2", "2.2"), 10, branches_from=Conversation("T1", "D2", "")) == ()

    store.add_turn(SlackTurn("in-thread", "q4", plain("a4"), under_answer_2, question_ts="4.1", answer_ts="4.2"))
    store.add_turn(dm_turn(5))  # the DM goes on meanwhile: not part of the thread
    assert store.history(under_answer_2, 10, branches_from=DM) == (*expected, Turn("q4", "a4"))
    assert store.history(under_answer_2, 2, branches_from=DM) == (Turn("q2", "a2"), Turn("q4", "a4"))
    assert store.history(DM, 10) == (Turn("q1", "a1"), Turn("q2", "a2"), Turn("q3", "a3"), Turn("q5", "a5"))


OLD_SCHEMA = """
CREATE TABLE slack_handled (key TEXT PRIMARY KEY, handled_at REAL NOT NULL);
CREATE TABLE slack_turns (turn_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, team TEXT, channel TEXT,
    thread_ts TEXT, question TEXT NOT NULL, answer_text TEXT NOT NULL, answer_json TEXT NOT NULL);
"""


def test_a_file_from_before_history_and_timestamps_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "qa.sqlite3"
    old_answer = plain("Old answer.")
    with closing(sqlite3.connect(path)) as db, db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO slack_turns VALUES ('old', '2026-01-01T00:00:00+00:00', 'T1', 'D1', '', 'Old?', "
                   "'Old answer.', ?)", (json.dumps(asdict(old_answer)),))
        db.execute("INSERT INTO slack_handled VALUES ('event:Ev1', ?)", (time.time(),))
    store = SlackStore(path)
    assert store.turn("old") == SlackTurn("old", "Old?", old_answer, DM)  # no history, no timestamps
    assert not store.claim("event:Ev1")  # the old claims still hold
    store.add_turn(dm_turn(1))
    assert store.history(DM, 10) == (Turn("Old?", "Old answer."), Turn("q1", "a1"))
    assert store.history(Conversation("T1", "D1", "1.2"), 10, branches_from=DM) == (
        Turn("Old?", "Old answer."), Turn("q1", "a1"))
    SlackStore(path)  # opening an upgraded file again changes nothing
    with closing(sqlite3.connect(path)) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(slack_turns)")]
    assert columns[-3:] == ["history", "question_ts", "answer_ts"]
