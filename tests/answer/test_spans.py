"""The phrase of a quoted sentence that answers: on real sentences of docs/ and of SQuAD's Normans
article, and through the real engine, where every span must index its document's text exactly."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from qa_service.answer.spans import answer_phrase, mark_answers, phrase_asked
from qa_service.config import PROJECT_ROOT, Settings
from qa_service.engine import Engine
from qa_service.models import Answer, AnswerSpan, Citation
from qa_service.question.conversation import resolve
from qa_service.question.kinds import asked_type, names_asked
from qa_service.reading.documents import RawDocument, render_document
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index
from qa_service.text import words

SQUAD = PROJECT_ROOT / "evaluate" / "squad"  # the Normans article the quality gate runs


def _normans() -> dict:
    return json.loads((SQUAD / "normans-dev-v2.0.json").read_text(encoding="utf-8"))["data"][0]


def real_sentence(sentence: str) -> str:
    """`sentence`, after checking that a document of docs/ or a SQuAD paragraph holds it verbatim."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((PROJECT_ROOT / "docs").glob("*.txt"))]
    for path in sorted(SQUAD.glob("*.json")):
        texts += [p["context"] for a in json.loads(path.read_text(encoding="utf-8"))["data"] for p in a["paragraphs"]]
    assert any(sentence in text for text in texts), f"not a real sentence: {sentence!r}"
    return sentence


def span(question: str, sentence: str) -> str | None:
    """The text answer_phrase marks in a real sentence, or None."""
    found = answer_phrase(question, asked_type(question), real_sentence(sentence))
    return sentence[found[0]:found[1]] if found else None


DUCHY = ("The Duchy of Normandy, which began in 911 as a fiefdom, was established by the treaty of "
         "Saint-Clair-sur-Epte between King Charles III of West Francia and the famed Viking ruler Rollo, and was "
         "situated in the former Frankish kingdom of Neustria.")
HASTINGS = "In 1066, Duke William II of Normandy conquered England killing King Harold II at the Battle of Hastings."
ETHELRED = ("Because of this, Ethelred fled to Normandy in 1013, when he was forced from his kingdom by Sweyn "
            "Forkbeard.")
WORKING_TOGETHER = ("If you (like us) were expecting early amendments to Working Together 2010 before Christmas, you "
                    "will notice that the trial Authorities who are looking at different assessment models and "
                    "timescales will carry on their work towards ‘timely professional judgements’ until March 31st 2012.")
CUSTOMARIES = "Norman customary law was transcribed in two customaries in Latin by two judges"


# --- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("When did the Duchy of Normandy begin?", DUCHY, "911"),  # a three-digit year
    ("In what year did Duke William II conquer England?", HASTINGS, "1066"),
    ("When did Ethelred flee to Normandy?", ETHELRED, "1013"),
    ("When did Hervé serve as a Byzantine general?",
     "One of the first Norman mercenaries to serve as a Byzantine general was Hervé in the 1050s.", "the 1050s"),
    ("What century did the Normans first gain their separate identity?",
     "The distinct cultural and ethnic identity of the Normans emerged initially in the first half of the 10th "
     "century, and it continued to evolve over the succeeding centuries.", "the first half of the 10th century"),
    ("On what date did Tim Loughton give Parliament the update on the Munro commitments?",
     "On 13 December 2011, Tim Loughton, Parliamentary Under-Secretary of State for Children and Families gave an "
     "update to Parliament", "13 December 2011"),
])
def test_a_date_question_marks_the_date_printed_in_the_sentence(question: str, sentence: str, expected: str) -> None:
    assert span(question, sentence) == expected


def test_a_year_the_question_uses_is_not_its_answer() -> None:
    assert span("When did Ethelred flee to Normandy?", ETHELRED) == "1013"
    assert span("When, after 1013, did Ethelred flee to Normandy?", ETHELRED) is None


