"""Sentence selection: which close seconds may join the best sentence, and which sentence must precede one."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from qa_service.answer.composing import answer_parts, best_first, citation_of, compose
from qa_service.answer.scoring import Candidate, question_weights, ranked_passages, score_sentences
from qa_service.answer.selection import own_weights, select, with_reasons_before
from qa_service.answer.settings import ComposerSettings
from qa_service.engine import Engine
from qa_service.models import Passage, ScoredPassage, Sentence, Turn
from qa_service.question.conversation import ResolvedQuestion, resolve
from qa_service.question.quotes import introduces
from qa_service.search.indexing import IndexData

SETTINGS = ComposerSettings(margin=0.20, cross_document_margin=0.10, max_words=60, redundancy=0.8)


def _candidate(sid: int, doc_id: str, score: float, words: str) -> Candidate:
    vector = np.zeros(8, dtype=np.float32)
    vector[sid % 8] = 1.0  # orthogonal vectors: no two candidates say the same thing
    text = f"{words} sentence number {sid}."
    sentence = Sentence(sid, doc_id, 0, len(text), text, paragraph=sid)
    return Candidate(sentence, vector, score, score, 0.5, frozenset(words.split()), score, False, False, None)


def _scores(resolved: ResolvedQuestion, vectors: np.ndarray, passages: list[ScoredPassage], data: IndexData,
            settings: ComposerSettings) -> dict[int, float]:
    """Every candidate's score under `settings`, by sentence id."""
    weights = question_weights(resolved, data, settings)
    return {c.sentence.sentence_id: c.score for c in score_sentences(resolved, vectors, passages, data, settings, weights)}


def test_a_second_from_the_same_document_may_score_further_below_than_one_from_another() -> None:
    best = _candidate(0, "a", 0.60, "best")
    same_doc = _candidate(1, "a", 0.45, "same")  # 0.15 below: within the document margin
    other_doc = _candidate(2, "b", 0.45, "other")  # 0.15 below: outside the cross-document margin
    chosen = select([best, same_doc, other_doc], {"same": 1.0, "other": 1.0}, SETTINGS)
    assert [c.sentence.sentence_id for c in chosen] == [0, 1]


def test_a_close_second_from_another_document_joins() -> None:
    best = _candidate(0, "a", 0.60, "best")
    other_doc = _candidate(2, "b", 0.55, "other")
    far = _candidate(3, "a", 0.30, "far")  # 0.30 below: outside both margins
    chosen = select([best, other_doc, far], {"other": 1.0, "far": 1.0}, SETTINGS)
    assert [c.sentence.sentence_id for c in chosen] == [0, 2]


def test_a_second_from_another_document_must_add_question_words() -> None:
    best = _candidate(0, "a", 0.60, "duty")
    restating = _candidate(2, "b", 0.58, "duty")  # another story's sentence on the same words
    same_doc = _candidate(1, "a", 0.50, "duty")
    weights = {"duty": 1.0, "april": 1.0}
    assert [c.sentence.sentence_id for c in select([best, restating, same_doc], weights, SETTINGS)] == [0, 1]
    adding = _candidate(3, "b", 0.58, "april")
    assert [c.sentence.sentence_id for c in select([best, adding], weights, SETTINGS)] == [0, 3]


def test_a_second_from_another_document_adds_no_word_the_answer_holds_in_another_form() -> None:
    best = _candidate(0, "a", 0.60, "practis")  # "a practising social worker"
    other_form = _candidate(1, "b", 0.58, "practic")  # "social work practice"
    weights = {"practic": 1.0, "practis": 1.0}
    assert [c.sentence.sentence_id for c in select([best, other_form], weights, SETTINGS)] == [0]


def test_a_second_from_another_document_must_add_the_question_s_own_words_not_its_context() -> None:
    best = _candidate(0, "a", 0.60, "role")
    restating = _candidate(1, "b", 0.58, "child")  # a word of the previous answer only
    weights = {"role": 1.0, "do": 1.0, "child": 0.3}
    assert len(select([best, restating], weights, SETTINGS)) == 2
    assert len(select([best, restating], weights, SETTINGS, own={"role": 1.0, "do": 1.0})) == 1


