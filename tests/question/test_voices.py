"""Whose view a question asks for, and whose words each sentence is in."""

from __future__ import annotations

import pytest

from qa_service.engine import Engine
from qa_service.models import Sentence
from qa_service.question.conversation import resolve
from qa_service.question.voices import asked_view, asker_words, sentence_voices, voiced_by
from qa_service.text import tokenize


@pytest.mark.parametrize(("question", "who", "unvoiced"), [
    ("What does Nick Lister think is really behind it?", "Nick Lister", "What does they think is really behind it?"),
    ("Why are long placements harmful, according to the charities?", "the charities",
     "Why are long placements harmful, according to them?"),
    ("What's Action for Children's take on the report?", "Action for Children", "What's their take on the report?"),
    ("How does Munro herself think things are going?", "Munro", "How does they think things are going?"),
    ("Munro said the reforms had reached what kind of moment?", "Munro",
     "they said the reforms had reached what kind of moment?"),
    ("did the minister reckon it was quick enough", "the minister", "did they reckon it was quick enough"),
    ("Munro wants SCRs done differently - which other sectors did she suggest?", "Munro",
     "they wants SCRs done differently - which other sectors did she suggest?"),
    # a document's owner is whose view it gives, and a document gives its owner's
    ("What did Munro's progress report say about the pace of reform?", "Munro",
     "What did their progress report say about the pace of reform?"),
    ("What did the review say about managers?", "the review", "What did they say about managers?"),
    ("According to the Tri.x blog, what is the real reason?", "the Tri.x blog",
     "According to them, what is the real reason?"),
])
def test_a_question_asking_someones_view_is_read_without_them(question: str, who: str, unvoiced: str) -> None:
    view = asked_view(question)
    assert view is not None
    assert (view.who, view.unvoiced) == (who, unvoiced)


@pytest.mark.parametrize("question", [
    "What did the July 2011 response say about assessments?",  # a date says which content, not whose
    "What do they say they're aiming for?",  # a pronoun: the follow-up's context says who
    "Which charities warned about placements far from home?",  # asks who, not whose view
    "How many were there, according to 2012 figures?",  # a date or figure is no one
    "Who chaired the inquiry?",
])
def test_a_question_asking_no_ones_view_is_left_whole(question: str) -> None:
    assert asked_view(question) is None


