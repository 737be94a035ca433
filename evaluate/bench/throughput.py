"""Part 2: requests per second and latency under 1, 4 and 16 concurrent clients, per server setting.

Each setting (workers x threads) is a fresh gunicorn; a short untimed load first touches every
worker, then each concurrency level runs several timed repetitions from the load generator's
own process. The memory of the master and of each worker is read right after, when the
workers have answered questions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .load import LoadRun, run_load
from .server import ProcessMemory, Server, ServerConfig
from .stats import Spread, percentile

CLIENTS = (1, 4, 16)
TIE = 0.05  # settings within 5% of the best throughput count as equally fast


@dataclass(frozen=True)
class LoadLevel:
    """One concurrency level over its repetitions; `errors` by kind, summed over all of them."""

    clients: int
    requests_per_second: Spread
    p50_ms: Spread
    p99_ms: Spread
    answered: int
    errors: dict[str, int]

    @classmethod
    def of(cls, runs: Sequence[LoadRun]) -> LoadLevel:
        return cls(
            clients=runs[0].clients,
            requests_per_second=Spread.of([run.requests_per_second for run in runs]),
            p50_ms=Spread.of([percentile(run.latencies_ms, 50) for run in runs]),
            p99_ms=Spread.of([percentile(run.latencies_ms, 99) for run in runs]),
            answered=sum(len(run.latencies_ms) for run in runs),
            errors=dict(sum((Counter(run.errors) for run in runs), Counter())),
        )


@dataclass(frozen=True)
class ServerRun:
    """One server setting under load: its start-up time, each level, and its processes' memory."""

    config: ServerConfig
    ready_seconds: float
    levels: list[LoadLevel]
    memory: list[ProcessMemory]

    @property
    def errors(self) -> int:
        return sum(sum(level.errors.values()) for level in self.levels)

    @property
    def peak(self) -> LoadLevel:
        """The level with the most clients."""
        return max(self.levels, key=lambda level: level.clients)


def load_server(
    server: Server,
    config: ServerConfig,
    gold: Path,
    seconds: float,
    repetitions: int,
    advance: Callable[[], object] = lambda: None,
) -> ServerRun:
    """Every level of CLIENTS against a running `server`, `repetitions` times each."""
    run_load(server.url, max(CLIENTS), min(1.0, seconds), gold)  # warm-up, discarded
    levels = []
    for clients in CLIENTS:
        runs = []
        for _ in range(repetitions):
            runs.append(run_load(server.url, clients, seconds, gold))
            advance()
        levels.append(LoadLevel.of(runs))
    return ServerRun(config, server.ready_seconds, levels, server.memory())


def pick(runs: Sequence[ServerRun]) -> ServerRun:
    """The setting to run: no errors, the most requests per second at the highest concurrency.

    Settings within TIE of the best are equally fast on a shared machine, so among them the one
    with the lowest p99 wins, then the one with the least worker memory in total.
    """
    clean = [run for run in runs if run.errors == 0] or list(runs)
    best = max(run.peak.requests_per_second.median for run in clean)
    fast = [run for run in clean if run.peak.requests_per_second.median >= best * (1 - TIE)]
    return min(fast, key=lambda run: (run.peak.p99_ms.median, sum(m.pss_mib for m in run.memory)))
