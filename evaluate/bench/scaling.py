"""Part 4: vector search from ten thousand to a million passages, exact and approximate.

Every index type of `qa_service.search.vectors` is built and searched exactly as the service does
(`build_vector_index`, one question per `search`, one thread per search as under gunicorn),
over corpora made of real sentence embeddings recombined: each passage vector is the
normalised sum of the embeddings of `SENTENCES_PER_PASSAGE` sentences drawn at random from
the collection (the service's passages are windows of up to four sentences), plus Gaussian
noise so no two passages coincide. The questions are the real embeddings of the gold
questions. Uniform random unit vectors are not used: in 384 dimensions they are all nearly
equally far apart, a structure no real collection has, on which every approximate index looks
arbitrarily bad.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from qa_service.search.vectors import VECTOR_INDEX_TYPES, VectorIndex, build_vector_index, choose_vector_index

from .stats import Spread, percentile

SENTENCES_PER_PASSAGE = 4
NOISE = 0.05  # per dimension; about a third of a passage vector's length before normalising
K = 10
CHUNK = 100_000  # rows generated at a time, to bound temporary memory
SEED = 20261123


@dataclass(frozen=True)
class IndexResult:
    """One index type over one corpus."""

    kind: str
    build_seconds: float
    search_ms: Spread  # p50 of one question's search, per repetition
    memory_mib: float  # FAISS's serialised index: the arrays it keeps in memory
    recall_at_10: float  # share of exact search's top 10 that it also returns, averaged over questions
    reconstruction_cosine_min: float  # lowest cosine between a stored vector and what `vectors()` returns


@dataclass(frozen=True)
class CorpusResult:
    passages: int
    source: str  # 'docs/' for the real collection, 'synthetic' for recombined sentences
    chosen: str  # what choose_vector_index picks at this size
    indexes: list[IndexResult]

    def index(self, kind: str) -> IndexResult:
        return next(result for result in self.indexes if result.kind == kind)


def synthetic_passages(sentences: np.ndarray, count: int, seed: int = SEED) -> np.ndarray:
    """`count` unit vectors, each the noisy sum of SENTENCES_PER_PASSAGE random rows of `sentences`."""
    rng = np.random.default_rng(seed)
    out = np.empty((count, sentences.shape[1]), dtype=np.float32)
    for start in range(0, count, CHUNK):
        rows = min(CHUNK, count - start)
        picked = sentences[rng.integers(0, len(sentences), (rows, SENTENCES_PER_PASSAGE))].sum(axis=1)
        picked += rng.normal(0.0, NOISE, picked.shape).astype(np.float32)
        out[start:start + rows] = picked / np.linalg.norm(picked, axis=1, keepdims=True)
    return out


def _threads(count: int) -> None:
    faiss.omp_set_num_threads(count)


def _search_p50(index: VectorIndex, queries: np.ndarray) -> float:
    times = []
    for query in queries:
        started = time.perf_counter()
        index.search(query[None, :], K)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 50)


def _reconstruction_cosine(index: VectorIndex, vectors: np.ndarray, sample: int = 1000) -> float:
    ids = np.random.default_rng(SEED).choice(len(vectors), min(sample, len(vectors)), replace=False).tolist()
    rebuilt = index.vectors(ids)
    cosine = (rebuilt * vectors[ids]).sum(axis=1) / np.linalg.norm(rebuilt, axis=1)
    return round(float(cosine.min()), 5)


def measure_corpus(
    vectors: np.ndarray,
    queries: np.ndarray,
    source: str,
    repetitions: int,
    timed_queries: int,
    advance: Callable[[], object] = lambda: None,
) -> CorpusResult:
    """Build every index type over `vectors` once and search it `repetitions` times.

    Builds use every core (as `python -m qa_service build-index` does); searches use one
    thread, as a gunicorn worker answering one question does. Recall is measured against the
    flat index, which is exact.
    """
    cores = os.cpu_count() or 1
    results, exact_ids = [], None
    for kind in VECTOR_INDEX_TYPES:  # flat first: it is the ground truth
        _threads(cores)
        started = time.perf_counter()
        index = build_vector_index(kind, vectors)
        build_seconds = time.perf_counter() - started
        _, ids = index.search(queries, K)
        exact_ids = ids if exact_ids is None else exact_ids
        recall = float(np.mean([len(set(a) & set(b)) / K for a, b in zip(ids, exact_ids)]))
        _threads(1)
        search = Spread.of([_search_p50(index, queries[:timed_queries]) for _ in range(repetitions)])
        results.append(IndexResult(kind, round(build_seconds, 3), search,
                                   round(faiss.serialize_index(index.index).nbytes / 2**20, 3), round(recall, 4),
                                   _reconstruction_cosine(index, vectors)))
        del index
        advance()
    _threads(cores)
    return CorpusResult(len(vectors), source, choose_vector_index(len(vectors)), results)


def measure_scaling(
    collection: np.ndarray,
    sentences: np.ndarray,
    queries: np.ndarray,
    sizes: Sequence[int],
    repetitions: int,
    timed_queries: int,
    advance: Callable[[], object] = lambda: None,
) -> list[CorpusResult]:
    """The real collection's passage vectors first (the reference), then one synthetic corpus per size."""
    results = [measure_corpus(collection, queries, "docs/", repetitions, timed_queries, advance)]
    for size in sizes:
        results.append(measure_corpus(synthetic_passages(sentences, size), queries, "synthetic", repetitions,
                                      timed_queries, advance))
    return results
