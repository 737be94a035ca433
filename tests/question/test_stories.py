"""Stories: which one each sentence belongs to, their bylines, and the stories a question names."""

from __future__ import annotations

import pytest

from qa_service.engine import Engine
from qa_service.question.stories import Story, named_stories
from qa_service.text import tokenize


def _story(doc_id: str, masthead: str) -> Story:
    return Story(doc_id, 0, 100, None, frozenset(tokenize(masthead)))


STORIES = [
    _story("a", "Munro review welcomed Tri.x Nick Lister"),
    _story("b", "Munro review: councils must appoint social workers"),
    _story("c", "PAIN to host forced adoption event"),
]


@pytest.mark.parametrize(("question", "named"), [
    ("According to the Tri.x blog, why was the duty dropped?", {0}),  # its publisher
    ("What did Nick Lister think of the update?", {0}),  # its writer
    ("What does PAIN say about adoption?", {2}),  # its headline
    ("PAIN said what about adoption?", set()),  # a question's opening word is capitalised anyway
    ("What did the Munro review say?", set()),  # in two mastheads: names no one story
    ("What did councils in England do?", set()),  # in no masthead
    ("What Did The Tri.x Blog Say?", set()),  # in title case capitals name nothing
])
def test_a_question_names_the_story_whose_masthead_alone_holds_its_name(question: str, named: set[int]) -> None:
    assert named_stories(question, STORIES) == named


def test_every_sentence_belongs_to_the_story_around_it(engine: Engine) -> None:
    data = engine.data
    for sentence in data.sentences:
        story = data.stories[data.story_of(sentence.sentence_id)]
        assert story.doc_id == sentence.doc_id and story.start <= sentence.start < story.end
    sections = sum(max(1, len(d.sections)) for d in data.documents.values())
    assert len(data.stories) == sections  # the tag-archive page's three stories are apart


def test_a_story_s_byline_is_found_in_it_and_in_no_other(engine: Engine) -> None:
    bylines = {story.byline.text for story in engine.data.stories if story.byline}
    assert any("Lauren Higgs" in line for line in bylines)  # "...LogoBy Lauren Higgs Tuesday, 10 May 2011"
    assert any("Nick Lister" in line for line in bylines)  # "This post is provided by ... Nick Lister"
    assert len(bylines) < len(engine.data.stories)  # the BBC story names no writer


@pytest.mark.parametrize(("question", "name"), [
    ("What did the BBC report about councils?", "bbc"),
    ("What does Community Care say about the early intervention duty?", "care"),
    ("What does the Tri.x blog say about the early help offer?", "tri.x"),
])
def test_an_answer_to_a_question_naming_a_story_quotes_that_story(engine: Engine, question: str, name: str) -> None:
    """Other stories match these questions' other words as well or better."""
    data = engine.data
    answer = engine.ask(question)
    assert not answer.abstained
    for citation in answer.citations:
        sentence = next(s for s in data.sentences if s.doc_id == citation.doc_id and s.start == citation.start)
        assert name in data.stories[data.story_of(sentence.sentence_id)].masthead
