"""The sentence-embedding model, loaded from the packaged weights and never downloaded."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .config import packaged_model_path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder:
    """all-MiniLM-L6-v2 returning unit-length float32 vectors, so inner product is cosine."""

    def __init__(self, model_path: Path | None = None, name: str = "all-MiniLM-L6-v2") -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # keep CLI output and logs to our own lines
        # One question is a tiny batch: with several threads torch spends more on syncing them than
        # on the work (measured here: ~16 ms with one thread, far slower with two under load), and
        # gunicorn workers already use the cores in parallel.
        torch.set_num_threads(1)
        self.name = name
        self.model = SentenceTransformer(str(model_path or packaged_model_path()), device="cpu")
        self.dimension = int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Normalised embeddings, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
