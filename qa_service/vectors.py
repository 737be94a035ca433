"""Vector search behind one small interface, so the index type is a setting.

`FlatIndex` is exact search, right for small and medium collections; `HNSWIndex` is
approximate and keeps query time flat as a collection grows to millions of passages.
`choose_vector_index` picks by size; nothing outside this module knows which one runs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

import faiss
import numpy as np

HNSW_FROM_VECTORS = 200_000  # below this, exact search is fast enough and has perfect recall


class VectorIndex(ABC):
    """Inner-product search over unit vectors (cosine similarity)."""

    kind: str

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    @abstractmethod
    def create(cls, dimension: int) -> VectorIndex:
        """An empty index for vectors of `dimension`."""

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids are their row numbers in insertion order."""
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest rows for each query; missing hits have id -1."""
        k = max(1, min(k, self.index.ntotal))
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of rows `ids` (both index types keep them uncompressed)."""
        return np.vstack([self.index.reconstruct(int(i)) for i in ids]) if ids else np.zeros((0, self.index.d), np.float32)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    def __len__(self) -> int:
        return int(self.index.ntotal)


class FlatIndex(VectorIndex):
    kind = "flat"

    @classmethod
    def create(cls, dimension: int) -> FlatIndex:
        return cls(faiss.IndexFlatIP(dimension))


class HNSWIndex(VectorIndex):
    kind = "hnsw"
    neighbours = 32
    ef_construction = 80
    ef_search = 64

    @classmethod
    def create(cls, dimension: int) -> HNSWIndex:
        index = faiss.IndexHNSWFlat(dimension, cls.neighbours, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = cls.ef_construction
        index.hnsw.efSearch = cls.ef_search
        return cls(index)


VECTOR_INDEX_TYPES: dict[str, type[VectorIndex]] = {cls.kind: cls for cls in (FlatIndex, HNSWIndex)}


def choose_vector_index(count: int) -> str:
    """The index type for a collection of `count` vectors."""
    return HNSWIndex.kind if count >= HNSW_FROM_VECTORS else FlatIndex.kind


def build_vector_index(kind: str, vectors: np.ndarray) -> VectorIndex:
    index = VECTOR_INDEX_TYPES[kind].create(vectors.shape[1])
    index.add(vectors)
    return index


def load_vector_index(kind: str, path: Path) -> VectorIndex:
    index = VECTOR_INDEX_TYPES[kind](faiss.read_index(str(path)))
    if isinstance(index, HNSWIndex):
        index.index.hnsw.efSearch = HNSWIndex.ef_search
    return index
