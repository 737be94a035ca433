"""Questions asking who holds a role, and which sentences name the holder."""

from __future__ import annotations

import pytest
from refusals import assert_refused

from qa_service.engine import Engine
from qa_service.question.conversation import resolve
from qa_service.question.roles import names_holder, role_asked


@pytest.mark.parametrize(("question", "head"), [
    ("Who is the treasurer of Parents Against Injustice?", "treasur"),  # the organisation is not the role
    ("Who is their press officer?", "offic"),
    ("Who is head of safeguarding at the charity?", "head"),
    ("Who was the charity's chair?", "chair"),
    ("Who is their chair, and what did she say?", "chair"),  # the role ends with its clause
    ("Who is Shaun Kelly?", None),  # asks what a person is, not who holds a role
    ("Who was appointed to lead it?", None),  # asks who underwent something
    ("Who was appointed as England's first chief social worker?", "worker"),  # asks who was put in a role
    ("Who was named the charity's new chair?", "chair"),
    ("What is the role of the chief social worker?", None),
    ("Who was the children's minister dealing with the review?", "minist"),  # what the holder does is no role
    ("Who is the minister overseeing the reforms?", "minist"),
    ("Who is the minister who oversaw it?", "minist"),
    ("Who were the charity safeguarding head and the blogger?", "head"),  # "safeguarding" says what kind of head
    ("Who is the journalist behind the piece?", "journalist"),
])
def test_role_asked(question: str, head: str | None) -> None:
    role = role_asked(question)
    assert (role.head if role else None) == head


@pytest.mark.parametrize(("sentence", "names"), [
    ("Jane Smith, press officer at the charity, said it was late.", True),
    ("The charity's press officer Jane Smith said it was late.", True),
    ("The press officer said it was late.", False),  # the role, but no one named
    ("The press officer said The Government was late.", False),  # an article and a capital name no one
    ("Jane Smith said the officer of the press office was late.", True),
    ("The officer in charge of the charity's press work, after a long delay, was Jane Smith.", False),  # too far
    ("Jane Smith said that the charity had at last, after many long months of delay, hired an officer.", False),
    ("The press officer, Dame Butler-Slosh, said so.", True),
    ("The press officer, Mr O'Brien, said so.", True),
    ("A press officer, Jane Smith's report says, is needed.", False),  # a possessive name says whose, not who
    ("The press officer said so. I Agree.", False),
    ("Their press officer Rollo said so.", True),  # one of the collection's names of one word
    ("However, the press officer said so.", False),
    ("The Press Office officer said so.", False),  # only words the question uses
])
def test_names_holder(sentence: str, names: bool) -> None:
    question = "Who is the officer of the Press Office?"
    role = role_asked(question)
    assert role is not None
    assert names_holder(sentence, role, question, frozenset({"rollo"})) is names


def test_role_no_document_fills_abstains(engine: Engine) -> None:
    assert_refused(engine.ask("Who is the treasurer of Parents Against Injustice?"), "They name no one in that role.")


def test_role_the_documents_fill_is_answered(engine: Engine) -> None:
    answer = engine.ask("Who is the safeguarding head at Action for Children?")
    assert not answer.abstained
    assert any("Shaun Kelly" in c.quote for c in answer.citations)


def test_an_appointment_no_document_names_abstains(engine: Engine) -> None:
    """The documents say a chief social worker will be appointed, never who."""
    assert_refused(engine.ask("Who has been appointed as the chief social worker?"), "They name no one in that role.")


def test_a_question_asking_who_wrote_a_story_asks_no_role() -> None:
    """The byline answers "Who is the journalist behind the piece?" without the word "journalist"."""
    assert resolve("Who is the journalist behind the BBC piece?", []).role is None
    assert resolve("Who is the press officer behind the campaign?", []).role is not None
