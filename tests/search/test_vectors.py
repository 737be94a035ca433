"""Both vector index types: what they return, what survives a save, and which one the engine picks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_service.search.vectors import (
    APPROXIMATE_FROM,
    VECTOR_INDEX_TYPES,
    IVFSQ8Index,
    build_vector_index,
    choose_vector_index,
    load_vector_index,
)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    """5,000 unit vectors in clusters, the shape real passage embeddings have."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(50, 384))
    points = centres[rng.integers(0, 50, 5000)] + rng.normal(0, 0.3, (5000, 384))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", list(VECTOR_INDEX_TYPES))
def test_each_index_finds_a_stored_vector_first_and_survives_a_save(kind: str, vectors: np.ndarray, tmp_path: Path):
    index = build_vector_index(kind, vectors)
    assert len(index) == len(vectors)
    scores, ids = index.search(vectors[:20], 5)
    assert ids[:, 0].tolist() == list(range(20))
    assert np.all(scores[:, 0] > 0.99)
    index.save(tmp_path / "passages.faiss")
    loaded = load_vector_index(kind, tmp_path / "passages.faiss")
    assert type(loaded) is type(index)
    assert np.array_equal(loaded.search(vectors[:20], 5)[1], ids)


@pytest.mark.parametrize("kind", list(VECTOR_INDEX_TYPES))
def test_vectors_gives_back_what_was_stored_and_added(kind: str, vectors: np.ndarray, tmp_path: Path):
    index = build_vector_index(kind, vectors[:4000])
    index.add(vectors[4000:])
    index.save(tmp_path / "passages.faiss")
    loaded = load_vector_index(kind, tmp_path / "passages.faiss")
    ids = [0, 17, 3999, 4000, 4999]
    rebuilt = loaded.vectors(ids)
    cosine = (rebuilt * vectors[ids]).sum(axis=1) / np.linalg.norm(rebuilt, axis=1)
    assert rebuilt.shape == (5, 384) and np.all(cosine > 0.999)
    assert loaded.vectors([]).shape == (0, 384)


def test_the_approximate_index_keeps_most_of_exact_search_top_10(vectors: np.ndarray):
    queries = vectors[::50] + np.random.default_rng(1).normal(0, 0.05, (100, 384)).astype(np.float32)
    exact = build_vector_index("flat", vectors).search(queries, 10)[1]
    approximate = build_vector_index("ivf-sq8", vectors).search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approximate)])
    assert recall >= 0.9


def test_the_engine_picks_exact_search_below_the_threshold_and_approximate_from_it():
    assert choose_vector_index(APPROXIMATE_FROM - 1) == "flat"
    assert choose_vector_index(APPROXIMATE_FROM) == choose_vector_index(10**6) == "ivf-sq8"


def test_inverted_lists_grow_with_the_square_root_and_never_outgrow_the_sample():
    assert IVFSQ8Index.lists_for(1_000_000) == 1024
    assert IVFSQ8Index.lists_for(100_000) == 256
    assert IVFSQ8Index.lists_for(1000) * 39 <= 1000
    assert IVFSQ8Index.lists_for(10) == 1