@pytest.mark.parametrize(("question", "own"), [
    ("What did Munro say that role should do?", {"munro", "role"}),
    ("Why?", {"chief", "social", "worker"}),  # no words of its own: its context is all it asks with
])
def test_own_weights_are_the_question_s_words_unless_it_has_none(engine: Engine, question: str, own: set[str]) -> None:
    resolved = resolve(question, [Turn("Who will be the chief social worker?", "A chief social worker. [1]")])
    weights = question_weights(resolved, engine.data, engine.composer)
    asked = own_weights(resolved, weights)
    assert own <= set(asked) and all(asked[t] == weights[t] for t in asked)
    assert (set(asked) == set(weights)) is (question == "Why?")
    if question != "Why?":  # "say" asks Munro's view: the voice answers for it
        assert "say" in weights and "say" not in asked


def test_once_a_document_is_quoted_its_sentences_join_as_the_best_s_own_do() -> None:
    best = _candidate(0, "a", 0.60, "duty")
    adding = _candidate(1, "b", 0.58, "legislation")
    following = _candidate(2, "b", 0.52, "")  # no question word: "They believe that..." after its story's sentence
    weights = {"duty": 1.0, "legislation": 1.0}
    assert [c.sentence.sentence_id for c in select([best, adding, following], weights, SETTINGS)] == [0, 1, 2]
    assert [c.sentence.sentence_id for c in select([best, following], weights, SETTINGS)] == [0]


@pytest.mark.parametrize(("kind", "joins"), [("date", False), ("number", False), ("title", False),
                                             ("reason", True), ("examples", True), (None, True)])
def test_a_second_from_another_document_gives_the_kind_the_best_gives_when_it_shows(kind: str | None, joins: bool) -> None:
    """A reason or examples may be given without a word saying so; a date, a figure or a name in quotes cannot."""
    best = replace(_candidate(0, "a", 0.60, "response"), holds_kind=True)
    lacking = _candidate(1, "b", 0.58, "update")
    weights = {"response": 1.0, "update": 1.0}
    chosen = select([best, lacking], weights, SETTINGS, kind)
    assert [c.sentence.sentence_id for c in chosen] == ([0, 1] if joins else [0])
    holding = replace(lacking, holds_kind=True)
    assert [c.sentence.sentence_id for c in select([best, holding], weights, SETTINGS, kind)] == [0, 1]


def test_a_second_from_another_document_is_in_the_voice_asked_when_the_best_is() -> None:
    weights = {"role": 1.0, "post": 1.0}
    best = _candidate(0, "a", 0.60, "role")
    other = _candidate(1, "b", 0.58, "post")
    assert len(select([replace(best, voiced=True), other], weights, SETTINGS)) == 1
    assert len(select([replace(best, voiced=True), replace(other, voiced=True)], weights, SETTINGS)) == 2
    assert len(select([best, other], weights, SETTINGS)) == 2  # the best in no voice asked: nothing to keep to


def test_a_redundant_second_is_left_out() -> None:
    best = _candidate(0, "a", 0.60, "best")
    twin = _candidate(8, "a", 0.59, "twin")  # same vector as the best (8 % 8 == 0)
    assert [c.sentence.sentence_id for c in select([best, twin], {"twin": 1.0}, SETTINGS)] == [0]


def test_citations_go_best_first_with_each_paragraph_s_sentences_together_in_reading_order(engine: Engine) -> None:
    data = engine.data
    doc = data.sentences[0].doc_id
    own = [s for s in data.sentences if s.doc_id == doc and not s.heading]
    paragraphs: dict[int, list[Sentence]] = {}
    for sentence in own:
        paragraphs.setdefault(sentence.paragraph, []).append(sentence)
    early, late = [p for p in paragraphs.values() if len(p) >= 2][:2]
    # best first: a sentence late in the document, then an early one, then the late one's neighbour before it
    chosen = [late[1], early[0], late[0]]
    ordered = best_first([citation_of(0, s, data) for s in chosen], chosen)
    assert [c.start for c in ordered] == [late[0].start, late[1].start, early[0].start]


