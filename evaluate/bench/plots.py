"""The report's plots as PNG files: latency against the floor, throughput, and scaling."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from qa_service.files import write_atomically  # noqa: E402

from .results import Results  # noqa: E402
from .stats import Spread  # noqa: E402


def _errors(spreads: list[Spread]) -> np.ndarray:
    """matplotlib's asymmetric error bars: from the lowest to the highest repetition."""
    return np.array([[s.median - s.low for s in spreads], [s.high - s.median for s in spreads]])


def latency(results: Results, path: Path) -> None:
    rows = {"floor (model alone)": results.engine.floor_ms, "engine (in-process)": results.engine.system_ms,
            "HTTP (gunicorn)": results.http.system_ms}
    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    x = np.arange(3)
    for k, (name, p) in enumerate(rows.items()):
        spreads = [p.p50, p.p95, p.p99]
        ax.bar(x + (k - 1) * 0.27, [s.median for s in spreads], 0.27, yerr=_errors(spreads), capsize=3, label=name)
    ax.set_xticks(x, ["p50", "p95", "p99"])
    ax.set_ylabel("ms per question (bars: range over repetitions)")
    ax.set_title("Latency over the gold questions")
    ax.legend(fontsize=8)
    _save(fig, path)


def throughput(results: Results, path: Path) -> None:
    fig, (rps, p99) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for run in results.servers:
        clients = [level.clients for level in run.levels]
        label = f"{run.config.workers} workers x {run.config.threads} threads"
        rps.errorbar(clients, [lv.requests_per_second.median for lv in run.levels],
                     yerr=_errors([lv.requests_per_second for lv in run.levels]), marker="o", capsize=3, label=label)
        p99.errorbar(clients, [lv.p99_ms.median for lv in run.levels], yerr=_errors([lv.p99_ms for lv in run.levels]),
                     marker="o", capsize=3, label=label)
    for ax, title in ((rps, "requests per second"), (p99, "p99 latency (ms)")):
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 4, 16], ["1", "4", "16"])
        ax.set_xlabel("concurrent clients")
        ax.set_title(title)
    p99.set_yscale("log")
    rps.legend(fontsize=8)
    _save(fig, path)


def scaling(results: Results, path: Path) -> None:
    fig, (search, memory) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    corpora = sorted(results.scaling, key=lambda corpus: corpus.passages)
    sizes = [corpus.passages for corpus in corpora]
    for kind in (result.kind for result in corpora[0].indexes):
        indexes = [corpus.index(kind) for corpus in corpora]
        search.errorbar(sizes, [r.search_ms.median for r in indexes], yerr=_errors([r.search_ms for r in indexes]),
                        marker="o", capsize=3, label=kind)
        memory.plot(sizes, [r.memory_mib for r in indexes], marker="o", label=kind)
        if kind != "flat":
            for size, r in zip(sizes, indexes):
                search.annotate(f"R@10 {r.recall_at_10:.2f}", (size, r.search_ms.median), fontsize=7,
                                textcoords="offset points", xytext=(4, -10))
    search.axhline(results.engine.floor_ms.p50.median, color="grey", linestyle="--", label="floor p50 (encoding)")
    for ax, title in ((search, "one question's search, p50 (ms)"), (memory, "index memory (MiB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("passages")
        ax.set_title(title)
        ax.legend(fontsize=8)
    _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    write_atomically(path, lambda temporary: fig.savefig(temporary, format=path.suffix.lstrip(".")))
    plt.close(fig)


def write_all(results: Results, folder: Path) -> dict[str, Path]:
    """Every plot into `folder`; returns where each went, by name."""
    paths = {name: folder / f"{name}.png" for name in ("latency", "throughput", "scaling")}
    latency(results, paths["latency"])
    throughput(results, paths["throughput"])
    scaling(results, paths["scaling"])
    return paths
