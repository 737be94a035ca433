"""Part 1: the floor (one question through the embedding model alone) and the time around it.

Within each repetition the floor and the system are measured back to back over the same
gold questions, so a slow spell on the shared machine hits both rather than skewing their
ratio. The system's latency is `evaluate.runner`'s: the wall time of one turn as a client
sees it (the engine's `ask` plus its JSON form in-process; the whole request over HTTP).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evaluate.gold import GoldItem
from evaluate.runner import System, TurnRun, run_system

from .stats import Percentiles, Spread, percentile

if TYPE_CHECKING:
    from qa_service.search.embedding import Embedder


def questions_of(items: Sequence[GoldItem]) -> list[str]:
    """Every turn's question, in gold order."""
    return [turn.question for item in items for turn in item.turns]


def model_alone(embedder: Embedder) -> Callable[[list[str]], object]:
    """The floor: the embedder's runtime encoding one batch, without the question cache or anything around it."""
    return lambda texts: embedder.runtime.encode(texts, 1)


def encode_times(encode: Callable[[list[str]], object], questions: Sequence[str]) -> list[float]:
    """Milliseconds to encode each question alone."""
    times = []
    for question in questions:
        started = time.perf_counter()
        encode([question])
        times.append((time.perf_counter() - started) * 1000)
    return times


@dataclass(frozen=True)
class Measured:
    """Raw timings of several repetitions: the floor's and the system's, turn by turn."""

    floor_ms: list[list[float]]
    ask_ms: list[list[float]]
    runs: list[TurnRun]  # the first repetition's replies, for scoring

    def ratio(self) -> Spread:
        """The system's p50 over the floor's p50, per repetition."""
        return Spread.of([percentile(ask, 50) / percentile(floor, 50) for floor, ask in zip(self.floor_ms, self.ask_ms)])


def measure(
    encode: Callable[[list[str]], object],
    system: System,
    items: Sequence[GoldItem],
    repetitions: int,
    advance: Callable[[], object] = lambda: None,
) -> Measured:
    """`repetitions` rounds of: every gold question through `encode`, then every gold turn through `system`.

    One untimed question through each first, so set-up paid on first use is not counted.
    """
    questions = questions_of(items)
    encode_times(encode, questions[:3])
    system.ask(questions[0], ())
    floors, asks, first = [], [], []
    for _ in range(repetitions):
        floors.append(encode_times(encode, questions))
        runs = run_system(items, system)
        asks.append([run.latency_ms for run in runs])
        first = first or runs
        advance()
    return Measured(floors, asks, first)


@dataclass(frozen=True)
class Latency:
    """Floor and system latency percentiles (ms), and the system's p50 as a multiple of the floor's."""

    turns: int
    floor_ms: Percentiles
    system_ms: Percentiles
    over_floor: Spread

    @classmethod
    def of(cls, measured: Measured) -> Latency:
        return cls(len(measured.ask_ms[0]), Percentiles.over(measured.floor_ms), Percentiles.over(measured.ask_ms),
                   measured.ratio())