def test_passages_are_ranked_by_their_best_sentence_and_those_without_one_go_last() -> None:
    def hit(pid: int, sentence_ids: tuple[int, ...], retrieval_score: float) -> ScoredPassage:
        return ScoredPassage(Passage(pid, "a", 0, 1, "x", sentence_ids), retrieval_score)

    retrieved = [hit(0, (0, 1), 0.9), hit(1, (7,), 0.8), hit(2, (2,), 0.7), hit(3, (3,), 0.6)]
    candidates = [_candidate(2, "a", 0.50, "best"), _candidate(1, "a", 0.20, "mid"), _candidate(3, "a", -0.05, "low")]
    ranked = ranked_passages(retrieved, candidates)  # sentence 0 is too short to be a candidate, 7 is not either
    assert [(h.passage.passage_id, h.score) for h in ranked] == [(2, 0.50), (0, 0.20), (3, -0.05), (1, 0.0)]


def test_a_passage_is_ranked_by_what_it_adds_to_the_passages_above_it() -> None:
    def hit(pid: int, sentence_ids: tuple[int, ...]) -> ScoredPassage:
        return ScoredPassage(Passage(pid, "a", 0, 1, "x", sentence_ids), 0.5)

    overlapping = [hit(0, (1, 2)), hit(1, (2, 3)), hit(2, (5,)), hit(3, (1, 2, 3))]
    candidates = [_candidate(2, "a", 0.50, "best"), _candidate(5, "a", 0.40, "next"),
                  _candidate(3, "a", 0.20, "low"), _candidate(1, "a", 0.10, "lower")]
    ranked = ranked_passages(overlapping, candidates)  # 1 and 3 show sentence 2 again; 3 adds nothing to 0 and 1
    assert [(h.passage.passage_id, h.score) for h in ranked] == [(0, 0.50), (2, 0.40), (1, 0.20), (3, 0.0)]


def test_a_sentence_pointing_back_for_its_reason_brings_the_sentence_before(engine: Engine) -> None:
    sentences = engine.data.sentences
    pointing = [s for s in sentences if s.text.lstrip("“\"").startswith(("That is why", "This is why", "This has allowed"))]
    assert len(pointing) >= 2, "the collection holds 'That is why ...' and 'This has allowed ...' sentences"
    for sentence in pointing:
        before = sentences[sentence.sentence_id - 1]
        assert with_reasons_before([sentence], engine.data) == [before, sentence]
    plain = next(s for s in sentences if not s.heading and s.sentence_id > 0 and s not in pointing)
    assert with_reasons_before([plain], engine.data) == [plain]


def test_a_follow_up_reads_the_passages_around_the_last_answer(engine: Engine) -> None:
    data = engine.data
    quoted = next(s for s in data.sentences if s.doc_id == data.sentences[-1].doc_id and not s.heading)
    following = data.sentences[quoted.sentence_id + 1]
    resolved = resolve("And then what?", [Turn("What happened?", f"{quoted.text} [1]")])
    unrelated = next(p for p in data.passages if p.doc_id != quoted.doc_id)
    vectors = engine.embedder.encode(resolved.embedded_texts)
    weights = question_weights(resolved, data, engine.composer)
    candidates = score_sentences(resolved, vectors, [ScoredPassage(unrelated, 1.0)], data, engine.composer, weights)
    assert following.sentence_id in {c.sentence.sentence_id for c in candidates}


def test_the_passage_a_follow_up_s_best_sentence_stands_in_is_listed_though_not_retrieved(engine: Engine) -> None:
    data = engine.data
    quoted = next(s for s in data.sentences if s.doc_id == data.sentences[-1].doc_id and not s.heading)
    resolved = resolve("And then what?", [Turn("What happened?", f"{quoted.text} [1]")])
    unrelated = next(p for p in data.passages if p.doc_id != quoted.doc_id)
    vectors = engine.embedder.encode(resolved.embedded_texts)
    retrieved = [ScoredPassage(unrelated, 1.0)]
    weights = question_weights(resolved, data, engine.composer)
    best = score_sentences(resolved, vectors, retrieved, data, engine.composer, weights)[0].sentence
    assert best.doc_id == quoted.doc_id  # found around the last answer, not in the passage retrieved
    answer = compose(resolved, vectors, retrieved, data, engine.composer)
    homes = {p.passage_id for p in data.passages_with([best.sentence_id])}
    assert answer.passages[0].passage.passage_id in homes
    assert unrelated.passage_id in {hit.passage.passage_id for hit in answer.passages}


