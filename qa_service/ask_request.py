"""What a client may ask: a question and the conversation so far, checked before the engine runs.

Kept apart from Flask so any front end that takes questions from outside (HTTP today, the
Slack bot next) applies the same limits with the same messages. Every rejection says which
field is wrong and what would be accepted, and nothing is answered or stored for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .config import Settings
from .errors import InvalidQuestion
from .models import Turn
from .text import is_text

# An earlier answer quotes up to a few whole sentences plus citation markers, so it may be
# far longer than a question; the request body limit still bounds the total.
ANSWER_CHARS_PER_QUESTION_CHAR = 10


class InvalidHistory(InvalidQuestion):
    """The conversation history sent with a question is malformed or too long."""

    code = "bad_history"


@dataclass(frozen=True)
class AskRequest:
    """A validated question with its history, oldest turn first."""

    question: str
    history: tuple[Turn, ...] = ()


def check_question(value: Any, settings: Settings) -> str:
    """The question as sent, or InvalidQuestion saying what is wrong with it."""
    if not isinstance(value, str):
        raise InvalidQuestion('Send the question as a string in the JSON field "question".')
    if not value.strip():
        raise InvalidQuestion("The question is empty; type a question.")
    if len(value) > settings.max_question_chars:
        raise InvalidQuestion(
            f"The question is {len(value)} characters long; the limit is {settings.max_question_chars}."
        )
    if not is_text(value):
        raise InvalidQuestion("The question holds characters that are not valid Unicode text.")
    return value


def _check_turn(index: int, item: Any, settings: Settings) -> Turn:
    where = f"history[{index}]"
    if not isinstance(item, dict):
        raise InvalidHistory(f'{where} must be an object {{"question": str, "answer": str}}.')
    question, answer = item.get("question"), item.get("answer")
    if not isinstance(question, str) or not question.strip():
        raise InvalidHistory(f'{where}.question must be a non-empty string.')
    if not isinstance(answer, str):
        raise InvalidHistory(f"{where}.answer must be a string.")
    if len(question) > settings.max_question_chars:
        raise InvalidHistory(f"{where}.question is longer than {settings.max_question_chars} characters.")
    answer_limit = settings.max_question_chars * ANSWER_CHARS_PER_QUESTION_CHAR
    if len(answer) > answer_limit:
        raise InvalidHistory(f"{where}.answer is longer than {answer_limit} characters.")
    if not (is_text(question) and is_text(answer)):
        raise InvalidHistory(f"{where} holds characters that are not valid Unicode text.")
    return Turn(question=question, answer=answer)


def check_history(value: Any, settings: Settings) -> tuple[Turn, ...]:
    """The history as Turns, oldest first, or InvalidHistory naming the first bad item."""
    if not isinstance(value, list):
        raise InvalidHistory('"history" must be a list of {"question": str, "answer": str}, oldest first.')
    if len(value) > settings.max_history_turns:
        raise InvalidHistory(
            f"The history has {len(value)} turns; send at most the last {settings.max_history_turns}."
        )
    return tuple(_check_turn(i, item, settings) for i, item in enumerate(value))


def parse_ask_request(payload: Mapping[str, Any], settings: Settings) -> AskRequest:
    """Validate a decoded JSON object; unknown fields are ignored so clients can add their own."""
    question = check_question(payload.get("question"), settings)
    history = check_history(payload["history"], settings) if "history" in payload else ()
    return AskRequest(question=question, history=history)
