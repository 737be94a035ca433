"""BM25 over passages (bm25s), fed by the same tokenizer as sentence scoring."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from ..text import tokenize


class LexicalIndex:
    """A BM25 index whose document ids are passage row numbers."""

    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self.retriever = retriever
        self.size = size
        self.vocabulary = set(retriever.vocab_dict)

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)
        return cls(retriever, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (zeros when no query word is indexed)."""
        tokens = [t for t in tokenize(query) if t in self.vocabulary]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(folder), show_progress=False), size)
