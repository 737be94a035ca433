"""Questions asking for a figure: what they count, and which sentences give it."""

from __future__ import annotations

import pytest
from refusals import assert_refused

from qa_service.engine import Engine
from qa_service.question.figures import figure_asked, gives_figure
from qa_service.question.kinds import holds_kind


@pytest.mark.parametrize(("question", "phrase"), [
    ("How many serious case reviews were published?", "serious case reviews"),
    ("How many of the minister's proposals were dropped?", "proposals"),  # the possessor is not counted
    ("What percentage of social workers agreed?", "social workers"),
    ("How much did the inquiry cost?", "money"),
    ("How much cash went to the councils?", "money"),
    ("How much does a social worker earn?", "money"),  # pay asked with a verb of earning
    ("How much is a director's salary?", "money"),
    ("What salary does a director get?", "money"), ("What is the fee?", "money"),
    ("How many of them live far away?", None),  # counts something unnamed: nothing to check
    ("What proportion of looked-after children live far away?", "looked children live"),  # a compound modifies
    ("Who chaired the inquiry?", None),
])
def test_figure_asked(question: str, phrase: str | None) -> None:
    figure = figure_asked(question)
    assert (figure.phrase if figure else None) == phrase


@pytest.mark.parametrize(("question", "sentence", "gives"), [
    ("How many children live far away?", "A third of the 64,000 children in care live far away.", True),
    ("How many children were removed?", "Over two hundred children were removed in 1987.", True),
    ("How many children were removed?", "In 1987 children were removed.", False),  # a year counts nothing
    ("How many reviews were published?", "Chapter 8 of Working Together 2010 governs reviews.", False),
    ("How many reviews were published?", "Eight councils said reviews were published.", False),  # counts councils
    ("How much did the inquiry cost?", "The council was given £79.9m for social work.", True),
    ("How much did the inquiry cost?", "The inquiry took 15 months.", False),
    ("How many social workers feel powerless?", "Over half of social workers feel powerless.", True),
    ("How many social workers took part?", "Over half of social workers feel powerless.", False),  # a share, no size
    ("How many people were surveyed?", "Some 2,000 people were surveyed.", True),
])
def test_gives_figure(question: str, sentence: str, gives: bool) -> None:
    figure = figure_asked(question)
    assert figure is not None
    assert gives_figure(sentence, figure) is gives


@pytest.mark.parametrize("number", ["fifteen", "sixty", "thousands", "a third"])
def test_a_number_in_words_both_holds_a_number_and_counts(number: str) -> None:
    """One list of number words serves both checks: a sentence that counts holds a number."""
    sentence = f"Some {number} reviews were published."
    assert holds_kind("number", sentence, "")
    assert gives_figure(sentence, figure_asked("How many reviews were published?"))


@pytest.mark.parametrize(("sentence", "holds"), [
    ("by July 2012 all local authorities will appoint one", False),  # a year dates, it counts nothing
    ("On 13 December 2011, Tim Loughton gave an update", False),  # nor does a day of the month
    ("BBC News 27/02/2011 Children in care", False),
    ("The council was given £79.9m for 2011/12.", True),
    ("Some 26 years after Cleveland little has changed", True),
])
def test_a_date_holds_no_number(sentence: str, holds: bool) -> None:
    assert holds_kind("number", sentence, "") is holds


@pytest.mark.parametrize("question", ["How many serious case reviews did Ofsted evaluate last year?",
                                      "How much does a social worker earn?",
                                      "What pay do foster carers get?",
                                      # "over half of social workers feel powerless" is a share, not how many were asked
                                      "How many social workers were surveyed by Action for Children?"])
def test_a_figure_the_documents_never_give_abstains(engine: Engine, question: str) -> None:
    assert_refused(engine.ask(question), "They give no such figure.")


@pytest.mark.parametrize("system", ["bm25", "dense", "hybrid"])
def test_count_question_finds_the_sentence_giving_the_count(engine: Engine, system: str) -> None:
    answer = engine.ask("How many recommendations did Munro make?", system=system)
    assert not answer.abstained
    assert any("15 recommendations" in c.quote for c in answer.citations)


def test_a_count_of_a_hyphenated_thing_is_answered(engine: Engine) -> None:
    """'looked-after children' counts children: "A third of the 64,000 children..." gives it."""
    answer = engine.ask("What proportion of looked-after children live away from their area?")
    assert not answer.abstained
    assert "A third" in answer.answer


def test_a_count_question_is_answered_by_a_count_of_that_thing(engine: Engine) -> None:
    """The PAIN spokesperson's sentence matches the question better and holds numbers ("1985",
    "over 200 children"), but counts no years; "Some 26 years after Cleveland..." does."""
    answer = engine.ask("How many years had passed since Cleveland when PAIN held its event?")
    assert not answer.abstained
    assert "26 years" in answer.citations[0].quote
