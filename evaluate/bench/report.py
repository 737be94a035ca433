"""BENCHMARKS.md from one run's Results: tables, plots and the sentences that read them.

Every number and every judgement in the text (which setting to run, which targets are met)
is computed from the results, so regenerating the report after a change never leaves an
old claim behind; only the method is fixed prose.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from qa_service.search.vectors import APPROXIMATE_FROM

from .options import OptionResult
from .results import Results, targets
from .scaling import NOISE, SENTENCES_PER_PASSAGE
from .stats import Percentiles
from .throughput import TIE, ServerRun

QUALITY = ("answer_accuracy", "citation_precision", "recall@5", "abstention_recall")


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _link(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _percentile_row(name: str, p: Percentiles, ratio: str) -> list[str]:
    return [name, p.p50.text(), p.p95.text(), p.p99.text(), ratio]


def _intro(r: Results, json_link: str) -> str:
    m, plan = r.machine, r.plan
    packages = ", ".join(f"{name} {v}" for name, v in m.packages.items())
    quick = ("\n> **Quick run** (`--quick`): fewer repetitions and questions, one server setting, small corpora. "
             "For development only; the figures below are not the project's benchmark.\n" if plan.quick else "")
    return f"""# Benchmarks

How fast the service answers, measured against the time the embedding model alone takes to
encode one question (the *floor*). Written by `python -m evaluate.bench` ({r.finished_at});
every figure is also in [{json_link}]({json_link}).
{quick}
**Machine:** {m.cpu}, {m.cores} cores, {m.memory_gib} GiB; Python {m.python}, {packages}. The machine
is shared: other processes (other people's test suites) may have been running during the run
(load average {m.load_average[0]} at its start). Each figure is the **median over
{plan.repetitions} repetitions, with the lowest and highest repetition in brackets**, except
where a section says otherwise. The service ran with `QA_EMBEDDING_BACKEND={r.embedding_backend}`
and no question cache."""


def _targets(r: Results) -> str:
    rows = [[t.name, t.target, t.measured, "yes" if t.met else "**no**"] for t in targets(r)]
    return "## Targets (issues 8 and 24)\n\n" + table(["target", "goal", "measured", "met"], rows)


def _latency(r: Results, image: str) -> str:
    e, h = r.engine, r.http
    added = e.system_ms.p50.median - e.floor_ms.p50.median
    rows = [
        _percentile_row("floor: encode one question, model alone", e.floor_ms, "1"),
        _percentile_row("engine: `ask` in-process (+ JSON form)", e.system_ms, e.over_floor.text(2)),
        _percentile_row(f"HTTP: `POST /api/ask`, gunicorn {r.procfile.label}, one client", h.system_ms,
                        h.over_floor.text(2)),
    ]
    return f"""## 1. Latency against the floor

Over the {e.turns} turns of the gold set (conversations with their history, as `python -m
evaluate` asks them), in milliseconds. The floor is measured in the same repetition, just
before the engine's (or the HTTP) pass, over the same questions, so their ratio is taken
within one repetition.

{table(["", "p50", "p95", "p99", "p50 / floor p50"], rows)}

![Latency: floor, engine and HTTP at p50, p95 and p99]({image})

The engine adds {added:.1f} ms at the median to the floor (retrieval, composing, and a second
encoding for follow-ups and two-part questions, which are encoded with their context or
parts in one batch). The encoding is the time to cut: see part 5."""


def _why(r: Results) -> str:
    chosen = r.server(r.chosen)
    peak = chosen.peak
    others = [run for run in r.servers if run is not chosen]
    lines = [f"**Chosen: {chosen.config.workers} workers x {chosen.config.threads} threads.** At {peak.clients} "
             f"clients it answered {peak.requests_per_second.median:.1f} requests/s with p99 "
             f"{peak.p99_ms.median:.0f} ms and {chosen.errors} errors."]
    for run in others:
        share = run.peak.requests_per_second.median / peak.requests_per_second.median
        overlap = run.peak.requests_per_second.high >= peak.requests_per_second.low
        lines.append(f"{run.config.label}: {run.peak.requests_per_second.median:.1f} requests/s ({share:.0%} of it"
                     f"{'; the ranges over repetitions overlap' if overlap else ''}), "
                     f"p99 {run.peak.p99_ms.median:.0f} ms, {run.errors} errors.")
    lines.append("Each request is CPU work (encoding, retrieval, composing) on 2 cores; threads beyond one per "
                 "process only help while requests wait on the network (a slow client), which a load on loopback "
                 "does not show, so this choice weighs throughput and p99 alone.")
    lines.append(f"Rule: no errors, then the most requests/s at the highest concurrency; settings within "
                 f"{TIE:.0%} of the best are a tie on a shared machine, broken by the lower p99, then by less memory.")
    if r.chosen == r.procfile:
        lines.append(f"This is the Procfile's setting (`gunicorn.conf.py`: WEB_CONCURRENCY={r.procfile.workers}, "
                     f"GUNICORN_THREADS={r.procfile.threads}), which stays.")
    else:
        lines.append(f"The Procfile runs {r.procfile.label}; these figures favour WEB_CONCURRENCY="
                     f"{r.chosen.workers} and GUNICORN_THREADS={r.chosen.threads} in `gunicorn.conf.py`.")
    return "\n".join(f"- {line}" if k else line + "\n" for k, line in enumerate(lines))


def _throughput(r: Results, image: str) -> str:
    rows = [[run.config.label, level.clients, level.requests_per_second.text(), level.p50_ms.text(0),
             level.p99_ms.text(0), level.answered, sum(level.errors.values())]
            for run in r.servers for level in run.levels]
    seconds = r.plan.load_seconds
    return f"""## 2. Throughput

The Procfile's command (`gunicorn --config gunicorn.conf.py --preload ...`) on 127.0.0.1, one
fresh server per setting (workers x threads). The load comes from a second process,
`python -m evaluate.bench.load`: N clients in a closed loop (each sends its next gold question
as soon as its answer arrives, so N requests are in flight), {seconds:g} s per repetition after
an untimed warm-up. It is written for this benchmark rather than taken from locust or wrk: it
records every latency exactly (locust rounds its percentiles), needs no new dependency, and
sends real gold questions. Its own work shares the 2 cores with the server, as any client on
this machine would.

{table(["workers x threads", "clients", "requests/s", "p50 ms", "p99 ms", "answered", "errors"], rows)}

![Throughput and p99 latency against concurrent clients]({image})

{_why(r)}"""


def _memory_rows(run: ServerRun) -> list[list[object]]:
    return [[run.config.label, m.role, m.pid, m.rss_mib, m.pss_mib] for m in run.memory]


def _cold_start(r: Results) -> str:
    b = r.index_build
    rows = [[f"process start to the first `/readyz` 200 (gunicorn {r.procfile.label}, --preload)",
             f"{r.cold_start_seconds.text(2)} s ({r.cold_start_seconds.repetitions} starts)"],
            [f"index build of docs/ from scratch ({b.documents} documents, {b.sentences} sentences, "
             f"{b.passages} passages; model already loaded)", f"{b.seconds.text(2)} s ({b.seconds.repetitions} builds)"]]
    memory = [row for run in r.servers for row in _memory_rows(run)]
    return f"""## 3. Cold start and memory

{table(["", "median (range)"], rows)}

Memory per process after the load above, in MiB. RSS counts every page a process can touch,
including the model and index pages the master loaded before forking (`--preload`), which the
workers share; PSS divides each shared page between the processes sharing it, so the PSS
column adds up to what the service really takes.

{table(["setting", "process", "pid", "RSS MiB", "PSS MiB"], memory)}"""


def _scaling(r: Results, image: str) -> str:
    rows = []
    for corpus in sorted(r.scaling, key=lambda c: c.passages):
        for index in corpus.indexes:
            rows.append([f"{corpus.passages:,}", corpus.source, index.kind, "yes" if index.kind == corpus.chosen else "",
                         f"{index.build_seconds:.2f}", index.search_ms.text(2), f"{r.question_ms(corpus, index.kind):.1f}",
                         f"{index.memory_mib:.1f}", f"{index.recall_at_10:.3f}", f"{index.reconstruction_cosine_min:.4f}"])
    build = r.index_build
    rate = (build.sentences + build.passages) / build.seconds.median
    return f"""## 4. Scaling to a million passages

Index only: the vector indexes of `qa_service/search/vectors.py`, built and searched as the service does.
The first row is the real collection. The others are synthetic: each passage vector is the
normalised sum of the real embeddings of {SENTENCES_PER_PASSAGE} sentences drawn at random from docs/ (the
service's passages are windows of up to four sentences), plus Gaussian noise of {NOISE} per
dimension so no two coincide. Questions are the real embeddings of the gold questions. Real
recombined *texts* were not embedded: at the rate of the index build above (about {rate:.0f}
texts/s) a million would take about {1e6 / rate / 3600:.1f} hours. Uniform random unit vectors
were not used: in 384 dimensions they are all nearly equally far apart, which no real
collection is, and on which every approximate index looks arbitrarily bad.

Each index is built once per size (builds use both cores); searches are one question at a time
on one thread, as a gunicorn worker runs them, {r.plan.timed_queries} questions per repetition.
*question p50* is the floor's p50 plus the search's: what the index adds to encoding.
*recall@10* is the share of exact search's ten best passages the index also returns.
*vectors()* is the lowest cosine between a stored vector and what `VectorIndex.vectors` gives
back (the composer reads passage vectors through it): 1 for the exact index, 8-bit codes
decoded for the approximate one. The service picks the approximate index from
{APPROXIMATE_FROM:,} passages on (`choose_vector_index`, column *picked*).

{table(["passages", "source", "index", "picked", "build s", "search p50 ms", "question p50 ms",
        "memory MiB", "recall@10", "vectors() cos"], rows)}

![Search time and memory against collection size]({image})"""


def _option_row(result: OptionResult, baseline: OptionResult) -> list[object]:
    speedup = baseline.encode_ms.median / result.encode_ms.median
    quality = [f"{result.summary[name]:.3f}" if result.summary.get(name) is not None else "n/a" for name in QUALITY]
    return [result.option.name, result.encode_ms.text(2), f"{speedup:.1f}x", result.engine_ms.text(1),
            f"{result.vector_cosine_min:.4f}", *quality]


def _fastest(options: Sequence[OptionResult], what: str, keeps: Callable[[OptionResult], bool]) -> str:
    """A sentence naming the fastest-encoding option (the cache aside: it skips only repeats) that `keeps`."""
    baseline = options[0]
    kept = [o for o in options[1:] if not o.option.cache and keeps(o)]
    best = min(kept, key=lambda o: o.encode_ms.median, default=None)
    if best is None or best.encode_ms.median >= baseline.encode_ms.median:
        return f"No option that {what} encodes faster than the default."
    return (f"Fastest option that {what}: **{best.option.name}**, "
            f"{baseline.encode_ms.median / best.encode_ms.median:.1f}x the default's encoding speed.")


def _options(r: Results) -> str:
    baseline = r.options[0]
    rows = [_option_row(result, baseline) for result in r.options]
    verdict = "\n".join(f"- {line}" for line in (
        _fastest(r.options, "gives the default's vectors (cosine >= 0.9999), so the same answers",
                 lambda o: o.vector_cosine_min >= 0.9999),
        _fastest(r.options, "keeps at least the default's answer_accuracy",
                 lambda o: o.summary["answer_accuracy"] >= baseline.summary["answer_accuracy"]),
    ))
    threads = "\n  ".join(textwrap.wrap(" ".join(
        f"With {o.option.threads} threads one question encoded at {baseline.encode_ms.median / o.encode_ms.median:.1f}x "
        f"the default's speed (range {o.encode_ms.low:.0f}-{o.encode_ms.high:.0f} ms), one question at a time; "
        f"under load gunicorn's workers already use both cores, and torch's threads then wait for each other "
        f"whenever another process holds a core."
        for o in r.options if o.option.threads > 1), 92))
    return f"""## 5. Cutting the floor

Each option is the service's `Embedder` with one setting changed, answering the gold set
through the engine ({r.plan.gold_turns} turns); quality is `python -m evaluate`'s scoring
(`evaluate.metrics`). *encode p50* is one question through the model alone (for the cache: a
question asked before, which skips the model); *cos vs torch* is the lowest cosine between the
option's question vectors and the default's. The int8 option got an index built with it, as
the service would (its vectors differ, so its index has its own model name).

{table(["option", "encode p50 ms", "speed", "engine p50 ms", "cos vs torch", *QUALITY], rows)}

{verdict}

- **ONNX**: sentence-transformers' own ONNX backend (`backend="onnx"`) needs `optimum-onnx`, whose
  only release (0.1.0) requires `transformers<4.58`; the project pins transformers 5.23.0, so it
  cannot be installed. The same thing is done directly instead (`qa_service/search/onnx_model.py`):
  torch's ONNX exporter traces the packaged model (transformer, mean pooling, normalisation)
  into one graph, run by `onnxruntime` with sentence-transformers' own tokeniser. Nothing is
  downloaded; the export (a few seconds) is cached in `QA_MODEL_CACHE_DIR`.
- **int8**: ONNX Runtime's dynamic quantisation of every matrix multiplication's weights, per
  output channel, made from that export. Its vectors are close to the default's but not equal,
  which is enough to swap sentences that score within about a hundredth of each other: the
  gold turns it loses are such near ties (and the follow-ups that lean on them), answered with
  the runner-up sentence rather than refused, so recalibrating the abstention threshold for it
  would not win them back.
- **Threads**: one torch thread per process is the default (`gunicorn.conf.py` sets
  OMP_NUM_THREADS=1). {threads}
- **Cache** (`QA_EMBEDDING_CACHE`): only helps questions asked again verbatim; it changes no
  answer. How often that happens depends on the users (suggested questions, retries)."""


def _ingest(r: Results) -> str:
    i = r.ingest
    rows = [["`python -m qa_service ingest report.pdf`, process start to exit", i.end_to_end_seconds.text(2)],
            ["read the PDF: pypdf, running heads and footers out", i.read_seconds.text(2)],
            ["prepare it: cleaning, sentences, passages", i.prepare_seconds.text(2)],
            ["build the index, model loaded", i.build_seconds.text(2)],
            ["  of which preparing again and embedding every sentence and passage", i.embedded_seconds.text(2)],
            ["  of which writing the index's files", i.writing_seconds.text(2)],
            ["the rest: Python, imports, the model's load, the command's own checks", i.rest_seconds.text(2)]]
    texts = i.sentences + i.passages
    return f"""## 6. A {i.pages}-page PDF, ingested

A report written here with reportlab (`evaluate/bench/ingest.py`): A4, {i.pages} pages, a running
head and a "Page N of M" footer on every page, about {i.words // i.pages} words of prose a page in
paragraphs and sections, {i.pdf_bytes / 1024:.0f} KiB. Its {i.sentences:,} sentences and {i.passages:,}
passages are {texts:,} texts to embed. Each repetition adds it to a new collection (no
docs/, no index/) with the command a user runs, then times the same steps in this process.
Measured {i.measured_at}, load average {i.load_average[0]}; seconds, median (range) over
{i.end_to_end_seconds.repetitions} repetitions.

{table(["step", "seconds"], rows)}

The embedding is the work: {texts / i.embedded_seconds.median:.0f} texts/s. A build from the command
line runs the model on every core, and where the CPU computes bfloat16 natively (AVX512-BF16,
AMX) its matrix products in bfloat16, faster for a build's long batches than float32; its
vectors lie within a cosine of 0.9999 of float32's (`tests/search/test_embedding.py`), and
the quality gate's floors hold on indexes built this way (`tests/test_quality_gate.py`).
Questions are still encoded in float32 on one thread per worker (part 5). The upload API's
builds run in a web worker beside its questions, on its one thread, so they take longer."""


def _method(r: Results) -> str:
    return """## Method

- `python -m evaluate.bench` runs everything: it indexes docs/ into a temporary folder (never
  `index/`), measures, and writes this file, `benchmarks/results.json` and the plots.
  `--quick` runs a short version for development; `tests/test_bench.py` runs it end to end and
  checks the structure of what it writes, never a timing.
- Latency percentiles are computed per repetition; the table shows their median and range.
- Every server is a real gunicorn on 127.0.0.1 with the Procfile's options and is stopped at
  the end of its part, also on failure. Load runs are bounded in time.
- The machine is shared and the figures move with whatever else runs; compare ratios measured
  in the same run rather than absolute times across runs."""


def markdown(results: Results, images: Mapping[str, Path], base: Path, json_path: Path) -> str:
    """The whole report; `images` by name (latency, throughput, scaling), links made relative to `base`."""
    links = {name: _link(path, base) for name, path in images.items()}
    parts = [_intro(results, _link(json_path.resolve(), base)), _targets(results),
             _latency(results, links["latency"]), _throughput(results, links["throughput"]), _cold_start(results),
             _scaling(results, links["scaling"]), _options(results), _ingest(results), _method(results)]
    return "\n\n".join(parts) + "\n"
