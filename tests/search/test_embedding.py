"""The embedding runtimes agree with torch, an int8 index is never mixed with the others, and the cache
returns what the model would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import requests

from qa_service.config import EMBEDDING_BACKENDS, Settings, load_settings
from qa_service.engine import Engine
from qa_service.search.embedding import RUNTIMES, Embedder, VectorCache

TEXTS = ["Who is the head of safeguarding at Action for Children?", "Why?",
         "What did the government say about the early intervention duty for children in need?"]


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def test_config_names_every_runtime():
    assert tuple(RUNTIMES) == EMBEDDING_BACKENDS


def test_onnx_gives_torchs_vectors_and_exports_once(embedder: Embedder, export_dir: Path):
    onnx = Embedder(backend="onnx", export_dir=export_dir)
    exported = sorted(export_dir.glob("*.onnx"))
    assert onnx.name == embedder.name and len(exported) == 1
    vectors = onnx.encode(TEXTS, batch_size=2)  # two batches, lengths sorted and put back in order
    assert vectors.dtype == np.float32 and vectors.shape == (3, embedder.dimension)
    assert np.all((vectors * embedder.encode(TEXTS)).sum(axis=1) > 0.9999)
    Embedder(backend="onnx", export_dir=export_dir)
    assert sorted(export_dir.glob("*.onnx")) == exported  # reused, not exported again


def test_int8_is_close_to_torch_but_names_its_vectors_differently(embedder: Embedder, export_dir: Path):
    int8 = Embedder(backend="onnx-int8", export_dir=export_dir)
    assert int8.name == f"{embedder.name}+onnx-int8"
    cosine = (int8.encode(TEXTS) * embedder.encode(TEXTS)).sum(axis=1)
    assert np.all(cosine > 0.95) and not np.all(cosine > 0.99999)


def test_a_builds_vectors_are_the_questions_vectors_to_a_cosine_of_0_9999(embedder: Embedder, engine: Engine):
    """The bulk path (bfloat16 on a CPU that computes it natively) is what every index is built with,
    while questions go through float32: the two must agree on the collection's own texts."""
    import torch

    texts = [p.text for p in engine.data.passages][:40] + TEXTS
    bulk = embedder.encode_documents(texts, batch_size=16)
    exact = embedder.encode(texts, batch_size=16)
    assert bulk.dtype == np.float32 and bulk.shape == exact.shape
    assert np.allclose(np.linalg.norm(bulk, axis=1), 1.0, atol=1e-5)
    assert np.all((bulk * exact).sum(axis=1) > 0.9999)
    if torch.ops.mkldnn._is_mkldnn_bf16_supported():
        assert not np.array_equal(bulk, exact)  # the faster path was taken, not float32 again


def test_the_cache_computes_each_text_once_and_forgets_the_least_recently_used():
    computed: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        computed.append(texts)
        return np.array([[len(t), i] for i, t in enumerate(texts)], dtype=np.float32)

    cache = VectorCache(size=2)
    first = cache.encode(["a", "bb", "a"], compute)
    assert computed == [["a", "bb"]] and first[0].tolist() == first[2].tolist() == [1, 0]
    assert cache.encode(["bb"], compute).tolist() == [[2, 1]] and len(computed) == 1
    cache.encode(["ccc"], compute)  # evicts "a", the least recently used
    cache.encode(["a", "bb"], compute)
    assert computed[-1] == ["a"]


def test_a_cached_embedder_answers_with_the_models_vectors(embedder: Embedder):
    cached = Embedder(cache_size=8)
    assert np.allclose(cached.encode(TEXTS), embedder.encode(TEXTS), atol=1e-5)
    assert np.array_equal(cached.encode(TEXTS[:1])[0], cached.encode(TEXTS)[0])


def test_settings_choose_the_backend_and_cache_and_reject_what_cannot_run():
    settings = load_settings({"QA_EMBEDDING_BACKEND": "ONNX", "QA_EMBEDDING_CACHE": "0", "QA_MODEL_CACHE_DIR": "/tmp/m"})
    assert (settings.embedding_backend, settings.embedding_cache_size, settings.model_cache_dir) == ("onnx", 0, Path("/tmp/m"))
    assert load_settings({}).embedding_backend == Settings().embedding_backend == "torch"
    with pytest.raises(ValueError, match="QA_EMBEDDING_BACKEND"):
        load_settings({"QA_EMBEDDING_BACKEND": "tensorflow"})
    with pytest.raises(ValueError, match="QA_EMBEDDING_CACHE"):
        load_settings({"QA_EMBEDDING_CACHE": "-1"})
    with pytest.raises(ValueError, match="Unknown embedding backend"):
        Embedder(backend="tensorflow")


@pytest.mark.slow
def test_gunicorn_workers_answer_with_onnx_and_exit_cleanly(collection: Settings, gunicorn_server, export_dir: Path,
                                                           tmp_path: Path):
    """ONNX Runtime must not be loaded in the --preload master: a worker forked after it aborts on exit."""
    env = {"QA_EMBEDDING_BACKEND": "onnx", "QA_MODEL_CACHE_DIR": str(export_dir)}
    with gunicorn_server(collection, tmp_path / "gunicorn.log", env, 2) as server:
        answers = [requests.post(f"{server.url}/api/ask", json={"question": TEXTS[0]}, timeout=30) for _ in range(4)]
    assert {a.status_code for a in answers} == {200} and "Shaun Kelly" in answers[0].json()["answer"]
    assert server.process.returncode == 0
    assert "SIGABRT" not in server.output() and "terminate called" not in server.output()