# --- names and places ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("Who was the Norse leader?",  # one-word names count
     'They were descended from Norse ("Norman" comes from "Norseman") raiders and pirates from Denmark, Iceland and '
     "Norway who, under their leader Rollo, agreed to swear fealty to King Charles III of West Francia.", "Rollo"),
    ("Who forced Ethelred from his kingdom?", ETHELRED, "Sweyn Forkbeard"),  # "to Normandy" is a place, not who
    ("Who is the head of safeguarding at Action for Children?",
     "Shaun Kelly, Head of Safeguarding at Action for Children said:", "Shaun Kelly"),
    ("To where did Ethelred flee?", ETHELRED, "Normandy"),
])
def test_a_name_or_place_is_marked(question: str, sentence: str, expected: str) -> None:
    assert span(question, sentence) == expected


@pytest.mark.parametrize(("question", "sentence"), [
    ("Who did Rollo sign the treaty of Saint-Clair-sur-Epte with?", DUCHY),
    ("When did Rollo establish the Duchy of Normandy?", DUCHY),
    ("Who was the famed Viking ruler Rollo?", DUCHY),
    ("Where did Ethelred flee?", ETHELRED),
    ("Who is the head of safeguarding at Action for Children?",
     "Shaun Kelly, Head of Safeguarding at Action for Children said:"),
])
def test_a_name_the_question_uses_is_never_the_span(question: str, sentence: str) -> None:
    marked = span(question, sentence)
    named = {w for match in names_asked(question) for w in words(match.group())}
    assert named and (marked is None or not set(words(marked)) & named)


def test_the_treaty_question_gets_the_king_not_rollo() -> None:
    assert span("Who did Rollo sign the treaty of Saint-Clair-sur-Epte with?", DUCHY) == "King Charles III of West Francia"


# --- numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How many men were in Robert's army?",
     "After allying himself with Croatia and the Catholic cities of Dalmatia, in 1081 he led an army of 30,000 men "
     "in 300 ships", "30,000 men"),  # not the year, nor the ships
    ("How much cash did the workforce council get for social work?",
     "The government has given the Children’s Workforce Development Council £79.9m for social work funding for "
     "2011/12.", "£79.9m"),
    ("What share of frontline practitioners feel unable to step in when they think a child is being neglected?",
     '"Recent research from Action for Children has revealed that over half of social workers feel powerless to '
     'intervene when they suspect a child is being neglected.', "over half"),
    ("How many customaries does Norman customary law have?", CUSTOMARIES, "two customaries"),
])
def test_a_number_question_marks_the_number_with_what_it_counts(question: str, sentence: str, expected: str) -> None:
    assert span(question, sentence) == expected


# --- nothing, when nothing is clearly the one ----------------------------------------------------------


@pytest.mark.parametrize(("question", "sentence"), [
    ("When did it happen?", WORKING_TOGETHER),  # three dates and nothing in the question to choose between them
    ("Why did Ethelred flee?", ETHELRED),  # a reason is a whole sentence
    ("What did Munro say about social workers?", "Shaun Kelly, Head of Safeguarding at Action for Children said:"),
    ("How many ships were there?", HASTINGS),  # no number in it, the year counts nothing
])
def test_no_span_when_no_phrase_is_clearly_the_one(question: str, sentence: str) -> None:
    assert span(question, sentence) is None


def test_what_each_kind_of_question_asks_for() -> None:
    assert phrase_asked("When did Rollo die?", "date") == "date"
    assert phrase_asked("Where did Ethelred flee?", None) == "place"
    assert phrase_asked("In what country is Normandy located?", None) == "region"
    assert phrase_asked("What century did the Normans gain their identity?", None) == "date"
    assert phrase_asked("Why did the government reject the duty?", "reason") is None
    assert phrase_asked("What did Munro recommend?", None) is None


# --- citations -----------------------------------------------------------------------------------------


def _cited(n: int, quote: str, start: int) -> Citation:
    return Citation(n=n, doc_id="d", title="t", source="s", date="", section="", quote=quote, start=start,
                    end=start + len(quote))


