"""Scoring replies against the gold set: per-turn judgements, then one summary per system.

Everything here is pure: a TurnRun in, numbers out. evaluate/README.md ("## Metrics") says
what each metric means; the names in METRICS are the keys of the JSON report and of
evaluate/floor.json, so they are a contract too.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .gold import GoldTurn
from .matching import is_correct, normalize
from .runner import Reply, RetrievedPassage, TurnRun

_MARKER = re.compile(r"\s*\[\d+\]")
_ARTICLES = frozenset({"a", "an", "the"})
EVIDENCE_KEY = "gold-evidence"  # stands in qrels for the evidence span, which no run ever retrieves


@dataclass(frozen=True)
class MetricInfo:
    """How to read and gate a metric: `better` is 'higher', 'lower', or None for not gated."""

    name: str
    better: str | None
    unit: str  # 'share', 'words' or 'ms': how reports format it
    bound: float | None = None  # a fixed gate instead of a ratchet: past this bound, better is not better


METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("answer_accuracy", "higher", "share"),
    MetricInfo("token_f1", "higher", "share"),
    MetricInfo("citation_precision", "higher", "share"),
    MetricInfo("gold_doc_cited", "higher", "share"),
    MetricInfo("recall@1", "higher", "share"),
    MetricInfo("recall@5", "higher", "share"),
    MetricInfo("mrr", "higher", "share"),
    MetricInfo("abstention_recall", "higher", "share"),
    MetricInfo("false_abstention", "lower", "share"),
    MetricInfo("followup_accuracy", "higher", "share"),
    MetricInfo("median_answer_words", "lower", "words", bound=60.0),  # short enough to read is enough
    MetricInfo("latency_ms_p50", None, "ms"),
    MetricInfo("latency_ms_p95", None, "ms"),
)
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
Summary = dict[str, float | None]


# ------------------------------------------------------------------ text


def strip_markers(answer: str) -> str:
    """The answer's quoted words without the [n] citation markers."""
    return " ".join(_MARKER.sub(" ", answer).split())


def answer_text(reply: Reply) -> str:
    """What the system claims as its answer: nothing when it abstained (the refusal is not an answer)."""
    return "" if reply.abstained else strip_markers(reply.answer)


def squad_tokens(text: str) -> list[str]:
    """SQuAD's answer normalisation on top of ours: no punctuation, no articles, whitespace tokens.

    Punctuation is every Unicode 'P*' character (so curly quotes and dashes go too) and is
    deleted, not spaced, as SQuAD's script does.
    """
    kept = "".join(ch for ch in normalize(text) if not unicodedata.category(ch).startswith("P"))
    return [token for token in kept.split() if token not in _ARTICLES]


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token F1: harmonic mean of precision and recall of the bag-of-tokens overlap.

    Two empty texts agree (1.0); one empty text against a non-empty one scores 0.0.
    """
    predicted, expected = squad_tokens(prediction), squad_tokens(reference)
    if not predicted or not expected:
        return float(predicted == expected)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def word_count(text: str) -> int:
    return len(text.split())


# ------------------------------------------------------------------ relevance


def is_relevant(passage: RetrievedPassage, turn: GoldTurn) -> bool:
    """A passage answers a turn when it is from a gold document and holds the evidence sentence,
    or, failing that, holds one string of every answer group (both sides normalised).

    The fallback covers passages that cut the evidence sentence differently from the gold set
    (sentence splitting, page furniture removed by cleaning) but still hold every required fact.
    """
    if not turn.answerable or passage.doc_id not in turn.docs:
        return False
    text = normalize(passage.text)
    if turn.evidence and normalize(turn.evidence) in text:
        return True
    return is_correct(passage.text, [list(group) for group in turn.answer_groups])


# ------------------------------------------------------------------ per turn


@dataclass(frozen=True)
class Judgement:
    """How one reply fared on its turn; the summary metrics are averages of these fields."""

    run: TurnRun
    correct: bool  # answerable: answered and matched; unanswerable: abstained
    token_f1: float | None  # None for unanswerable turns
    citations: int  # citations of a non-abstained answer to an answerable turn
    gold_citations: int  # ... of which cite a gold document
    relevant_ranks: tuple[int, ...]  # 1-based ranks of relevant retrieved passages
    answer_words: int | None  # None when abstained

    @property
    def answerable(self) -> bool:
        return self.run.gold.answerable

    @property
    def cited_gold(self) -> bool:
        return self.gold_citations > 0

    @property
    def query_id(self) -> str:
        return f"{self.run.item_id}#{self.run.turn_index}"


def judge(run: TurnRun) -> Judgement:
    """Score one turn's reply against its gold turn."""
    turn, reply = run.gold, run.reply
    text = answer_text(reply)
    if not turn.answerable:
        return Judgement(run, reply.abstained, None, 0, 0, (), None if reply.abstained else word_count(text))
    groups = [list(group) for group in turn.answer_groups]
    answered = not reply.abstained
    cited = reply.citations if answered else ()
    return Judgement(
        run=run,
        correct=answered and is_correct(reply.answer, groups),
        token_f1=token_f1(text, turn.evidence),
        citations=len(cited),
        gold_citations=sum(c.doc_id in turn.docs for c in cited),
        relevant_ranks=tuple(rank for rank, p in enumerate(reply.passages, start=1) if is_relevant(p, turn)),
        answer_words=word_count(text) if answered else None,
    )


