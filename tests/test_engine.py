"""Engine.ask over the real index: exact quotes, retrieval per system, abstention, follow-ups."""

from __future__ import annotations

import dataclasses
import re

import pytest
from refusals import assert_refused

from qa_service.answer.refusals import unknown_names
from qa_service.engine import Engine
from qa_service.errors import InvalidQuestion
from qa_service.models import Answer, Citation, Turn
from qa_service.question.conversation import leans_on_history, object_given, resolve, spell_out, split_parts

SYSTEMS = ("bm25", "dense", "hybrid")

QUESTIONS = [
    "What happened to the electronic common assessment framework?",
    "Did the government create an early intervention duty on councils?",
    "Which charity backed the Munro report?",
    "What did Tim Loughton tell parliament?",
    "How many recommendations did Professor Munro make?",
    "What did the Munro review say about targets?",
    "Who is Eileen Munro?",
    "What is a principal child and family social worker?",
    "Why are children placed far from home at risk?",
    "How many children in care live outside their local area?",
    "What did Marion Davis say about the review?",
    "How much money did the Children's Workforce Development Council get?",
    "What changes were proposed for serious case reviews?",
    "What will happen to Ofsted inspections?",
    "What did the government say about statutory duties?",
    "Do social workers feel powerless to intervene?",
    "What is the chief social worker for?",
    "When did Tim Loughton give an update to Parliament?",
    "What are the concerns about budget cuts and early help?",
    "What did the charities say about long-distance placements?",
    "What is the tick-box culture in child protection?",
    "Who chaired the forced adoption interview?",
    "What did the Department for Education agree to do with the Department of Health?",
    "How has the government response to the Munro review changed over time?",
    "What are the Working Together guidance changes?",
]


def _check_citations(engine: Engine, answer: Answer) -> None:
    assert 1 <= len(answer.citations) <= 3
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert answer.answer == " ".join(f"{c.quote} [{c.n}]" for c in answer.citations)
    for c in answer.citations:
        document = engine.documents[c.doc_id]
        assert c.quote == document.text[c.start:c.end]
        section = document.section_at(c.start)
        assert section is not None and c.section == section.title
        assert c.date == (section.date or document.date)
        assert c.title == document.title and c.source == document.source


