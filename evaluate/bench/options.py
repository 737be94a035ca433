"""Part 5: ways to cut the floor, each with its speed and its gold-set quality.

Each option is the service's own `Embedder` with one setting changed, answering the whole
gold set through the engine; quality is scored by `evaluate.metrics` exactly as `python -m
evaluate` scores it. An option whose vectors differ from torch's (int8) gets an index built
with it, as `QA_EMBEDDING_BACKEND` would make the service do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluate.gold import GoldItem
from evaluate.metrics import Summary, judge, summarize
from evaluate.runner import EngineSystem, run_system
from qa_service.config import Settings
from qa_service.engine import Engine
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index

from .latency import Latency, measure, model_alone, questions_of
from .stats import Spread

CACHE_SIZE = 1024


@dataclass(frozen=True)
class Option:
    name: str
    backend: str = "torch"
    threads: int = 1
    cache: bool = False


# The torch options come first and the 2-thread one last among them: torch's thread count is
# per process, and each Embedder sets it when it is made, just before it is measured.
OPTIONS = (
    Option("torch, 1 thread (service default)"),
    Option("torch + question cache, repeated questions", cache=True),
    Option("torch, 2 threads", threads=2),
    Option("ONNX Runtime (exported here)", backend="onnx"),
    Option("ONNX Runtime, int8 (quantised here)", backend="onnx-int8"),
)


@dataclass(frozen=True)
class OptionResult:
    option: Option
    encode_ms: Spread  # p50 of encoding one question, per repetition (with the cache: a question seen before)
    engine_ms: Spread  # p50 of a gold turn through the engine, per repetition
    vector_cosine_min: float  # lowest cosine between its question vectors and torch's
    summary: Summary  # every gold-set metric, as `python -m evaluate` reports them


def measure_option(
    option: Option,
    settings: Settings,
    reference: np.ndarray,
    items: Sequence[GoldItem],
    repetitions: int,
    scratch: Path,
    advance: Callable[[], object] = lambda: None,
) -> OptionResult:
    """One option over the gold set; `reference` holds torch's vectors of every gold question."""
    embedder = Embedder(name=settings.model_name, backend=option.backend, threads=option.threads,
                        cache_size=CACHE_SIZE if option.cache else 0, export_dir=settings.model_cache_dir)
    if embedder.name != settings.model_name:  # different vectors: an index of its own
        settings = settings.with_overrides(index_dir=scratch / f"index-{option.backend}")
        build_index(settings.docs_dir, settings.index_dir, embedder)
    system = EngineSystem(Engine.load(settings, embedder), "hybrid")
    if option.cache:
        run_system(items, system)  # every question timed below has been asked once before
        encode: Callable[[list[str]], object] = embedder.encode
    else:
        encode = model_alone(embedder)
    measured = measure(encode, system, items, repetitions, advance)
    latency = Latency.of(measured)
    cosine = (embedder.encode(questions_of(items)) * reference).sum(axis=1).min()
    return OptionResult(
        option=option,
        encode_ms=latency.floor_ms.p50,
        engine_ms=latency.system_ms.p50,
        vector_cosine_min=round(float(cosine), 4),
        summary=summarize([judge(run) for run in measured.runs]),
    )
