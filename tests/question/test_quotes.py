"""Who said or wrote it, and what it is called: the line naming a quote's speaker, a story's
byline, a name in quotes, and the answers that use them."""

from __future__ import annotations

import pytest

from qa_service.answer.composing import compose
from qa_service.answer.scoring import question_weights, score_sentences
from qa_service.answer.selection import with_speakers
from qa_service.engine import Engine
from qa_service.models import ScoredPassage, Sentence
from qa_service.question.conversation import resolve
from qa_service.question.quotes import introduction


def _sentences(doc_id: str, lines: list[str]) -> list[Sentence]:
    """One sentence per paragraph, offsets as if the lines were joined by blank lines."""
    sentences, start = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(i, doc_id, start, start + len(line), line, paragraph=i))
        start += len(line) + 2
    return sentences


SPEECH = [
    "The charity welcomed the report.",
    "Jane Smith, director of the charity, said:",
    "“We welcome the report.",
    "“It is disappointing, however, that the duty was dropped.",
    "The minister did not reply.",
]


def test_every_paragraph_of_a_quote_is_introduced_by_the_line_before_the_quote() -> None:
    sentences = _sentences("a", SPEECH)
    assert introduction(sentences, 2) == sentences[1]
    assert introduction(sentences, 3) == sentences[1]  # the second quoted paragraph does not repeat the name


def test_sentences_outside_a_quote_have_no_introduction() -> None:
    sentences = _sentences("a", SPEECH)
    assert introduction(sentences, 0) is None
    assert introduction(sentences, 4) is None  # after the quote
    assert introduction(sentences, 1) is None  # the introducing line itself


def test_a_quote_after_a_line_that_introduces_nothing_has_no_speaker() -> None:
    sentences = _sentences("a", ["The report was welcomed.", "“It is late.", "“It is disappointing."])
    assert introduction(sentences, 2) is None


def test_a_quote_opening_a_document_is_not_introduced_by_the_previous_document() -> None:
    sentences = _sentences("a", ["Jane Smith said:"]) + [
        Sentence(1, "b", 0, 12, "“It is late.", paragraph=0),
    ]
    assert introduction(sentences, 1) is None


def _quoted_far_from_its_speaker(engine: Engine) -> tuple[Sentence, Sentence]:
    """A sentence of the collection in a quote whose speaker is named paragraphs before, in no shared passage."""
    data = engine.data
    for sentence in data.sentences:
        line = introduction(data.sentences, sentence.sentence_id)
        if line and not any(line.sentence_id in p.sentence_ids for p in data.passages_with([sentence.sentence_id])):
            return sentence, line
    raise AssertionError("the collection quotes someone over several paragraphs")


def test_asked_who_said_it_the_answer_names_the_speaker(engine: Engine) -> None:
    data = engine.data
    quoted, line = _quoted_far_from_its_speaker(engine)
    resolved = resolve("Who said it?", [])
    far = [p for p in data.passages_with([quoted.sentence_id]) if line.sentence_id not in p.sentence_ids]
    candidates = score_sentences(resolved, engine.embedder.encode(resolved.embedded_texts), [ScoredPassage(far[0], 1.0)],
                                 data, engine.composer, question_weights(resolved, data, engine.composer))
    assert with_speakers([c for c in candidates if c.sentence == quoted]) == [line, quoted]
    said = quoted.text.strip("“”\"' ")
    answer = engine.ask(f"Who said that {said[0].lower()}{said[1:]}")
    assert not answer.abstained
    assert line.text in answer.answer and quoted.text in answer.answer


def test_a_role_s_holder_named_only_where_the_quote_began_is_found(engine: Engine) -> None:
    """Retrieving the quote's third paragraph is retrieving its speaker: the role is not refused as unnamed."""
    data = engine.data
    quoted, line = _quoted_far_from_its_speaker(engine)
    resolved = resolve("Who is the head of safeguarding at the charity?", [])
    assert resolved.role and resolved.role.head in " ".join(line.text.lower().split()), "the speaker holds the role asked"
    vectors = engine.embedder.encode(resolved.embedded_texts)
    far = [p for p in data.passages_with([quoted.sentence_id]) if line.sentence_id not in p.sentence_ids]
    answer = compose(resolved, vectors, [ScoredPassage(far[0], 1.0)], data, engine.composer)
    assert "name no one" not in answer.answer
    unquoted = next(p for p in data.passages if p.doc_id != quoted.doc_id and not any(
        introduction(data.sentences, sid) for sid in p.sentence_ids))
    refused = compose(resolved, vectors, [ScoredPassage(unquoted, 1.0)], data, engine.composer)
    assert "They name no one in that role." in refused.answer


def test_a_quoted_sentence_matches_the_words_of_its_speaker_s_line(engine: Engine) -> None:
    """Asked what the speaker said, the quote's later paragraphs match the speaker's name too."""
    data = engine.data
    quoted, line = _quoted_far_from_its_speaker(engine)
    resolved = resolve(f"What did {line.text.rstrip(':')} say?", [])
    vectors = engine.embedder.encode(resolved.embedded_texts)
    far = [p for p in data.passages_with([quoted.sentence_id]) if line.sentence_id not in p.sentence_ids]
    weights = question_weights(resolved, data, engine.composer)
    candidates = score_sentences(resolved, vectors, [ScoredPassage(far[0], 1.0)], data, engine.composer, weights)
    scored = next(c for c in candidates if c.sentence == quoted)
    assert data.sentence_tokens(line.sentence_id) <= scored.tokens
    assert scored.words > 0.5  # most of the question's words are the speaker's line


@pytest.mark.parametrize(("question", "writer"), [
    ("Who wrote the article in Children & Young People Now about Munro's review?", "Lauren Higgs"),
    ("Who is the author of the Tri.x blog post about the December update?", "Nick Lister"),
])
def test_asked_who_wrote_a_story_the_answer_opens_with_its_byline(engine: Engine, question: str, writer: str) -> None:
    """The byline matches little of the question (in Children & Young People Now's story it is
    not even in the retrieved passages), so it is looked up in the story the answer comes from."""
    answer = engine.ask(question)
    assert not answer.abstained
    assert writer in answer.citations[0].quote


def test_a_story_without_a_byline_borrows_none(engine: Engine) -> None:
    """The BBC story on the tag-archive page names no writer; the bylines of the page's other
    story and of other documents stay out."""
    answer = engine.ask("Who wrote the BBC story about children in care far from home?")
    assert not any(writer in answer.answer for writer in ("Lauren Higgs", "Nick Lister"))


def test_asked_what_something_is_called_the_answer_gives_its_name_in_quotes(engine: Engine) -> None:
    """"Its response, ‘A child-centred system’, ..." refers to the response by a pronoun and
    matches the question far worse than the story's opening sentence about the response."""
    answer = engine.ask("What was the government's July 2011 response titled?")
    assert not answer.abstained
    assert "A child-centred system" in answer.answer
