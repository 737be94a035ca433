"""The question inside a chat message: greetings and requests around it are not asked."""

from __future__ import annotations

import pytest

from qa_service.engine import Engine
from qa_service.question.wording import question_inside


@pytest.mark.parametrize(("typed", "inside"), [
    ("Hi, can you tell me who chaired the inquiry?", "who chaired the inquiry?"),
    ("I'd like to know when the guidance is due, please.", "when the guidance is due"),
    ("hello there! do you know why it was dropped?", "why it was dropped?"),
    ("Quick question: who is PAIN?", "who is PAIN?"),
    ("Could you please tell me how many there were", "how many there were"),
    ("Who wrote it? Thanks!", "Who wrote it?"),
    ("I was wondering, what did Munro recommend?", "what did Munro recommend?"),
])
def test_greetings_and_requests_are_taken_off(typed: str, inside: str) -> None:
    assert question_inside(typed) == inside


@pytest.mark.parametrize("typed", [
    "Tell me about the early help offer",  # "about ..." is the question
    "Highlights of the review",  # "Hi" only as a word of its own
    "What did the minister tell me?",
    "Thanks",  # nothing else left: kept as typed
    "Who is their head of safeguarding?",
])
def test_a_plain_question_is_kept_as_typed(typed: str) -> None:
    assert question_inside(typed) == typed


@pytest.mark.parametrize("typed", [
    "x" + " " * 998 + "y",  # one run of spaces that two optional spaces could share in many ways
    "x" + " ," * 499 + "y",
    "x" + ", " * 495 + "please",
])
def test_long_runs_of_spaces_and_commas_are_read_once(typed: str) -> None:
    """A question at the length limit made of what the patterns allow repeatedly returns
    at once (before spaces were collapsed, the first took about 12 seconds)."""
    inside = question_inside(typed)
    assert inside.startswith("x") and "  " not in inside


def test_a_wrapped_question_gets_the_plain_question_s_answer(engine: Engine) -> None:
    plain = engine.ask("Who organised the televised forced adoption event?")
    wrapped = engine.ask("Hi! Can you tell me who organised the televised forced adoption event, please?")
    assert not plain.abstained
    assert wrapped.answer == plain.answer
    assert wrapped.query.lower() == plain.query.lower()  # what was searched: the question alone
