"""Sentences and passages: exact offsets, no wrong splits, passages inside one section."""

from __future__ import annotations

import random
import time

import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.reading.cleaning import clean
from qa_service.reading.documents import parse_document
from qa_service.reading.segmenting import (
    MAX_SENTENCE_CHARS,
    SEGMENT_CHARS,
    ChunkSettings,
    group_passages,
    split_sentences,
)


def _sentences(body: str) -> list[str]:
    cleaned = clean(body, "")
    return [s.text for s in split_sentences("d", cleaned)]


@pytest.mark.parametrize(
    "paragraph",
    [
        "Prof. Munro said it was a long review and that the findings were clear.",
        "Mr. Loughton agreed with the review and said the government would respond.",
        "“We must act now,” said Dr. Smith of the U.K. charity, according to the report.",
        "The plan, e.g. the duty on councils, was dropped by the government this week.",
    ],
)
def test_abbreviations_and_quotes_do_not_split(paragraph: str) -> None:
    assert _sentences(paragraph + "\n") == [paragraph]


def test_two_sentences_split_and_quotes_stay_with_their_sentence() -> None:
    body = "Prof. Munro said it. “It is the right thing to do,” Mr Loughton agreed. The report was published."
    assert _sentences(body) == [
        "Prof. Munro said it.",
        "“It is the right thing to do,” Mr Loughton agreed.",
        "The report was published.",
    ]


def test_bullets_are_not_part_of_the_sentence() -> None:
    body = ("The plans include the following steps for councils.\n\n"
            "  • Remove the statutory timescales for assessments\n\n- Keep social workers on the frontline")
    cleaned = clean(body, "")
    texts = [s.text for s in split_sentences("d", cleaned)]
    assert "Remove the statutory timescales for assessments" in texts
    assert "Keep social workers on the frontline" in texts
    assert not any(t.startswith(("•", "-")) for t in texts)


@pytest.fixture(scope="module")
def real_docs():
    out = []
    for path in sorted((PROJECT_ROOT / "docs").glob("*.txt")):
        raw = parse_document(path.stem, path.read_text("utf-8"))
        cleaned = clean(raw.body, raw.title)
        out.append((cleaned, split_sentences(path.stem, cleaned)))
    return out


def test_every_sentence_is_its_span(real_docs) -> None:
    for cleaned, sentences in real_docs:
        assert sentences
        for s in sentences:
            assert s.text == cleaned.text[s.start:s.end]
            assert s.text == s.text.strip() and s.text


@pytest.mark.parametrize("settings", [ChunkSettings(), ChunkSettings(max_sentences=2, max_words=40)])
def test_passages_stay_in_sections_overlap_and_respect_budgets(real_docs, settings: ChunkSettings) -> None:
    for cleaned, sentences in real_docs:
        bounds = [(s.start, s.end) for s in cleaned.sections]
        passages = group_passages(cleaned.text, sentences, bounds, settings)
        by_id = {s.sentence_id: s for s in sentences}
        assert passages
        for p in passages:
            assert p.text == cleaned.text[p.start:p.end]
            assert any(lo <= p.start and p.end <= hi for lo, hi in bounds), "passage crosses a section"
            members = [by_id[i] for i in p.sentence_ids]
            assert list(p.sentence_ids) == list(range(p.sentence_ids[0], p.sentence_ids[-1] + 1))
            if len(members) > 1 and not any(m.heading for m in members):  # a heading always takes its next sentence
                assert len(members) <= settings.max_sentences
                assert sum(len(m.text.split()) for m in members) <= settings.max_words
        for a, b in zip(passages, passages[1:]):
            same_section = any(lo <= a.start < hi and lo <= b.start < hi for lo, hi in bounds)
            if same_section and len(a.sentence_ids) > 1:
                assert a.sentence_ids[-1] == b.sentence_ids[0], "neighbours overlap by exactly one sentence"


WORDS = ("the", "council", "said", "that", "children", "in", "care", "would", "be", "placed", "near", "home", "after",
         "a", "review", "of", "local", "services")


def _words(count: int, seed: int = 27) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(count))


@pytest.mark.parametrize("paragraph", [
    _words(40_000),  # a text with no full stop: 240,000 characters in one paragraph
    ",".join(["harbour"] * 1000),  # not even a space
    "   ".join(_words(300, seed) for seed in range(40)),  # runs of spaces where it may be cut
])
def test_a_text_without_full_stops_is_cut_into_bounded_sentences(paragraph: str) -> None:
    body = f"Harbour notes\n\n{paragraph}\n"
    cleaned = clean(body, "")
    started = time.perf_counter()
    sentences = split_sentences("d", cleaned)
    seconds = time.perf_counter() - started
    assert seconds < 20, f"{seconds:.1f}s: sentence splitting is no longer linear"  # was 55 s for 200,000 characters
    body_sentences = [s for s in sentences if not s.heading]
    assert len(body_sentences) >= len(paragraph) // MAX_SENTENCE_CHARS
    for s in sentences:
        assert s.text == cleaned.text[s.start:s.end] and s.text == s.text.strip() and s.text
        assert len(s.text) <= MAX_SENTENCE_CHARS
    kept = "".join(s.text for s in body_sentences)
    assert "".join(kept.split()) == "".join(paragraph.split())  # every word kept, in order
    settings = ChunkSettings()
    passages = group_passages(cleaned.text, sentences, [(x.start, x.end) for x in cleaned.sections], settings)
    assert max(len(p.text) for p in passages) <= settings.max_sentences * (MAX_SENTENCE_CHARS + len("   "))


def test_a_long_paragraph_of_sentences_is_split_as_pysbd_splits_each() -> None:
    sentences = [f"Mr. Jones said the council met on day {n} and agreed the plan for the harbour." for n in range(400)]
    sentences[70] = f"Mr. Jones listed what the council had agreed: {_words(300)}."  # long, but a sentence
    paragraph = " ".join(sentences)
    assert len(paragraph) > 4 * SEGMENT_CHARS and SEGMENT_CHARS / 4 < len(sentences[70]) < MAX_SENTENCE_CHARS
    assert _sentences(paragraph + "\n") == sentences  # the pieces given to pysbd end at full stops
