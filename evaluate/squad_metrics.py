"""Scoring replies to SQuAD questions: per-question judgements, then one summary per system.

Pure, like metrics.py: a TurnRun and its SquadQuestion in, numbers out. Gold answers are a
few words and the engine quotes whole sentences, so the main figure is containment, not
exact match: does the quoted text hold a gold answer, both normalised by SQuAD's own
script. The names in SQUAD_METRICS are the keys of the JSON report and of
evaluate/squad_floor.json; evaluate/README.md ("Your own SQuAD-format file") says what
each means.
"""

from __future__ import annotations

import re
import statistics
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .metrics import MetricInfo, Summary, answer_text, share, word_count
from .runner import TurnRun
from .squad_collection import ParagraphSpan, in_paragraph
from .squad_format import SquadQuestion

SQUAD_METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("containment", "higher", "share"),
    MetricInfo("first_citation_in_gold_paragraph", "higher", "share"),
    MetricInfo("answer_span_contains", "higher", "share"),
    MetricInfo("noans_abstention", "higher", "share"),
    MetricInfo("false_abstention", "lower", "share"),
    MetricInfo("overall", "higher", "share"),
    MetricInfo("median_answer_words", "lower", "words", bound=60.0),  # as on the gold set: short enough is enough
)
# Shown and gated only when some reply carries it: the contract's `answer_span` is optional.
OPTIONAL_METRICS = frozenset({"answer_span_contains"})

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalisation, as the official v2.0 evaluation script's `normalize_answer`.

    Lower case, ASCII punctuation (`string.punctuation`) removed, the articles a/an/the
    removed as words, whitespace collapsed; in that order. Kept to the letter, not made
    "better" (curly quotes stay, as they do in the script), so figures compare with SQuAD's.
    """
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether `text` holds one of `answers` as whole words, both normalised (normalize_answer).

    Whole words, so "1" is not found in "1096"; an answer that normalises to nothing (just
    "the") holds no words and matches nothing.
    """
    padded = f" {normalize_answer(text)} "
    return any(gold and f" {gold} " in padded for gold in map(normalize_answer, answers))


@dataclass(frozen=True)
class SquadJudgement:
    """How one reply fared on its question."""

    run: TurnRun
    question: SquadQuestion
    contains: bool  # answered, and the answer (markers removed) holds a gold answer
    first_in_paragraph: bool  # answered, and its first citation lies inside the question's paragraph
    span_contains: bool | None  # the first answer_span holds a gold answer; None: no citation carries one
    answer_words: int | None  # None when abstained

    @property
    def abstained(self) -> bool:
        return self.run.reply.abstained

    @property
    def correct(self) -> bool:
        """SQuAD 2.0's sense of right: an answerable question answered with its answer, an unanswerable one refused."""
        return self.contains if self.question.answerable else self.abstained


def judge_squad(run: TurnRun, question: SquadQuestion, paragraph: ParagraphSpan) -> SquadJudgement:
    """Score one reply against its question and the span of the question's paragraph."""
    reply = run.reply
    text = answer_text(reply)  # "" when abstained, so an abstention holds no answer
    answerable = question.answerable
    first = reply.citations[0] if reply.citations and not reply.abstained else None
    spans = [c.answer_span for c in reply.citations if c.answer_span is not None]
    in_gold = first is not None and in_paragraph(paragraph, first.doc_id, first.start, first.end, first.quote)
    span_holds = bool(spans) and not reply.abstained and contains_answer(spans[0].text, question.answer_texts)
    return SquadJudgement(
        run=run,
        question=question,
        contains=answerable and contains_answer(text, question.answer_texts),
        first_in_paragraph=answerable and in_gold,
        span_contains=(answerable and span_holds) if spans else None,
        answer_words=None if reply.abstained else word_count(text),
    )


def summarize_squad(judgements: Sequence[SquadJudgement]) -> Summary:
    """Every metric of SQUAD_METRICS (None where nothing was counted, or no reply carried answer spans)."""
    answerable = [j for j in judgements if j.question.answerable]
    unanswerable = [j for j in judgements if not j.question.answerable]
    words = [j.answer_words for j in judgements if j.answer_words is not None]
    carries_spans = any(j.span_contains is not None for j in judgements)
    values: dict[str, float | None] = {
        "containment": share(sum(j.contains for j in answerable), len(answerable)),
        "first_citation_in_gold_paragraph": share(sum(j.first_in_paragraph for j in answerable), len(answerable)),
        "answer_span_contains": share(sum(bool(j.span_contains) for j in answerable), len(answerable))
        if carries_spans else None,
        "noans_abstention": share(sum(j.abstained for j in unanswerable), len(unanswerable)),
        "false_abstention": share(sum(j.abstained for j in answerable), len(answerable)),
        "overall": share(sum(j.correct for j in judgements), len(judgements)),
        "median_answer_words": float(statistics.median(words)) if words else None,
    }
    return {m.name: None if values[m.name] is None else round(values[m.name], 4) for m in SQUAD_METRICS}


def by_article(judgements: Iterable[SquadJudgement]) -> dict[str, Summary]:
    """One summary per article, in the order the articles first appear."""
    grouped: dict[str, list[SquadJudgement]] = {}
    for j in judgements:
        grouped.setdefault(j.question.article, []).append(j)
    return {title: summarize_squad(js) for title, js in grouped.items()}


def shown_metrics(summaries: Mapping[str, Summary]) -> tuple[MetricInfo, ...]:
    """The metrics to report: all but an optional one no system measured."""
    return tuple(m for m in SQUAD_METRICS
                 if m.name not in OPTIONAL_METRICS or any(s.get(m.name) is not None for s in summaries.values()))
