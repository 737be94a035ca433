"""The Slack bot's SQLite state: claims shared across processes, thread histories, stored answers."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from qa_service.engine import Engine
from qa_service.models import Answer, Turn
from qa_service.slack.events import Conversation
from qa_service.slack.store import HANDLED_KEEP_SECONDS, SlackStore

THREAD = Conversation("T1", "C1", "100.1")


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


def test_history_is_the_threads_last_turns_oldest_first(tmp_path: Path) -> None:
    store = SlackStore(tmp_path / "qa.sqlite3")
    assert not store.knows(THREAD)
    for i in range(5):
        store.add_turn(f"t{i}", f"q{i}", plain(f"a{i}"), THREAD)
    store.add_turn("elsewhere", "other", plain("x"), Conversation("T1", "C1", "200.2"))
    store.add_turn("ephemeral", "private", plain("y"), None)
    assert store.knows(THREAD)
    assert store.history(THREAD, 3) == (Turn("q2", "a2"), Turn("q3", "a3"), Turn("q4", "a4"))
    assert store.history(Conversation("T2", "C1", "100.1"), 3) == ()  # another workspace


def test_a_stored_answer_comes_back_whole(tmp_path: Path, engine: Engine) -> None:
    store = SlackStore(tmp_path / "qa.sqlite3")
    answer = engine.ask("Who is the head of safeguarding at Action for Children?")
    store.add_turn("t1", "the question", answer, THREAD)
    turn = store.turn("t1")
    assert turn is not None
    assert (turn.question, turn.answer, turn.conversation) == ("the question", answer, THREAD)
    store.add_turn("t2", "private", answer, None)
    assert store.turn("t2").conversation is None  # type: ignore[union-attr]
    assert store.turn("missing") is None
