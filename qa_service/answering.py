"""From retrieved passages to an extractive answer: 1-3 quoted sentences, or an abstention.

Every sentence of the retrieved passages is scored against the question on three signals
that each catch what the others miss: meaning (cosine of the sentence embedding),
words (the share of the question's rarer words the sentence contains) and context (how
high its passage ranked). A question that asks for a number, a date or a name expects
that kind of thing in its answer, and a sentence without one scores lower. The best
sentence answers; up to two more join it when they score nearly as well, say something
different and keep the answer short. When even the best sentence scores below the
calibrated threshold, the documents are taken not to hold the answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .conversation import ResolvedQuestion
from .indexing import IndexData
from .models import Answer, Citation, ScoredPassage, Sentence
from .text import tokenize

ABSTAIN_TEXT = "The documents don't answer this question."
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class ComposerSettings:
    """Weights and limits of sentence selection; the threshold comes from calibration."""

    threshold: float = 0.40
    weight_meaning: float = 0.55
    weight_words: float = 0.30
    weight_context: float = 0.15
    type_bonus: float = 0.05
    type_penalty: float = 0.12
    prior_doc_bonus: float = 0.05
    candidate_passages: int = 6
    max_sentences: int = 3
    max_words: int = 70
    margin: float = 0.06  # how far below the best a further sentence may score
    redundancy: float = 0.80  # cosine above which two sentences say the same thing
    min_words: int = 4


def load_composer_settings(path: Path = CALIBRATION_FILE) -> ComposerSettings:
    """Composer settings with the abstention threshold the evaluation calibrated, if any."""
    try:
        calibration = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ComposerSettings()
    return ComposerSettings(threshold=float(calibration["threshold"]))


# What kind of answer a question asks for, and how to see that kind in a sentence.
_ASKS = {
    "number": re.compile(r"\bhow (many|much)\b|\bwhat (number|percentage|proportion|share|fraction|amount|sum)\b", re.I),
    "date": re.compile(r"^\W*when\b|\b(what|which) (year|date|month|day)\b|\bby when\b", re.I),
    "name": re.compile(r"^\W*who\b|\bwhose\b|\bwho (is|was|are|were)\b", re.I),
}
_HAS = {
    "number": re.compile(
        r"\d|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
        r"hundreds|thousand|thousands|million|millions|billion|half|third|quarter|dozens?|majority|minority)\b",
        re.I,
    ),
    "date": re.compile(
        r"\b(19|20)\d\d\b|\b(january|february|march|april|may|june|july|august|september|october|november|"
        r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|christmas|spring|summer|autumn|winter)\b|"
        r"\b(this|next|last) (year|week|month)\b|\btoday\b",
        re.I,
    ),
    "name": re.compile(r"(?<!^)(?<![.!?:]\s)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+"),
}


def asked_type(question: str) -> str | None:
    """'number', 'date', 'name' or None, from the question's wording."""
    return next((kind for kind, pattern in _ASKS.items() if pattern.search(question)), None)


@dataclass(frozen=True)
class _Candidate:
    sentence: Sentence
    score: float
    vector: np.ndarray
    words: int


def _word_share(question_tokens: list[str], sentence_tokens: frozenset[str], data: IndexData) -> float:
    """IDF-weighted share of the question's words found in the sentence (unseen words weigh most)."""
    if not question_tokens:
        return 0.0
    weights = {t: data.idf.get(t, data.missing_idf) for t in set(question_tokens)}
    return sum(w for t, w in weights.items() if t in sentence_tokens) / sum(weights.values())


def score_sentences(
    resolved: ResolvedQuestion,
    query_vector: np.ndarray,
    passages: list[ScoredPassage],
    data: IndexData,
    settings: ComposerSettings,
) -> list[_Candidate]:
    """Every sentence of the top passages with its score, best first."""
    top = passages[: settings.candidate_passages]
    context: dict[int, float] = {}
    for rank, hit in enumerate(top):
        for sid in hit.passage.sentence_ids:
            context.setdefault(sid, 1.0 - rank / max(1, len(top)))
    if not context:
        return []
    ids = np.fromiter(context, dtype=np.int64)
    meaning = data.sentence_vectors[ids] @ query_vector
    question_tokens = tokenize(resolved.query)
    kind = asked_type(resolved.question)
    candidates = []
    for sid, cosine in zip(ids.tolist(), meaning.tolist(), strict=False):
        sentence = data.sentences[sid]
        count = len(sentence.text.split())
        if sentence.heading or count < settings.min_words:  # labels, not claims
            continue
        score = (
            settings.weight_meaning * cosine
            + settings.weight_words * _word_share(question_tokens, data.sentence_tokens(sid), data)
            + settings.weight_context * context[sid]
        )
        if kind is not None:
            score += settings.type_bonus if _HAS[kind].search(sentence.text) else -settings.type_penalty
        if sentence.doc_id in resolved.prior_docs:
            score += settings.prior_doc_bonus
        candidates.append(_Candidate(sentence, score, data.sentence_vectors[sid], count))
    return sorted(candidates, key=lambda c: (-c.score, c.sentence.sentence_id))


def select(candidates: list[_Candidate], settings: ComposerSettings) -> list[_Candidate]:
    """The best sentence and up to two close seconds that add something new."""
    if not candidates:
        return []
    chosen = [candidates[0]]
    words = candidates[0].words
    for candidate in candidates[1:]:
        if len(chosen) >= settings.max_sentences or candidate.score < chosen[0].score - settings.margin:
            break
        if words + candidate.words > settings.max_words:
            continue
        if any(float(candidate.vector @ c.vector) > settings.redundancy for c in chosen):
            continue
        chosen.append(candidate)
        words += candidate.words
    return chosen


def _citation(n: int, sentence: Sentence, data: IndexData) -> Citation:
    document = data.documents[sentence.doc_id]
    section = document.section_at(sentence.start)
    return Citation(
        n=n,
        doc_id=document.doc_id,
        title=document.title,
        source=document.source,
        date=(section.date if section and section.date else document.date),
        section=section.title if section else "",
        quote=sentence.text,
        start=sentence.start,
        end=sentence.end,
    )


def compose(
    resolved: ResolvedQuestion,
    query_vector: np.ndarray,
    passages: list[ScoredPassage],
    data: IndexData,
    settings: ComposerSettings,
) -> Answer:
    """The answer to one (resolved) question from its retrieved passages."""
    candidates = score_sentences(resolved, query_vector, passages, data, settings)
    confidence = candidates[0].score if candidates else 0.0
    if confidence < settings.threshold:
        return Answer(ABSTAIN_TEXT, True, (), tuple(passages), round(confidence, 4), resolved.query)
    chosen = select(candidates, settings)
    citations = [_citation(0, c.sentence, data) for c in chosen]
    dated = all(c.date for c in citations) and len({c.date for c in citations}) > 1
    if dated:  # how the story moved: oldest first, with the dates shown by every client
        citations.sort(key=lambda c: c.date)
    else:  # the best sentence's document first, reading order within a document
        lead = citations[0].doc_id
        citations.sort(key=lambda c: (c.doc_id != lead, c.doc_id, c.start))
    numbered = tuple(Citation(**{**c.__dict__, "n": i}) for i, c in enumerate(citations, start=1))
    text = " ".join(f"{c.quote} [{c.n}]" for c in numbered)
    return Answer(text, False, numbered, tuple(passages), round(confidence, 4), resolved.query, ordered_by_date=dated)