@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_quote_exact_spans(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert not answer.abstained, f"abstained on an answerable question: {question}"
    _check_citations(engine, answer)
    for scored in answer.passages:
        assert scored.passage.text == engine.documents[scored.passage.doc_id].text[scored.passage.start:scored.passage.end]


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_first_passage_listed_holds_the_best_quoted_sentence(engine: Engine, question: str) -> None:
    """Passages come ranked by their best sentence, so a reader going on from the answer starts
    where it came from, even when retrieval ranked another passage first ("Who is Eileen Munro?")."""
    answer = engine.ask(question)
    scores = [hit.score for hit in answer.passages]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(answer.confidence, abs=1e-4)
    first = answer.passages[0].passage
    assert any(c.doc_id == first.doc_id and first.start <= c.start and c.end <= first.end for c in answer.citations)


@pytest.mark.parametrize("system", SYSTEMS)
def test_distinctive_term_is_retrieved_by_every_system(engine: Engine, system: str) -> None:
    answer = engine.ask("What did the government decide about eCAF?", system=system)
    assert "000_6e7c75f473633143" in [p.passage.doc_id for p in answer.passages[:5]]
    assert any("eCAF" in p.passage.text for p in answer.passages[:5])


@pytest.mark.parametrize(
    "question",
    ["How long should I bake sourdough bread?", "Who won the football world cup final?",
     "What will the weather be like in Paris tomorrow?"],
)
def test_off_topic_questions_abstain(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.abstained
    assert answer.citations == () and "[1]" not in answer.answer
    assert answer.passages, "related reading is still listed"


@pytest.mark.parametrize(("question", "missing"), [
    ("What did Eileen Munro say about child protection in Northern Ireland?", "Northern Ireland"),
    ("What did Tim Loughton tell the Treasury about early help?", "Treasury"),
    ("Did the NSPCC welcome the Munro review?", None),  # an acronym alone is no evidence either way
])
def test_question_naming_what_no_document_mentions_abstains(engine: Engine, question: str, missing: str | None) -> None:
    answer = engine.ask(question)
    if missing is None:
        assert not answer.abstained or "never mention" not in answer.answer
        return
    assert_refused(answer, f"They never mention {missing}.")


@pytest.mark.parametrize(("question", "missing"), [
    ("Which newspaper did Eileen Munro write for?", "newspaper"),
    ("Which company built the electronic common assessment framework?", "company"),
    ("Which radio station interviewed Shaun Kelly?", "station"),
    ("Which charity welcomed the Munro report?", None),  # the documents do speak of charities
    ("Which bodies does the Tri.x blog credit?", None),  # a body may be anything: no word to look for
])
def test_asked_to_name_a_kind_of_institution_no_document_mentions_it_abstains(
        engine: Engine, question: str, missing: str | None) -> None:
    answer = engine.ask(question)
    if missing is None:
        assert not answer.abstained, answer.answer
        return
    assert_refused(answer, f"They never mention any {missing}.")


def test_names_the_documents_use_are_known(engine: Engine) -> None:
    asked = "What did Dr Eileen Munro and Barnardo's say about children in England and Wales, and about eCAF?"
    assert unknown_names(asked, engine.data) == []
    assert unknown_names("What did Munro say about Scotland and Tim Loughton about Cardiff?", engine.data) == [
        "Scotland", "Cardiff"]
    assert unknown_names("Scotland? What about it?", engine.data) == []  # a capital opening a sentence names nothing
    assert unknown_names("How many British children live far from home?", engine.data) == []  # nationality
    assert unknown_names("When will the DfE and the LSCBs publish it?", engine.data) == []  # mixed-case acronyms
    assert unknown_names("What Did Munro Say About Child Protection In Scotland?", engine.data) == []  # title case
    assert unknown_names("Did Munro of the London School of Economics write it?", engine.data) == [
        "London School of Economics"]


@pytest.mark.parametrize(("question", "parts"), [
    ("What did Munro say about forms, and what did the minister promise?",
     ("What did Munro say about forms", "what did the minister promise")),
    ("Under the new plans, which services will be inspected?", ()),  # a lead-in clause asks nothing
    ("In July the government accepted the recommendations - how many, and which one did it drop in December?",
     ("In July the government accepted the recommendations how many",
      "In July the government accepted the recommendations which one did it drop in December")),
    ("What did Munro recommend?", ()),
    ("Who was appointed, and whose views will she report?", ("Who was appointed", "whose views will she report")),
    ("Until when will the pilots run, and by when is the guidance due?",
     ("Until when will the pilots run", "by when is the guidance due")),  # a second question may open with "by"
    ("Who chairs it and what did she say?", ("Who chairs it", "what did she say")),
    ("How and why did it happen?", ()),  # "How" alone asks about nothing
    ("Who chairs the charity, what did she say about forms, when did she tell Parliament, and why did the "
     "minister agree?", ()),  # four questions: searched as one
    # a second question may ask yes or no, of someone or something
    ("What did the July response promise, and did ministers later make it a duty?",
     ("What did the July response promise", "did ministers later make it a duty")),
    ("What does PAIN stand for and is it a charity?", ("What does PAIN stand for", "is it a charity")),
    ("Which charity welcomed the report and has criticised the delay?", ()),  # "and has criticised": one question
])
def test_split_parts(question: str, parts: tuple[str, ...]) -> None:
    assert split_parts(question) == parts


def test_asked_which_other_industries_the_answer_gives_examples(engine: Engine) -> None:
    """A question in no evaluation set; the sentence answering it gives examples "such as" aviation."""
    answer = engine.ask("Which other industries does the Munro review want SCRs to learn from?")
    assert "aviation" in answer.answer


def test_asked_how_soon_the_answer_gives_a_time_span(engine: Engine) -> None:
    """A question in no evaluation set, answered by the one sentence saying how soon."""
    answer = engine.ask("According to PAIN, how quickly are newborns being taken from their mothers?")
    assert "within hours of birth" in answer.answer


@pytest.mark.parametrize(("question", "expected"), [
    # the part asking who wrote the story is answered by its byline, the part asking when by its date
    ("Who wrote the Children & Young People Now article about the Munro review, and when was it published?",
     ["Lauren Higgs", "10 May 2011"]),
    # a part asking yes or no is a part too
    ("What does PAIN stand for and did the government accept the early help duty?",
     ["Parents Agains INjustice", "do not need a new statutory duty"]),
])
def test_a_two_part_question_is_answered_part_by_part(engine: Engine, question: str, expected: list[str]) -> None:
    answer = engine.ask(question)
    assert not answer.abstained
    assert all(text in answer.answer for text in expected), answer.answer


def test_follow_up_is_resolved_with_the_previous_turn(engine: Engine) -> None:
    first_q = "Which charity backed the Munro report?"
    first = engine.ask(first_q)
    assert any("Action for Children" in c.quote for c in first.citations)
    second = engine.ask("Who is their head of safeguarding?", [Turn(first_q, first.answer)])
    assert second.query.startswith("Who is their head of safeguarding?")
    assert first_q in second.query and "Action for Children" in second.query
    standalone = engine.ask("Who is their head of safeguarding?")
    assert standalone.query == "Who is their head of safeguarding?"


def test_follow_up_finds_the_head_of_safeguarding(engine: Engine) -> None:
    first_q = "Which charity backed the Munro report?"
    first = engine.ask(first_q)
    second = engine.ask("Who is their head of safeguarding?", [Turn(first_q, first.answer)])
    assert not second.abstained
    assert "Shaun Kelly" in second.answer


@pytest.mark.parametrize(("question", "previous", "quotes", "spelled"), [
    # a thing pointed back to becomes the previous question's words
    ("What did Munro say that role should do?", "By when will the chief social worker be in post?", [],
     "What did Munro say chief social worker post should do?"),
    ("Which councils are trialling it?", "Which model of case review is being piloted?", ["Coventry and Lancashire..."],
     "Which councils are trialling model case review piloted?"),
    # a group after a question asking which: the name the answer gave, not one the question used
    ("Who is their head of safeguarding?", "Which charity welcomed the Munro Review?",
     ["The Munro Review was welcomed by the charity Action for Children."], "Who is Action for Children head of safeguarding?"),
    # ... and the previous question's words when the answer named no one
    ("Who is their head of safeguarding?", "Which charity welcomed the Munro Review?", ["A charity welcomed it."],
     "Who is charity welcomed munro review head of safeguarding?"),
    # a group after a question that asked no name: the previous question's words
    ("What did they decide?", "What did the councils say about the duty?", ["Shaun Kelly said so."],
     "What did councils say duty decide?"),
    # after a question ending on its verb, what the answer gave right after that verb
    ("What would that person do?", "Who did Munro say every council should appoint?",
     ["Every council should appoint a principal child and family social worker, the review said."],
     "What would principal child and family social worker do?"),
    ("What did she say next?", "Who is Eileen Munro?", [], ""),  # a person is not spelled out
    ("What did she include to help those who are unsure?", "What did the report say?", [], ""),  # "those who" points nowhere
    ("Why?", "Why did the government decide that?", [], ""),
])
def test_spell_out(question: str, previous: str, quotes: list[str], spelled: str) -> None:
    assert spell_out(question, previous, quotes) == spelled


@pytest.mark.parametrize(("question", "quote", "given"), [
    ("What did the government decide to scrap?", "It has also decided to scrap the national framework (eCAF).",
     "national framework"),
    ("Who did Munro say every council should appoint?", "Councils should appoint a principal social worker.",
     "principal social worker"),
    ("What did the councils say about the duty?", "The duty was dropped.", ""),  # ends on a noun
    ("Which recommendation did it reject in 2011?", "In 2011 it was rejected.", ""),  # ends on a number
    ("What did Munro recommend?", "Munro recommended it.", ""),  # nothing new after the verb
    ("Who did Munro say every council should appoint?", "Councils should name one.", ""),  # the verb is not there
])
def test_object_given(question: str, quote: str, given: str) -> None:
    assert object_given(question, quote) == given


def test_a_follow_up_about_that_person_finds_what_the_appointee_would_do(engine: Engine) -> None:
    """A conversation in no evaluation set: "that person" is the role the first answer named."""
    first = "Who did Munro say every council should appoint?"
    answer = engine.ask("What would that person do?", [Turn(first, engine.ask(first).answer)])
    assert "report the views and experiences of the frontline" in answer.answer


def test_a_spelled_out_follow_up_is_searched_and_judged_as_well() -> None:
    history = [Turn("By when will the chief social worker be in post?", "a chief social worker ... by the end of 2012 [1]")]
    resolved = resolve("What did Munro say that role should do?", history)
    assert resolved.spelled_out == "What did Munro say chief social worker post should do?"
    assert resolved.search_texts == [resolved.question, resolved.query, resolved.spelled_out]
    # asking Munro's view, the question is judged without her (voices.py), spelled out with her
    assert resolved.embedded_texts[3] == "What did they say that role should do?"
    assert resolved.meaning_rows == [2, 3]
    plain = resolve("What did she say next?", history)
    assert plain.spelled_out == "" and len(plain.search_texts) == 2 and plain.meaning_rows == [0]


def test_a_follow_up_about_that_decision_finds_who_was_disappointed(engine: Engine) -> None:
    """Embedded alone, "that decision" says nothing about which one; spelled out, it does."""
    first_q = "Which recommendation did the government refuse to implement?"
    first = engine.ask(first_q)
    assert "early intervention duty" in first.answer
    second = engine.ask("Who was disappointed by that decision?", [Turn(first_q, first.answer)])
    assert "Action for Children" in second.answer


@pytest.mark.parametrize(("question", "leans"), [
    ("Why?", True), ("And when?", True), ("What did she say?", True),
    ("What did Munro say that role should do?", True), ("Who pays for this scheme?", True),
    ("What is the government doing to cut that number?", True),
    ("What did Tim Loughton tell parliament about the early intervention duty?", False),
    ("Which charity backed the Munro report?", False),
])
def test_leans_on_history(question: str, leans: bool) -> None:
    assert leans_on_history(question) is leans
    resolved = resolve(question, [Turn("Which charity backed the Munro report?", "Action for Children backs it. [1]")])
    assert resolved.follow_up is leans


def test_dated_citations_are_sorted_oldest_first(engine: Engine) -> None:
    dated = [a for a in (engine.ask(q) for q in QUESTIONS) if a.ordered_by_date]
    assert dated, "some question over several dated stories is ordered by date"
    for answer in dated:
        dates = [c.date for c in answer.citations]
        assert all(dates) and len(set(dates)) > 1
        assert dates == sorted(dates)


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_blank_question_is_invalid(engine: Engine, question: str) -> None:
    with pytest.raises(InvalidQuestion, match="empty"):
        engine.ask(question)


def test_unknown_system_is_invalid(engine: Engine) -> None:
    with pytest.raises(InvalidQuestion, match="hybrid"):
        engine.ask("What happened to eCAF?", system="magic")


def test_every_system_returns_the_same_structure(engine: Engine) -> None:
    answers = {system: engine.ask("What happened to the eCAF system?", system=system) for system in SYSTEMS}
    fields = {f.name for f in dataclasses.fields(Answer)}
    for system, answer in answers.items():
        assert type(answer) is Answer and {f.name for f in dataclasses.fields(answer)} == fields
        assert all(type(c) is Citation for c in answer.citations)
        assert set(answer.timings_ms) == {"encode", "retrieve", "compose", "total"}
        if not answer.abstained:
            _check_citations(engine, answer)
        assert re.fullmatch(r"(.+ \[\d\])( .+ \[\d\])*", answer.answer) or answer.abstained, system