def test_a_sentence_s_context_is_the_average_of_the_passages_holding_it(engine: Engine) -> None:
    """A sentence in two overlapping passages takes neither the better nor the worse one's match."""
    data = engine.data
    resolved = resolve("What did Tim Loughton tell Parliament about the government response?", [])
    vectors = engine.embedder.encode(resolved.embedded_texts)
    passages = engine._retrieve("hybrid", resolved, vectors)
    candidates = score_sentences(resolved, vectors, passages, data, SETTINGS, question_weights(resolved, data, SETTINGS))
    shared = [c for c in candidates if len(data.passages_with([c.sentence.sentence_id])) == 2]
    assert shared, "overlapping passages share sentences"
    spreads = []
    for candidate in shared:
        holding = data.passages_with([candidate.sentence.sentence_id])
        cosines = (data.passage_vectors.vectors([p.passage_id for p in holding]) @ vectors.T).mean(axis=1)
        assert candidate.context == pytest.approx(float(cosines.mean()), abs=1e-5)
        spreads.append(float(cosines.max() - cosines.min()))
    assert max(spreads) > 0.01  # the average differs from the better passage's match


def test_a_follow_up_s_context_words_weigh_less_and_at_most_twice_its_own(engine: Engine) -> None:
    data, settings = engine.data, engine.composer
    long_answer = " ".join(s.text for s in data.sentences[:12])
    resolved = resolve("Who chaired the inquiry then?", [Turn("What happened in Cleveland?", long_answer)])
    weights = question_weights(resolved, data, settings)
    own = {t: w for t, w in weights.items() if t in {"chair", "inquiri"}}
    assert set(own) == {"chair", "inquiri"} and all(w == data.idf.get(t, data.missing_idf) for t, w in own.items())
    context = sum(w for t, w in weights.items() if t not in own)
    assert context == pytest.approx(settings.context_word_cap * sum(own.values()))

    short = resolve("Who chaired the inquiry then?", [Turn("What happened in Cleveland?", "Children were removed.")])
    short_weights = question_weights(short, data, settings)
    assert short_weights["remov"] == pytest.approx(settings.context_word_weight * data.idf["remov"])


def test_a_follow_up_without_words_of_its_own_is_weighed_by_its_context(engine: Engine) -> None:
    resolved = resolve("Why?", [Turn("What did the government decide?", "It dropped the duty.")])
    weights = question_weights(resolved, engine.data, engine.composer)
    assert weights and all(w > 0 for w in weights.values())


def test_each_part_of_a_two_part_question_gets_a_sentence_of_its_own(engine: Engine) -> None:
    """The best sentence for both parts answers one; the other part gets its own best, not a second best for the first."""
    data, settings = engine.data, engine.composer
    resolved = resolve("What did Munro say about assessment timescales, and when was the slimmed-down guidance promised?", [])
    vectors = engine.embedder.encode(resolved.embedded_texts)
    passages = engine._retrieve("hybrid", resolved, vectors)
    answered = answer_parts(resolved, vectors, passages, data, settings)
    assert len(answered) == 2
    first, second = ([s.text for s in sentences] for sentences in answered)
    assert "unhelpful targets for completing assessments" in " ".join(first)  # what Munro said
    assert "December 2011" in " ".join(second)  # the part asking when holds a date
    assert not set(first) & set(second)


def test_a_part_whose_best_sentence_lacks_the_kind_asked_gets_one_that_holds_it(engine: Engine) -> None:
    """"Which charities...?" is best matched by "Charities are warning that thousands of
    children placed in care far from home...", which names none; the names come next."""
    answer = engine.ask("Which charities spoke out about children placed in care far from home, "
                        "and what duty will councils face from April?")
    quotes = [c.quote for c in answer.citations]
    assert any("Barnardo’s" in quote for quote in quotes)  # the first part's names
    assert any("sufficiency duty" in quote for quote in quotes)  # the second part's answer
    assert len(answer.answer.split()) <= engine.composer.max_words + len(quotes)  # words and [n] markers