# ------------------------------------------------------------------ per system


def share(hits: int, total: int) -> float | None:
    """hits / total, or None when there is nothing to count (reported as n/a, never as 0 or 1)."""
    return hits / total if total else None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def retrieval_scores(judgements: Sequence[Judgement]) -> dict[str, float | None]:
    """hit_rate@1, hit_rate@5 and MRR over answerable turns, computed by ranx.

    Each turn's qrels are its relevant retrieved passages plus EVIDENCE_KEY, a stand-in for
    the evidence span that no run contains: a turn whose retrieval found nothing relevant
    then counts as a miss, and hit rate and MRR (which only look at the first relevant hit)
    are the same as with qrels listing every relevant passage of the collection.
    """
    answerable = [j for j in judgements if j.answerable]
    if not answerable:
        return {"recall@1": None, "recall@5": None, "mrr": None}
    from ranx import Qrels, Run, evaluate  # slow import (numba): only when there is something to score

    qrels: dict[str, dict[str, int]] = {}
    run: dict[str, dict[str, float]] = {}
    for j in answerable:
        passages = j.run.reply.passages
        ranked: dict[str, float] = {}
        for rank, passage in enumerate(passages):
            ranked.setdefault(passage.key, float(len(passages) - rank))  # the system's order, no ties
        qrels[j.query_id] = {EVIDENCE_KEY: 1} | {passages[r - 1].key: 1 for r in j.relevant_ranks}
        run[j.query_id] = ranked
    if not any(run.values()):  # ranx cannot build a run without a single passage: nothing retrieved, no hits
        return {"recall@1": 0.0, "recall@5": 0.0, "mrr": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's type-safety chatter inside ranx
        scores = evaluate(Qrels(qrels), Run(run), ["hit_rate@1", "hit_rate@5", "mrr"], make_comparable=True)
    return {
        "recall@1": float(scores["hit_rate@1"]),
        "recall@5": float(scores["hit_rate@5"]),
        "mrr": float(scores["mrr"]),
    }


def _percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def _rounded(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(value, 1) if unit == "ms" else round(value, 4)


def summarize(judgements: Sequence[Judgement]) -> Summary:
    """Every metric of METRICS for one system's judgements (None where nothing was counted)."""
    answerable = [j for j in judgements if j.answerable]
    unanswerable = [j for j in judgements if not j.answerable]
    followups = [j for j in answerable if j.run.turn_index > 0]
    words = [j.answer_words for j in judgements if j.answer_words is not None]
    latencies = [j.run.latency_ms for j in judgements]
    values: dict[str, float | None] = {
        "answer_accuracy": share(sum(j.correct for j in answerable), len(answerable)),
        "token_f1": mean([j.token_f1 for j in answerable if j.token_f1 is not None]),
        "citation_precision": share(sum(j.gold_citations for j in answerable), sum(j.citations for j in answerable)),
        "gold_doc_cited": share(sum(j.cited_gold for j in answerable), len(answerable)),
        **retrieval_scores(judgements),
        "abstention_recall": share(sum(j.run.reply.abstained for j in unanswerable), len(unanswerable)),
        "false_abstention": share(sum(j.run.reply.abstained for j in answerable), len(answerable)),
        "followup_accuracy": share(sum(j.correct for j in followups), len(followups)),
        "median_answer_words": float(statistics.median(words)) if words else None,
        "latency_ms_p50": _percentile(latencies, 50),
        "latency_ms_p95": _percentile(latencies, 95),
    }
    return {m.name: _rounded(values[m.name], m.unit) for m in METRICS}


def by_category(judgements: Iterable[Judgement]) -> dict[str, tuple[int, int]]:
    """(turns judged correct, turns) per item category, for spotting where a system fails."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for j in judgements:
        counts[j.run.category][0] += j.correct
        counts[j.run.category][1] += 1
    return {category: (hits, total) for category, (hits, total) in counts.items()}
