"""Vector search behind one small interface, so the index type is a setting.

`FlatIndex` is exact search: perfect recall, but its time grows with the collection (about
9 ms per question at 50,000 passages on one core here, 140 ms at a million). `IVFSQ8Index`
is approximate: passages are grouped around 1024-ish centroids and only the groups nearest
the question are scanned, with each vector stored as 8-bit codes (a quarter of float32's
memory). At a million passages it answers in about 5 ms from ~0.4 GB with recall@10 near
0.97 (BENCHMARKS.md, "Scaling"). `choose_vector_index` picks by size;
nothing outside this module knows which one runs.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from pathlib import Path

import faiss
import numpy as np

APPROXIMATE_FROM = 50_000  # below this, exact search costs less than a tenth of encoding the question


class VectorIndex(ABC):
    """Inner-product search over unit vectors (cosine similarity)."""

    kind: str

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    @abstractmethod
    def build(cls, vectors: np.ndarray) -> VectorIndex:
        """An index holding `vectors`; a row's id is its row number."""

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = cls(faiss.read_index(str(path)))
        index._prepare()
        return index

    def _prepare(self) -> None:  # noqa: B027 (a hook: most index types need nothing)
        """Settings a loaded or freshly built index needs before it is searched (none for most)."""

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids are their row numbers in insertion order."""
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest rows for each query; missing hits have id -1."""
        k = max(1, min(k, self.index.ntotal))
        return self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)

    def vectors(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of rows `ids`: exact for FlatIndex, decoded from 8 bits for IVFSQ8Index
        (cosine with the original above 0.998, see BENCHMARKS.md)."""
        return np.vstack([self.index.reconstruct(int(i)) for i in ids]) if ids else np.zeros((0, self.index.d), np.float32)

    def save(self, path: Path) -> None:
        """Written by Python, not by FAISS's own writer, so that a full disk is an OSError like any other file's."""
        path.write_bytes(faiss.serialize_index(self.index).tobytes())

    def __len__(self) -> int:
        return int(self.index.ntotal)


class FlatIndex(VectorIndex):
    kind = "flat"

    @classmethod
    def build(cls, vectors: np.ndarray) -> FlatIndex:
        index = cls(faiss.IndexFlatIP(vectors.shape[1]))
        index.add(vectors)
        return index


class IVFSQ8Index(VectorIndex):
    """Inverted lists over 8-bit scalar-quantised vectors; needs a training pass over a sample."""

    kind = "ivf-sq8"
    probes = 64  # lists scanned per question: recall@10 0.975 at a million passages in ~5 ms (32: 0.945, 3 ms)
    training_rows_per_list = 64  # k-means sample size; faiss asks for at least 39 per centroid
    seed = 1234  # the training sample, so two builds of the same vectors are the same index

    @staticmethod
    def lists_for(count: int) -> int:
        """About sqrt(count) lists (a power of two), never more than the sample can train."""
        wanted = 2 ** round(math.log2(max(1.0, math.sqrt(count))))
        return max(1, min(wanted, count // 39))

    @classmethod
    def build(cls, vectors: np.ndarray) -> IVFSQ8Index:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dimension = vectors.shape
        lists = cls.lists_for(count)
        quantizer = faiss.IndexFlatIP(dimension)
        ivf = faiss.IndexIVFScalarQuantizer(quantizer, dimension, lists, faiss.ScalarQuantizer.QT_8bit,
                                            faiss.METRIC_INNER_PRODUCT)
        sample_size = min(count, lists * cls.training_rows_per_list)
        sample = np.random.default_rng(cls.seed).choice(count, sample_size, replace=False)
        ivf.train(vectors[np.sort(sample)])
        index = cls(ivf)
        index._prepare()
        index.add(vectors)
        return index

    def _prepare(self) -> None:
        """Search settings (not all survive a save) and the id map `vectors` needs."""
        ivf = faiss.extract_index_ivf(self.index)
        ivf.nprobe = min(self.probes, ivf.nlist)
        if ivf.direct_map.type == faiss.DirectMap.NoMap:
            ivf.make_direct_map()


VECTOR_INDEX_TYPES: dict[str, type[VectorIndex]] = {cls.kind: cls for cls in (FlatIndex, IVFSQ8Index)}


def choose_vector_index(count: int) -> str:
    """The index type for a collection of `count` vectors."""
    return IVFSQ8Index.kind if count >= APPROXIMATE_FROM else FlatIndex.kind


def build_vector_index(kind: str, vectors: np.ndarray) -> VectorIndex:
    return VECTOR_INDEX_TYPES[kind].build(vectors)


def load_vector_index(kind: str, path: Path) -> VectorIndex:
    return VECTOR_INDEX_TYPES[kind].load(path)