def test_a_part_of_a_two_part_question_weighs_its_own_words_fully_and_the_rest_as_context(engine: Engine) -> None:
    data, settings = engine.data, engine.composer
    resolved = resolve("Which charity and which directors' association welcomed Munro's work?", [])
    part = resolved.part(0)
    assert part.question == "Which charity" and part.kind == "name"
    weights = question_weights(part, data, settings)
    assert weights["chariti"] == data.idf["chariti"]
    assert weights["welcom"] == pytest.approx(settings.context_word_weight * data.idf["welcom"])


def test_a_follow_up_goes_on_with_the_story_just_quoted(engine: Engine) -> None:
    """Sentences of other stories lose `story_change_penalty`; those of the quoted story keep their score."""
    data = engine.data
    first = "Why do so many children in care end up living far from their home area?"
    answer = engine.ask(first)
    resolved = resolve("What is the government going to do about it?", [Turn(first, answer.answer)])
    quoted = {data.story_of(s.sentence_id) for s in data.sentences_near(resolved.prior_quotes, 0)}
    vectors = engine.embedder.encode(resolved.embedded_texts)
    passages = engine._retrieve("hybrid", resolved, vectors)

    staying = _scores(resolved, vectors, passages, data, replace(engine.composer, story_change_penalty=0.0))
    moving_on = _scores(resolved, vectors, passages, data, engine.composer)
    assert {data.story_of(sid) for sid in staying} - quoted, "other stories are among the candidates"
    for sid, score in staying.items():
        lost = engine.composer.story_change_penalty if data.story_of(sid) not in quoted else 0.0
        assert moving_on[sid] == pytest.approx(score - lost)


def test_a_follow_up_about_what_was_done_finds_it_in_the_same_story(engine: Engine) -> None:
    first = "Why do so many children in care end up living far from their home area?"
    second = "Who has raised concerns about this?"
    history = [Turn(first, engine.ask(first).answer)]
    history.append(Turn(second, engine.ask(second, history).answer))
    answer = engine.ask("What is the government going to do about it?", history)
    assert "sufficiency duty" in answer.answer


def test_a_follow_up_asking_what_happened_later_or_who_may_leave_the_story() -> None:
    history = [Turn("What did Munro recommend about early help?", "Introduce a duty on all local services... [1]")]
    assert resolve("What did the council say about it?", history).stays_in_story
    assert not resolve("So was that made a legal duty in the end?", history).stays_in_story
    assert not resolve("Was it eventually dropped?", history).stays_in_story
    assert not resolve("Who was disappointed by that?", history).stays_in_story  # another actor, another source
    assert not resolve("What did the council say about it?", []).stays_in_story  # no previous answer, no story


@pytest.mark.parametrize("question", [
    "What did Munro say was happening to the culture of child protection?",
    "What did Action for Children find disappointing about the government's progress?",
])
def test_a_line_introducing_a_quote_is_not_quoted_for_what_it_says(engine: Engine, question: str) -> None:
    """"Shaun Kelly, Head of Safeguarding at Action for Children said:" says nothing but who speaks."""
    answer = engine.ask(question)
    assert not answer.abstained
    assert not any(citation.quote.rstrip().endswith(":") for citation in answer.citations)


@pytest.mark.parametrize(("question", "penalised"), [
    ("What did the Tri.x consultant make of the December update?", True),
    ("Who wrote the Tri.x blog post about the December update?", False),  # the byline answers it
])
def test_a_byline_is_a_label_unless_asked_who_wrote(engine: Engine, question: str, penalised: bool) -> None:
    """A byline ("This post is provided by...") loses `heading_penalty` as a headline does; no other sentence does."""
    data = engine.data
    bylines = data.bylines
    resolved = resolve(question, [])
    vectors = engine.embedder.encode(resolved.embedded_texts)
    passages = [ScoredPassage(p, 1.0) for p in data.passages_with(sorted(bylines))]

    labels_free = _scores(resolved, vectors, passages, data, replace(engine.composer, heading_penalty=0.0))
    scored = _scores(resolved, vectors, passages, data, engine.composer)
    assert bylines & set(scored), "bylines are among the candidates"
    for sid, score in labels_free.items():
        label = data.sentences[sid].heading or introduces(data.sentences[sid].text) or (penalised and sid in bylines)
        assert scored[sid] == pytest.approx(score - (engine.composer.heading_penalty if label else 0.0))