def _sentences(*paragraphs: str) -> list[Sentence]:
    """One document's sentences, a paragraph each unless a paragraph is a tuple of sentences."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        for text in (paragraph,) if isinstance(paragraph, str) else paragraph:
            sentences.append(Sentence(len(sentences), "d", 0, len(text), text, number))
    return sentences


def _voices(*paragraphs: str, story_voice: str = "Daily Post Jo Bloggs") -> list[frozenset[str]]:
    sentences = _sentences(*paragraphs)
    return sentence_voices(sentences, [0] * len(sentences), [frozenset(tokenize(story_voice))])


def _in_words_of(who: str, voice: frozenset[str]) -> bool:
    return voiced_by(asker_words(who), voice)


def test_a_quote_goes_on_in_the_words_of_whoever_said_it() -> None:
    voices = _voices(
        "Today Professor Ann Smith published her report.",
        "Professor Smith said that the reforms had reached a turning point.",
        '"I believe there are many managers who now have the confidence," she said.',
        '"However, I am concerned there are also some who are uncertain."',
        "Tom Brown, head of policy at Help Now, said:",
        '"Too few services exist.',
        '"Budgets are stretched."',
    )
    assert all(_in_words_of("Ann Smith", voice) for voice in voices[1:4])
    assert not any(_in_words_of("Ann Smith", voice) for voice in voices[4:])
    assert all(_in_words_of("Help Now", voice) for voice in voices[5:])


def test_she_said_with_a_phrase_in_quotes_is_in_the_words_of_whoever_she_is() -> None:
    """A quoted phrase mid-sentence ends no quote: 'was underway ... but outlined' names no one."""
    voices = _voices(
        "Today Professor Ann Smith published her report.",
        'She said a "culture change" was underway in the system but outlined an urgent need to act.',
    )
    assert _in_words_of("Ann Smith", voices[1])


def test_a_sentence_naming_no_speaker_is_in_the_words_of_its_story() -> None:
    voices = _voices(
        "The council has set a new budget.",
        "It is too much to expect a government to say that it can't be afforded.",  # "to say": nobody says
    )
    assert all(_in_words_of("Jo Bloggs", voice) for voice in voices)
    assert not _in_words_of("the government", voices[1])


def test_a_list_after_a_line_naming_whose_it_is_is_in_their_words() -> None:
    voices = _voices("Smith’s recommendations include plans to:", "Remove the targets", "Keep managers on the frontline.",
                     story_voice="")
    assert all(_in_words_of("Smith", voice) for voice in voices)


def test_someone_is_known_by_all_the_documents_call_them() -> None:
    voices = _voices(
        "The event was organised by French journalist Mary Jones.",
        "Ms Jones states that there is little evidence of it abroad.",  # a surname stands for the full name
        "The charity Help Now has welcomed the plans.",  # and a name for the word before it
        "Professor Smyth said the pace was too slow.",  # a name spelt one slip away from the question's
    )
    assert _in_words_of("Mary Jones", voices[1]) and _in_words_of("the journalist", voices[1])
    assert _in_words_of("the charity", voices[2]) and _in_words_of("Help Now", voices[2])
    assert _in_words_of("Smith", voices[3])
    assert not _in_words_of("Mary Jones", voices[2])


def test_what_someone_owns_speaks_for_them() -> None:
    voices = _voices(
        "Professor Ann Smith’s review was published today.",
        "Professor Smith said that targets must go.",
        "Children’s minister Tom Brown said it was welcome.",  # "Children’s" owns nothing: the word is common
    )
    assert _in_words_of("the review", voices[1])
    assert not _in_words_of("the review", voices[2])
    assert not _in_words_of("the minister", voices[1])


def test_a_view_is_judged_by_the_question_without_whose_it_is_but_searched_with_them() -> None:
    resolved = resolve("What does Nick Lister think is really behind the decision?", [])
    assert resolved.search_texts == [resolved.question]
    assert resolved.embedded_texts == [resolved.question, "What does they think is really behind the decision?"]
    assert resolved.meaning_rows == [1]


@pytest.mark.parametrize(("question", "words"), [
    # the writer's own view, which never names him; whole, the question matches the lines about him
    ("What does Nick Lister believe truly lies behind the early help decision?", "can't be afforded"),
    # said by "Professor Monro" and then quoted: the line giving Munro's progress report matches better
    ("Does Munro herself think the changes are happening fast enough?", "watershed moment"),
    # the blog's own words, which never name it or its writer
    ("According to the Tri.x post, why did the government really drop the early help duty?", "can't be afforded"),
])
def test_asked_someones_view_the_answer_gives_it(engine: Engine, question: str, words: str) -> None:
    answer = engine.ask(question)
    assert not answer.abstained
    assert words in answer.citations[0].quote or words in answer.answer


def test_what_a_review_says_is_not_taken_from_lines_about_someone_else(engine: Engine) -> None:
    """The blogger's past jobs as a manager match "managers" well, but are nobody's view of the review's."""
    answer = engine.ask("What does the review suggest about experienced practitioners who become managers?")
    assert "Keep experienced social workers on the frontline" in answer.citations[0].quote
    assert not any("freelance" in citation.quote or "Manager" in citation.quote for citation in answer.citations)


def test_a_question_naming_a_story_is_also_searched_within_it(engine: Engine) -> None:
    answer = engine.ask("What does the Tri.x author suspect is the hidden cause of the early help U-turn?")
    assert any("can't be afforded" in hit.passage.text for hit in answer.passages)
