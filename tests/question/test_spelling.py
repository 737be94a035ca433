"""Misspelt names in a question, put right against the names the documents use."""

from __future__ import annotations

import pytest

from qa_service.engine import Engine
from qa_service.models import Turn
from qa_service.question.spelling import Vocabulary, respelt

VOCABULARY = Vocabulary.of([
    "Children’s minister Tim Loughton told parliament this week.",
    "Marion Davis, president of the association, welcomed it.",
    "Males and females were asked; the government decided to act.",
    "Shaun Kelly and Shaun Kells spoke.",
])


@pytest.mark.parametrize(("question", "read"), [
    ("What did Tim Loughten tell parliament?", "What did Tim Loughton tell parliament?"),  # a letter changed
    ("What did Marion Davies say?", "What did Marion Davis say?"),  # a letter added
    ("Did Tim Lougthon speak?", "Did Tim Loughton speak?"),  # two letters swapped
    ("Did the review cover Wales?", "Did the review cover Wales?"),  # "Males" changes the first letter
    ("Why did the government decide to act?", "Why did the government decide to act?"),  # not a name: left alone
    ("What did Shaun Kell say?", "What did Shaun Kell say?"),  # a slip from two names: which one is unknown
    ("Loughten said what?", "Loughten said what?"),  # an opening capital names nothing for sure
    ("What did the DAVIES report say?", "What did the DAVIES report say?"),  # capitals: an acronym, not a slip
])
def test_a_name_one_slip_from_a_name_of_the_documents_is_read_as_it(question: str, read: str) -> None:
    assert respelt(question, VOCABULARY) == read


def test_a_misspelt_name_is_answered_as_the_name(engine: Engine) -> None:
    misspelt = engine.ask("What did Tim Loughten tell parliament?")
    assert not misspelt.abstained, "not refused as naming someone the documents never mention"
    assert misspelt.answer == engine.ask("What did Tim Loughton tell parliament?").answer
    assert "Loughton" in misspelt.query


def test_a_misspelt_name_earlier_in_the_conversation_is_read_as_the_name(engine: Engine) -> None:
    first = "What did Tim Loughten tell parliament?"
    follow_up = engine.ask("And why?", [Turn(first, engine.ask(first).answer)])
    assert "Loughton" in follow_up.query and "Loughten" not in follow_up.query
