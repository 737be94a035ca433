"""`python -m evaluate.bench [--quick] [--out DIR] [--markdown PATH]`: run every benchmark, write the reports.

Writes DIR/results.json, DIR/*.png and the Markdown report (BENCHMARKS.md by default). The
full run takes about 25 minutes on 2 cores; --quick (fewer repetitions and gold questions,
one server setting, corpora of 2k and 10k passages, a 10-page PDF) takes about two minutes
and is what the test suite runs. Nothing here touches index/: the collection is indexed into a temporary
folder, and every server started is stopped, also when something fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tqdm import tqdm

from evaluate.errors import EvaluationError
from evaluate.gold import GoldItem, load_gold
from evaluate.runner import EngineSystem, HttpSystem
from qa_service.config import PROJECT_ROOT, Settings, load_settings
from qa_service.engine import Engine
from qa_service.files import write_text_atomically
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index
from qa_service.search.vectors import VECTOR_INDEX_TYPES

from . import plots, report
from .ingest import PAGES, QUICK_PAGES, measure_ingest
from .latency import Latency, measure, model_alone, questions_of
from .options import OPTIONS, measure_option
from .results import IndexBuild, Machine, Plan, Results, now, targets
from .scaling import measure_scaling
from .server import ServerConfig, gunicorn, procfile_config, service_env
from .stats import Spread
from .throughput import CLIENTS, ServerRun, load_server, pick

PROG = "python -m evaluate.bench"
DEFAULT_OUT = PROJECT_ROOT / "benchmarks"
DEFAULT_MARKDOWN = PROJECT_ROOT / "BENCHMARKS.md"
GOLD = PROJECT_ROOT / "evaluate" / "gold.jsonl"
# Settings compared besides the Procfile's: one process with threads, one process per core, twice that.
OTHER_SERVERS = (ServerConfig(1, 4), ServerConfig(2, 1), ServerConfig(4, 1))


def plan_for(quick: bool, repetitions: int | None, gold_turns: int) -> Plan:
    if quick:
        return Plan(True, repetitions or 2, 1, gold_turns, 1, 1.0, (2_000, 10_000), 10, QUICK_PAGES)
    return Plan(False, repetitions or 5, repetitions or 5, gold_turns, 5, 5.0, (10_000, 100_000, 1_000_000), 30,
                PAGES)


def _bar(total: int, label: str) -> tqdm:
    return tqdm(total=total, desc=f"{label:>10}", file=sys.stderr, leave=True)


@dataclass(frozen=True)
class ServerPart:
    http: Latency
    cold_start_seconds: Spread
    runs: list[ServerRun]


def _server_part(settings: Settings, embedder: Embedder, items: Sequence[GoldItem], plan: Plan,
                 scratch: Path) -> ServerPart:
    """Cold starts and HTTP latency of the Procfile setting, then every setting under load."""
    env = service_env(settings)  # `run` set the question cache to 0
    procfile = procfile_config()
    configs = [procfile] + ([] if plan.quick else [c for c in OTHER_SERVERS if c != procfile])
    steps = plan.cold_starts + plan.repetitions + len(configs) * len(CLIENTS) * plan.repetitions
    ready, runs = [], []
    with _bar(steps, "server") as bar:
        for start in range(plan.cold_starts):
            with gunicorn(procfile, env, scratch / f"gunicorn-{procfile.label}-{start}.log") as server:
                ready.append(server.ready_seconds)
                bar.update()
                if start == plan.cold_starts - 1:  # the last start also serves the measurements
                    http = HttpSystem(server.url)
                    try:
                        measured = measure(model_alone(embedder), http, items,
                                           plan.repetitions, bar.update)
                    finally:
                        http.close()
                    runs.append(load_server(server, procfile, GOLD, plan.load_seconds, plan.repetitions, bar.update))
        for config in configs[1:]:
            with gunicorn(config, env, scratch / f"gunicorn-{config.label}.log") as server:
                runs.append(load_server(server, config, GOLD, plan.load_seconds, plan.repetitions, bar.update))
    return ServerPart(Latency.of(measured), Spread.of(ready), runs)


def run(plan: Plan, items: Sequence[GoldItem], base: Settings, scratch: Path) -> Results:
    started = now()
    machine = Machine.here()
    # The service as configured (backend), without a question cache: repeated gold questions
    # would hit it from the second repetition on. Option 5 measures the cache on its own. No
    # rate limit either: the load clients share one address and ask far more than a person.
    settings = base.with_overrides(index_dir=scratch / "index", feedback_db=scratch / "feedback.sqlite3",
                                   embedding_cache_size=0, rate_limit=None)
    embedder = Embedder.from_settings(settings)
    with _bar(plan.builds, "index") as bar:
        builds = []
        for _ in range(plan.builds):
            builds.append(build_index(settings.docs_dir, settings.index_dir, embedder, force=True))
            bar.update()
    engine = Engine.load(settings, embedder)
    with _bar(plan.repetitions, "latency") as bar:
        latency = Latency.of(measure(model_alone(embedder), EngineSystem(engine, "hybrid"),
                                     items, plan.repetitions, bar.update))
    served = _server_part(settings, embedder, items, plan, scratch)
    questions = embedder.encode(list(dict.fromkeys(questions_of(items))))
    with _bar(len(VECTOR_INDEX_TYPES) * (len(plan.sizes) + 1), "scaling") as bar:
        scaling = measure_scaling(engine.data.passage_vectors.vectors(list(range(len(engine.data.passages)))),
                                  engine.data.sentence_vectors, questions, plan.sizes, plan.repetitions,
                                  plan.timed_queries, bar.update)
    reference = Embedder().encode(questions_of(items))  # torch's vectors, whatever the service runs
    with _bar(len(OPTIONS) * plan.repetitions, "options") as bar:
        options = [measure_option(option, settings, reference, items, plan.repetitions, scratch, bar.update)
                   for option in OPTIONS]
    with _bar(plan.builds, "ingest") as bar:
        ingest = measure_ingest(plan.pages, plan.builds, settings, scratch, bar.update)
    return Results(
        started_at=started,
        finished_at=now(),
        machine=machine,
        plan=plan,
        embedding_backend=settings.embedding_backend,
        index_build=IndexBuild(Spread.of([b.seconds for b in builds]), builds[-1].documents, builds[-1].sentences,
                               builds[-1].passages),
        engine=latency,
        http=served.http,
        procfile=served.runs[0].config,
        cold_start_seconds=served.cold_start_seconds,
        servers=served.runs,
        chosen=pick(served.runs).config,
        scaling=scaling,
        options=options,
        ingest=ingest,
    )


def write(results: Results, out: Path, markdown: Path) -> None:
    """results.json and the plots in `out`, the report at `markdown` (linking the plots relatively)."""
    out.mkdir(parents=True, exist_ok=True)
    document = {**asdict(results), "targets": [asdict(t) for t in targets(results)]}
    write_text_atomically(out / "results.json", json.dumps(document, indent=1) + "\n")
    images = plots.write_all(results, out)
    write_text_atomically(markdown, report.markdown(results, {name: path.resolve() for name, path in images.items()},
                                                    markdown.resolve().parent, out / "results.json"))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    root.add_argument("--quick", action="store_true", help="a short run for development and the tests")
    root.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for results.json and the plots")
    root.add_argument("--markdown", type=Path, default=DEFAULT_MARKDOWN, help="the report (default BENCHMARKS.md)")
    root.add_argument("--repetitions", type=int, help="repetitions of each measurement (default 5, quick 2)")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.repetitions is not None and args.repetitions < 1:
        print(f"{PROG}: error: --repetitions must be at least 1", file=sys.stderr)
        return 2
    try:
        base = load_settings()
        items = load_gold(GOLD)
        if args.quick:
            items = items[:12]
        plan = plan_for(args.quick, args.repetitions, sum(len(item.turns) for item in items))
        with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
            results = run(plan, items, base, Path(scratch))
        write(results, args.out, args.markdown)
    except (EvaluationError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.markdown} and {args.out}/results.json")
    return 0
