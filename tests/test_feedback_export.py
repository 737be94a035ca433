"""`python -m evaluate feedback`: thumbs-down answers out as candidate gold items for review."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from evaluate import cli
from evaluate.gold import parse_gold
from qa_service.feedback import Feedback, FeedbackStore
from qa_service.models import Turn

CITATION = {"n": 1, "doc_id": "003_7bfe52c2e0f08c40", "title": "Action for Children backs Munro report",
            "source": "PoliticsHome", "date": "", "section": "", "quote": "Shaun Kelly said:", "start": 5, "end": 22}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.record(Feedback("widget", "up", "Who leads safeguarding?", "Shaun Kelly said: [1]", (CITATION,)))
    store.record(Feedback("widget", "down", "Who leads safeguarding?", "Shaun Kelly said: [1]", (CITATION,)))
    store.record(Feedback("slack", "down", "Lasagne “recipe”?", "The documents don't answer this question.", (),
                          comment="it should say so"))
    return path


def test_thumbs_down_become_gold_candidates_the_loader_reads(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "candidates.jsonl"
    code, stdout, stderr = run("feedback", "--db", str(db), "--out", str(out))
    assert (code, stdout) == (0, "")
    assert "2 thumbs-down" in stderr and str(out) in stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["feedback-2", "feedback-3"]  # thumbs-up left out, oldest first
    first, second = lines
    assert first["turns"] == [{"question": "Who leads safeguarding?", "answer_groups": [], "docs": [], "evidence": ""}]
    assert first["feedback"]["answer"] == "Shaun Kelly said: [1]"
    assert first["feedback"]["citations"] == [CITATION]
    assert first["feedback"]["history"] == []  # a first question: one turn, nothing before it
    assert (second["feedback"]["client"], second["feedback"]["comment"]) == ("slack", "it should say so")
    assert second["turns"][0]["question"] == "Lasagne “recipe”?"  # kept as typed, not escaped
    items = parse_gold(out.read_text(encoding="utf-8"), "candidates")  # the gold loader takes the file as it is
    assert [item.category for item in items] == ["feedback", "feedback"]
    assert not any(item.turns[0].answerable for item in items)  # truth is the reviewer's to fill in


def test_a_follow_up_becomes_a_conversation_with_its_earlier_turns_first(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    history = (Turn("Which charity backed the Munro report?", "Action for Children backs Munro report [1]"),
               Turn("Who spoke for it?", "Shaun Kelly said: [1]"))
    FeedbackStore(path).record(Feedback("slack", "down", "Who is their head of safeguarding?", "Shaun Kelly said: [1]",
                                        (CITATION,), history=history))
    code, stdout, _ = run("feedback", "--db", str(path))
    assert code == 0
    [line] = [json.loads(row) for row in stdout.splitlines()]
    empty = {"answer_groups": [], "docs": [], "evidence": ""}
    assert line["turns"] == [{"question": "Which charity backed the Munro report?", **empty},
                             {"question": "Who spoke for it?", **empty},
                             {"question": "Who is their head of safeguarding?", **empty}]
    assert line["feedback"]["history"] == [{"question": t.question, "answer": t.answer} for t in history]
    assert line["feedback"]["answer"] == "Shaun Kelly said: [1]"  # the rated answer, i.e. the last turn's
    [item] = parse_gold(stdout, "candidates")
    assert [turn.question for turn in item.turns] == [t.question for t in history] + [
        "Who is their head of safeguarding?"]


def test_default_output_is_stdout_and_default_db_is_the_setting(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_FEEDBACK_DB", str(db))
    code, stdout, _ = run("feedback")
    assert code == 0
    assert [json.loads(line)["id"] for line in stdout.splitlines()] == ["feedback-2", "feedback-3"]


def test_no_thumbs_down_writes_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    FeedbackStore(path).record(Feedback("widget", "up", "Q?", "A. [1]"))
    out = tmp_path / "candidates.jsonl"
    assert run("feedback", "--db", str(path), "--out", str(out))[0] == 0
    assert out.read_text() == ""


def test_usage_errors_exit_2_with_one_line(tmp_path: Path, db: Path) -> None:
    code, _, stderr = run("feedback", "--db", str(tmp_path / "missing.sqlite3"))
    assert code == 2 and "no feedback database" in stderr and len(stderr.splitlines()) == 1
    assert not (tmp_path / "missing.sqlite3").exists()  # not created by asking
    code, _, stderr = run("feedback", "--db", str(db), "--out", str(tmp_path / "no" / "such" / "out.jsonl"))
    assert code == 2 and "does not exist" in stderr
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    code, _, stderr = run("feedback", "--db", str(broken))
    assert code == 2 and "cannot read feedback database" in stderr and "not a SQLite database" in stderr
    assert len(stderr.splitlines()) == 1