def test_only_the_first_citation_holding_the_kind_is_marked_and_offsets_are_the_documents() -> None:
    text = f"Intro. {real_sentence(ETHELRED)} {real_sentence(HASTINGS)}"
    first, second = (_cited(n, q, text.index(q)) for n, q in ((1, ETHELRED), (2, HASTINGS)))
    marked = mark_answers([first, second], resolve("When did Ethelred flee to Normandy?", []))
    assert marked[1].answer_span is None
    assert marked[0].answer_span == AnswerSpan(text.index("1013"), text.index("1013") + 4, "1013")
    assert text[marked[0].answer_span.start:marked[0].answer_span.end] == "1013"


def test_an_ambiguous_first_citation_is_not_skipped_for_a_later_one() -> None:
    # The best sentence holds dates but none clearly answers: a later sentence's date is not taken instead.
    marked = mark_answers([_cited(1, real_sentence(WORKING_TOGETHER), 0), _cited(2, HASTINGS, 500)],
                          resolve("When did it happen?", []))
    assert [c.answer_span for c in marked] == [None, None]


# --- through the real engine, on docs/ and on an article it was never shaped on -------------------------


@pytest.fixture(scope="module")
def normans(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Engine]:
    """The engine over SQuAD's Normans article, one document, its paragraphs separated by blank lines."""
    root = tmp_path_factory.mktemp("normans")
    article = _normans()
    body = "Normans\n\n" + "\n\n".join(p["context"] for p in article["paragraphs"]) + "\n"
    raw = RawDocument(doc_id="normans", title="Normans", source="Wikipedia", date="", author="", url="", body=body)
    (root / "docs").mkdir()
    (root / "docs" / "normans.txt").write_text(render_document(raw), encoding="utf-8")
    settings = Settings(docs_dir=root / "docs", index_dir=root / "index", feedback_db=root / "feedback.sqlite3")
    build_index(settings.docs_dir, settings.index_dir, embedder)
    yield Engine.load(settings, embedder)


def _check_spans(engine: Engine, question: str, answer: Answer) -> int:
    spans = [c for c in answer.citations if c.answer_span]
    resolved = resolve(question, [])
    parts = [resolved.part(i).question for i in range(len(resolved.parts))] or [resolved.question]
    assert len(spans) <= len(parts)  # the first citation holding the kind, per part
    for citation in spans:
        span_ = citation.answer_span
        assert span_ is not None
        text = engine.documents[citation.doc_id].text
        assert text[span_.start:span_.end] == span_.text  # offsets index the document text exactly
        assert citation.start <= span_.start < span_.end <= citation.end  # and lie inside the quote
        assert span_.text in citation.quote
        assert any(not set(words(span_.text)) <= set(words(part)) for part in parts)  # not the question's words
    return len(spans)


def test_every_span_of_real_answers_indexes_its_document(normans: Engine) -> None:
    questions = [qa["question"] for p in _normans()["paragraphs"] for qa in p["qas"] if not qa["is_impossible"]]
    marked = sum(_check_spans(normans, q, normans.ask(q)) for q in questions)
    assert marked >= len(questions) // 4  # spans are given, not just allowed


def test_real_answers_on_docs_mark_the_phrase(engine: Engine) -> None:
    gold = [json.loads(line) for line in (PROJECT_ROOT / "evaluate" / "gold.jsonl").read_text().splitlines() if line]
    questions = [item["turns"][0]["question"] for item in gold]
    assert sum(_check_spans(engine, q, engine.ask(q)) for q in questions) >= 10
    answer = engine.ask("Who is the head of safeguarding at Action for Children?")
    assert [c.answer_span.text for c in answer.citations if c.answer_span] == ["Shaun Kelly"]


def test_the_normans_date_question_marks_its_year(normans: Engine) -> None:
    answer = normans.ask("When did Ethelred flee to Normandy?")
    [marked] = [c for c in answer.citations if c.answer_span]
    assert marked.answer_span.text == "1013" and re.search(r"\b1013\b", marked.quote)
