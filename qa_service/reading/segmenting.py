"""Cleaned text to sentences and passages, every one with offsets into the text.

Sentences come from pysbd, a maintained rule-based splitter that knows abbreviations
("Prof.", "Mr", "e.g.") and quotations; each paragraph is split on its own, so a sentence
never runs across a paragraph break. Passages are short windows of consecutive sentences
of one section that overlap by one sentence, so an answer that straddles a window edge is
still whole in some passage.

pysbd's time grows faster than the text it is given (50,000 characters without a full stop
took 3 s, 200,000 took 55 s), so it reads a long paragraph SEGMENT_CHARS at a time, each
window starting where the last sentence it found whole began, and a "sentence" longer than
MAX_SENTENCE_CHARS (text without full stops) is cut at spaces: a build's cost grows with the
length of the text, whatever its shape. Both bounds are above any paragraph or sentence of
docs/ or the SQuAD articles (1,765 and 1,222 characters), so ordinary text is split as before.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from ..models import CleanedText, Passage, Sentence

_BULLET_PREFIX = re.compile(r"^[•·▪◦‣∙*\-–]\s+")
_SPACE = re.compile(r"\s+")
SEGMENT_CHARS = 5000
MAX_SENTENCE_CHARS = 2000


@dataclass(frozen=True)
class ChunkSettings:
    """How passages are cut; stored in the index manifest so a change forces a rebuild."""

    max_sentences: int = 4
    max_words: int = 110
    overlap_sentences: int = 1


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def _spans(paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph, none longer than MAX_SENTENCE_CHARS."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(paragraph):
        stop = min(start + SEGMENT_CHARS, len(paragraph))
        found = [(start + a, start + b) for a, b in _sentence_spans(paragraph[start:stop])]
        if stop < len(paragraph):
            if len(found) > 1:  # the last sentence may go on past the window: read it again in the next
                found.pop()
                stop = found[-1][1]
            else:  # one sentence fills the window: cut it at a space
                stop = _cut(paragraph, start, len(paragraph), SEGMENT_CHARS)
                found = [(found[0][0], stop)] if found else []
        for a, b in found:
            spans += _bounded(paragraph, a, b, MAX_SENTENCE_CHARS)
        start = stop
    return spans


def _cut(text: str, start: int, end: int, limit: int) -> int:
    """Where a piece of `text[start:end]` of at most `limit` characters ends: at `end` if it can,
    else after the last space in its second half, or at `limit` characters when there is none."""
    if end - start <= limit:
        return end
    spaces = [m.end() for m in _SPACE.finditer(text, start + limit // 2, start + limit)]
    return spaces[-1] if spaces else start + limit


def _bounded(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """`text[start:end]` as consecutive spans of at most `limit` characters cut at spaces, trimmed."""
    spans: list[tuple[int, int]] = []
    while start < end:
        stop = _cut(text, start, end, limit)
        piece = text[start:stop]
        lead, kept = len(piece) - len(piece.lstrip()), len(piece.strip())
        if kept:
            spans.append((start + lead, start + lead + kept))
        start = stop
    return spans


def _sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the sentences pysbd finds in a paragraph, trimmed of spaces and bullets.

    pysbd returns the sentence strings; they are located in order in the paragraph, so the
    spans are exact even where pysbd's own char_span option is unreliable.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(paragraph):
        piece = piece.strip()
        if not piece:
            continue
        found = paragraph.find(piece, cursor)
        if found < 0:  # pysbd altered the text; fall back to the rest of the paragraph
            found, piece = cursor, paragraph[cursor:].strip()
        start, end = found, found + len(piece)
        bullet = _BULLET_PREFIX.match(paragraph[start:end])
        if bullet:
            start += bullet.end()
        if end > start:
            spans.append((start, end))
        cursor = end
    return spans


def split_sentences(doc_id: str, cleaned: CleanedText, first_id: int = 0) -> list[Sentence]:
    """All sentences of a document in reading order; headings are one sentence each."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(cleaned.paragraphs):
        body = cleaned.text[paragraph.start:paragraph.end]
        spans = [(0, len(body))] if paragraph.heading else _spans(body)
        for start, end in spans:
            sentences.append(
                Sentence(
                    sentence_id=first_id + len(sentences),
                    doc_id=doc_id,
                    start=paragraph.start + start,
                    end=paragraph.start + end,
                    text=body[start:end],
                    paragraph=number,
                    heading=paragraph.heading,
                )
            )
    return sentences


def _word_count(sentence: Sentence) -> int:
    return len(sentence.text.split())


def group_passages(
    text: str,
    sentences: list[Sentence],
    section_bounds: list[tuple[int, int]],
    settings: ChunkSettings,
    first_id: int = 0,
) -> list[Passage]:
    """Windows of a few sentences (in reading order, as `split_sentences` gives them), never crossing
    a section, ending at paragraph ends when they can.

    A window grows until the next sentence would break the sentence or word budget; once
    half full it also stops at a paragraph end. A heading never ends a window, so it stays
    with the text it introduces.
    """
    passages: list[Passage] = []
    starts = [s.start for s in sentences]  # in reading order, so a section's sentences are found by bisection
    for lo, hi in section_bounds:
        members = sentences[bisect_left(starts, lo):bisect_left(starts, hi)]
        i = 0
        while i < len(members):
            j = i + 1
            words = _word_count(members[i])
            while j < len(members):
                nxt = members[j]
                full = j - i >= settings.max_sentences or words + _word_count(nxt) > settings.max_words
                at_break = nxt.paragraph != members[j - 1].paragraph and words >= settings.max_words // 2
                if (full or at_break) and not members[j - 1].heading:
                    break
                words += _word_count(nxt)
                j += 1
            window = members[i:j]
            start, end = window[0].start, window[-1].end
            passages.append(
                Passage(
                    passage_id=first_id + len(passages),
                    doc_id=window[0].doc_id,
                    start=start,
                    end=end,
                    text=text[start:end],
                    sentence_ids=tuple(s.sentence_id for s in window),
                )
            )
            if j >= len(members):
                break
            i = max(j - settings.overlap_sentences, i + 1)
    return passages
