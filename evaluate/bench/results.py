"""Everything one benchmark run measured, as frozen data, and the targets of issues 8 and 24 judged on it.

The JSON file is `asdict` of `Results` plus the judged targets; BENCHMARKS.md and the plots
are rendered from the same object, so the three never disagree.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from .latency import Latency
from .options import OptionResult
from .scaling import CorpusResult
from .server import ServerConfig
from .stats import Spread
from .throughput import ServerRun

MIB_PER_GB = 1000**3 / 2**20


@dataclass(frozen=True)
class Machine:
    """Where the run happened; the machine is shared, so `load_average` says how busy it was."""

    cpu: str
    cores: int
    memory_gib: float
    python: str
    packages: dict[str, str]
    load_average: tuple[float, float, float]

    @classmethod
    def here(cls) -> Machine:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
        kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
        names = ("torch", "sentence-transformers", "onnxruntime", "faiss-cpu", "gunicorn")
        return cls(cpu, os.cpu_count() or 1, round(kib / 2**20, 1), platform.python_version(),
                   {name: version(name) for name in names}, load_average())


def load_average() -> tuple[float, float, float]:
    """The machine's load over the last 1, 5 and 15 minutes: how busy the shared machine was."""
    return tuple(round(x, 2) for x in os.getloadavg())


@dataclass(frozen=True)
class Plan:
    """How much was measured: what --quick cuts."""

    quick: bool
    repetitions: int
    builds: int
    gold_turns: int
    cold_starts: int
    load_seconds: float
    sizes: tuple[int, ...]
    timed_queries: int
    pages: int  # of the PDF report part 6 ingests


@dataclass(frozen=True)
class IndexBuild:
    """`build_index` of the collection from scratch (model already loaded), per repetition."""

    seconds: Spread
    documents: int
    sentences: int
    passages: int


@dataclass(frozen=True)
class IngestResult:
    """Part 6: one PDF report ingested into a new collection, per repetition. It carries its own
    time and load: it runs last, twenty minutes after the load the run started with."""

    measured_at: str
    load_average: tuple[float, float, float]
    pages: int
    pdf_bytes: int
    words: int  # of the cleaned text
    sentences: int
    passages: int
    end_to_end_seconds: Spread  # `python -m qa_service ingest`, process start to exit
    read_seconds: Spread  # read_source_file: pypdf and the furniture removal
    prepare_seconds: Spread  # prepare_document: cleaning, sentences, passages
    build_seconds: Spread  # build_index with the model loaded: prepare again, embed, write
    embedded_seconds: Spread  # build_index's start to its last progress report: preparing again and embedding
    writing_seconds: Spread  # build_index after that: the index's files
    rest_seconds: Spread  # end to end less read and build: Python, imports, the model's load, the CLI's own steps


@dataclass(frozen=True)
class Results:
    started_at: str
    finished_at: str
    machine: Machine
    plan: Plan
    embedding_backend: str
    index_build: IndexBuild
    engine: Latency
    http: Latency
    procfile: ServerConfig
    cold_start_seconds: Spread
    servers: list[ServerRun]
    chosen: ServerConfig
    scaling: list[CorpusResult]
    options: list[OptionResult]
    ingest: IngestResult

    def server(self, config: ServerConfig) -> ServerRun:
        return next(run for run in self.servers if run.config == config)

    @property
    def largest(self) -> CorpusResult:
        return max(self.scaling, key=lambda corpus: corpus.passages)

    @property
    def collection(self) -> CorpusResult:
        return next(corpus for corpus in self.scaling if corpus.source == "docs/")

    def question_ms(self, corpus: CorpusResult, kind: str) -> float:
        """A question's encoding (the floor's p50) plus its vector search in `corpus` (p50)."""
        return self.engine.floor_ms.p50.median + corpus.index(kind).search_ms.median


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Target:
    """One target (issues 8 and 24) with what this run measured."""

    name: str
    target: str
    measured: str
    met: bool


def targets(results: Results) -> list[Target]:
    """Every numeric target of issues 8 and 24, judged on the medians of this run."""
    largest, collection, ingest = results.largest, results.collection, results.ingest
    chosen = largest.index(largest.chosen)
    base = results.question_ms(collection, collection.chosen)
    scaled = results.question_ms(largest, largest.chosen)
    errors = sum(run.errors for run in results.servers)
    at = f"at {largest.passages:,} passages ({largest.chosen})"
    return [
        Target("engine p50 / floor p50", "<= 1.5", f"{results.engine.over_floor.median:.2f}",
               results.engine.over_floor.median <= 1.5),
        Target("HTTP p50 / floor p50", "<= 2.0", f"{results.http.over_floor.median:.2f}",
               results.http.over_floor.median <= 2.0),
        Target("errors under load", "0", str(errors), errors == 0),
        Target(f"question p50 {at} / five documents", "<= 2.0", f"{scaled / base:.2f} ({scaled:.1f} / {base:.1f} ms)",
               scaled <= 2 * base),
        Target(f"recall@10 {at}", ">= 0.95", f"{chosen.recall_at_10:.3f}", chosen.recall_at_10 >= 0.95),
        Target(f"index memory {at}", "<= 1 GB", f"{chosen.memory_mib:.0f} MiB",
               chosen.memory_mib <= MIB_PER_GB),
        Target(f"{ingest.pages}-page PDF, `python -m qa_service ingest` end to end", "< 20 s",
               f"{ingest.end_to_end_seconds.median:.1f} s", ingest.end_to_end_seconds.median < 20),
    ]
