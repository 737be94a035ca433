"""The sentence-embedding model, loaded from the packaged weights and never downloaded.

One model, interchangeable runtimes (`RUNTIMES`, chosen by QA_EMBEDDING_BACKEND): `torch`
runs it through sentence-transformers, the reference; `onnx` runs the same weights exported
to ONNX here (the same vectors, in less time per question on a CPU); `onnx-int8` runs them
quantised to 8 bits (faster again, but slightly different vectors, so an index built with it
carries a different model name and is never mixed with the others). BENCHMARKS.md has the
figures behind these claims.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..config import Settings, packaged_model_path

if TYPE_CHECKING:
    import onnxruntime

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# A build from the command line is one process doing one job, so it takes every core; the
# service's workers keep one thread each (see Embedder).
BUILD_THREADS = os.cpu_count() or 1


class Runtime(ABC):
    """Computes unit-length embeddings for the loaded sentence-transformers model."""

    name_suffix = ""  # added to the model's name when the vectors differ from torch's

    def __init__(self, model: object, model_path: Path, threads: int, export_dir: Path) -> None:
        self.model = model

    @abstractmethod
    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """float32 unit vectors, one row per text (at least one text)."""

    def encode_bulk(self, texts: list[str], batch_size: int) -> np.ndarray:
        """As `encode`, for the many texts of a build, where a faster way to the same vectors pays."""
        return self.encode(texts, batch_size)


class TorchRuntime(Runtime):
    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )

    def encode_bulk(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Matrix products in bfloat16 where the CPU computes them natively (AVX512-BF16, AMX): about
        twice the speed of float32 for a build's long batches, and vectors within a cosine of
        0.9999 of float32's (tests/search/test_embedding.py; BENCHMARKS.md part 6 has both figures).
        Elsewhere bfloat16 would be emulated and slower, so float32 it is."""
        import torch

        if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return self.encode(texts, batch_size)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            vectors = self.encode(texts, batch_size).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # unit length in float32, not bfloat16's


class OnnxRuntime(Runtime):
    """ONNX Runtime over the graph `onnx_model` exports (tokenisation stays sentence-transformers')."""

    int8 = False

    def __init__(self, model: object, model_path: Path, threads: int, export_dir: Path) -> None:
        from . import onnx_model

        super().__init__(model, model_path, threads, export_dir)
        self.path = onnx_model.exported_model(model, model_path, export_dir, int8=self.int8)
        self.threads = threads
        self._session: onnxruntime.InferenceSession | None = None
        self._opening = threading.Lock()

    @property
    def session(self) -> onnxruntime.InferenceSession:
        """Opened on first use, so gunicorn's master (--preload), which loads but never encodes, does not
        import ONNX Runtime: its forked workers would abort on exit (see onnx_model)."""
        with self._opening:
            if self._session is None:
                from .onnx_model import open_session

                self._session = open_session(self.path, self.threads)
        return self._session

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        # Texts of similar length share a batch, as sentence-transformers does, so little is padding.
        order = np.argsort([len(text) for text in texts], kind="stable")
        session = self.session
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), batch_size):
            features = self.model.preprocess([texts[i] for i in order[start:start + batch_size]])
            inputs = {node.name: features[node.name].numpy() for node in session.get_inputs()}
            rows.append(session.run(None, inputs)[0])
        vectors = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
        vectors[order] = np.vstack(rows)
        return vectors


class Int8OnnxRuntime(OnnxRuntime):
    int8 = True
    name_suffix = "+onnx-int8"


# config.EMBEDDING_BACKENDS names these for checking settings without importing torch (a test keeps them equal).
RUNTIMES: dict[str, type[Runtime]] = {"torch": TorchRuntime, "onnx": OnnxRuntime, "onnx-int8": Int8OnnxRuntime}


class VectorCache:
    """Vectors of the most recently encoded texts (least recently used goes first).

    Worth it for questions asked again and again (suggested questions, retries); a hit costs
    a dictionary look-up instead of a pass through the model, and gives the same vector.
    Safe to share between a worker's threads.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for `texts`, computing only the ones not cached, in one call."""
        with self._lock:
            found = {text: self._vectors[text] for text in texts if text in self._vectors}
            for text in found:
                self._vectors.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            fresh = compute(missing)
            with self._lock:
                for text, vector in zip(missing, fresh):
                    found[text] = self._vectors[text] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.vstack([found[text] for text in texts])


class Embedder:
    """all-MiniLM-L6-v2 returning unit-length float32 vectors, so inner product is cosine."""

    def __init__(
        self,
        model_path: Path | None = None,
        name: str = "all-MiniLM-L6-v2",
        backend: str = "torch",
        threads: int = 1,
        cache_size: int = 0,
        export_dir: Path | None = None,
    ) -> None:
        if backend not in RUNTIMES:
            raise ValueError(f"Unknown embedding backend {backend!r}; choose one of {', '.join(RUNTIMES)}.")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # keep CLI output and logs to our own lines
        # One question is a tiny batch: with several threads torch spends more on syncing them than
        # on the work (measured here: ~16 ms with one thread, far slower with two under load), and
        # gunicorn workers already use the cores in parallel. BENCHMARKS.md compares the two.
        torch.set_num_threads(threads)
        path = model_path or packaged_model_path()
        self.model = SentenceTransformer(str(path), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension())
        self.backend = backend
        self.runtime = RUNTIMES[backend](self.model, path, threads, export_dir or Settings().model_cache_dir)
        self.name = name + self.runtime.name_suffix
        self._cache = VectorCache(cache_size) if cache_size else None

    @classmethod
    def from_settings(cls, settings: Settings, threads: int = 1) -> Embedder:
        """The embedder the service runs: backend, question cache and export folder from `settings`."""
        return cls(name=settings.model_name, backend=settings.embedding_backend, threads=threads,
                   cache_size=settings.embedding_cache_size, export_dir=settings.model_cache_dir)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Normalised embeddings, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._cache is None:
            return self._compute(texts, batch_size)
        return self._cache.encode(texts, lambda missing: self._compute(missing, batch_size))

    def encode_documents(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Normalised embeddings of a build's texts: the runtime's bulk path, never cached
        (the cache is for questions asked again; a document's vectors are kept in its index)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(self.runtime.encode_bulk(texts, batch_size), dtype=np.float32)

    def _compute(self, texts: list[str], batch_size: int) -> np.ndarray:
        return np.ascontiguousarray(self.runtime.encode(texts, batch_size), dtype=np.float32)
