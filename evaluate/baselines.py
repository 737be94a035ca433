"""Sentence-ranking baselines over an index's own sentences: what the engine must beat.

Each baseline ranks every sentence of the index (`IndexData.sentences`) for the question and
quotes the top two, best first, with citations in the answer contract, so the evaluation
scores it exactly as it scores the engine. None ever abstains: they show how far plain
retrieval gets, not when to refuse.

- `bm25 top-2`: BM25 (bm25s) over the sentences' tokens, the project's tokenizer
  (qa_service.search.lexical.LexicalIndex, as the passages' BM25 is built);
- `dense top-2`: cosine of the question's all-MiniLM-L6-v2 embedding with the index's
  sentence vectors;
- `hybrid top-2`: the two fused by plain reciprocal rank fusion (k=60), both weighing alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from qa_service.search.embedding import Embedder
    from qa_service.search.indexing import IndexData

RRF_K = 60  # Cormack, Clarke and Buettcher (2009): the constant that damps the head of each list
TOP = 2


class SentenceRanker:
    """Every sentence of one index ranked for a question, three ways."""

    def __init__(self, data: IndexData, embedder: Embedder) -> None:
        from qa_service.search.lexical import LexicalIndex

        self.data = data
        self.embedder = embedder
        self.lexical = LexicalIndex.build([s.text for s in data.sentences])
        self._vectors: dict[str, np.ndarray] = {}  # each baseline asks every question: embed it once

    def _scores(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """(BM25 scores, cosines) of every sentence."""
        if question not in self._vectors:
            self._vectors[question] = self.embedder.encode([question])[0]
        return self.lexical.scores(question), self.data.sentence_vectors @ self._vectors[question]

    def bm25(self, question: str) -> list[int]:
        """Sentence ids by BM25 score, best first; sentences sharing no word with the question last, in text order."""
        return _order(self._scores(question)[0])

    def dense(self, question: str) -> list[int]:
        """Sentence ids by cosine with the question, best first."""
        return _order(self._scores(question)[1])

    def hybrid(self, question: str) -> list[int]:
        """Reciprocal rank fusion of the BM25 list (sentences scoring above 0) and the dense list.

        A sentence with no question word is left out of BM25's list rather than ranked by
        where it stands in the text.
        """
        lexical, cosines = self._scores(question)
        fused: dict[int, float] = {}
        for ranking in ([i for i in _order(lexical) if lexical[i] > 0], _order(cosines)):
            for rank, sid in enumerate(ranking, start=1):
                fused[sid] = fused.get(sid, 0.0) + 1.0 / (RRF_K + rank)
        return sorted(fused, key=lambda sid: (-fused[sid], sid))


def _order(scores: np.ndarray) -> list[int]:
    """Row numbers by score, highest first; equal scores in row order."""
    return [int(i) for i in np.argsort(-scores, kind="stable")]


class SentenceBaseline:
    """A System (runner.py) answering with the top sentences of one ranking, never abstaining."""

    def __init__(self, name: str, rank: Callable[[str], Sequence[int]], data: IndexData, top: int = TOP) -> None:
        self.name = name
        self.rank = rank
        self.data = data
        self.top = top

    def ask(self, question: str, history: Sequence[Any]) -> Mapping[str, Any]:
        """The answer contract's fields the evaluation reads: quotes with [n] markers and citations."""
        citations = []
        for n, sid in enumerate(self.rank(question)[: self.top], start=1):
            sentence = self.data.sentences[sid]
            document = self.data.documents[sentence.doc_id]
            citations.append({"n": n, "doc_id": sentence.doc_id, "title": document.title, "quote": sentence.text,
                              "start": sentence.start, "end": sentence.end})
        return {
            "answer": " ".join(f"{c['quote']} [{c['n']}]" for c in citations),
            "abstained": False,
            "citations": citations,
            "passages": [],
            "confidence": None,
        }


def sentence_baselines(data: IndexData, embedder: Embedder) -> list[SentenceBaseline]:
    """hybrid, bm25 and dense top-2 over the sentences of `data` (a loaded IndexData)."""
    ranker = SentenceRanker(data, embedder)
    return [
        SentenceBaseline("hybrid top-2", ranker.hybrid, data),
        SentenceBaseline("bm25 top-2", ranker.bm25, data),
        SentenceBaseline("dense top-2", ranker.dense, data),
    ]
