"""`python -m evaluate [run options] | calibrate | floor | feedback`: score systems on the gold set.

`--squad FILE` scores the engine and sentence baselines on a SQuAD 2.0-format file instead,
indexed in a temporary folder of its own (evaluate/README.md, "Your own SQuAD-format file").

Usage errors (a missing or malformed gold or SQuAD file, an unknown system, an unwritable
output, a bad or unreachable URL) print one line on stderr and exit 2 before any work is lost;
a run that falls below the quality floor (--check-floor) exits 1 listing every metric.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.table import Table

from qa_service.files import write_text_atomically

from . import calibration, report, squad_report
from .errors import EvaluationError
from .floor import Floor, check_floor, floor_document, load_floor, make_floor, ratchet
from .gold import GoldItem, load_gold
from .metrics import METRICS, Judgement, MetricInfo, Summary, judge, summarize
from .runner import EngineSystem, HttpSystem, System, ask_url, run_systems, without_threshold
from .squad_format import SquadSet, load_squad, select_articles
from .squad_metrics import SQUAD_METRICS
from .squad_run import ENGINE, SquadResult, new_embedder, run_squad

PROG = "python -m evaluate"
HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
DEFAULT_GOLD = HERE / "gold.jsonl"
DEFAULT_FLOOR = HERE / "floor.json"
DEFAULT_PLOT = HERE / "calibration.png"
DEFAULT_SQUAD_FLOOR = HERE / "squad_floor.json"
SQUAD_GATE = HERE / "squad" / "normans-dev-v2.0.json"  # the SQuAD collection the quality gate runs
DEFAULT_SYSTEMS = ("bm25", "dense", "hybrid")
FULL_SYSTEM = "hybrid"  # the system the floor gates; over --url the service stands for it
SERVICE = "service"


class UsageError(EvaluationError):
    """A command line that cannot be carried out as given."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2) rather than usage text."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


# ------------------------------------------------------------------ checks done before any work


def writable(path: str | None) -> Path | None:
    """`path` if a file can be written there; UsageError naming the problem otherwise."""
    if path is None:
        return None
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise UsageError(f"cannot write {target}: it is a folder")
    if not folder.is_dir():
        raise UsageError(f"cannot write {target}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError(f"cannot write {target}: permission denied")
    return target


def known_systems() -> tuple[str, ...]:
    from qa_service.search.retrieval import RETRIEVERS

    return tuple(RETRIEVERS)


def parse_systems(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return DEFAULT_SYSTEMS
    names = tuple(dict.fromkeys(s.strip() for s in raw.split(",") if s.strip()))
    known = known_systems()
    unknown = [s for s in names if s not in known]
    if unknown or not names:
        raise UsageError(f"unknown system {', '.join(unknown) or repr(raw)}; choose from {', '.join(known)}")
    return names


def gold_path(args: argparse.Namespace) -> Path:
    return Path(args.gold) if getattr(args, "gold", None) else DEFAULT_GOLD


def shown_path(path: Path) -> str:
    """A path as reports record it: relative to the project when inside it, so files stay portable."""
    resolved = path.resolve()
    return str(resolved.relative_to(PROJECT_ROOT)) if resolved.is_relative_to(PROJECT_ROOT) else str(resolved)


# ------------------------------------------------------------------ running


def load_engine() -> Any:
    """The engine as the service would load it (settings from the environment, calibrated threshold)."""
    from qa_service.config import load_settings
    from qa_service.engine import Engine
    from qa_service.errors import QAServiceError

    try:
        return Engine.load(load_settings())
    except (QAServiceError, ValueError) as exc:  # index missing or stale, a bad environment variable
        raise UsageError(f"cannot load the engine: {exc}") from exc


def run_all(items: Sequence[GoldItem], systems: Sequence[System]) -> dict[str, list[Judgement]]:
    """Judgements per system, each system run over every item with its own progress bar."""
    return {name: [judge(run) for run in runs] for name, runs in run_systems(items, systems).items()}


def gate(summary: Summary, floor: Floor | None, system: str, path: str) -> int:
    """Exit status of a run checked against its floor: 1, listing every metric worse than it, or 0."""
    if floor is None:
        return 0
    failures = check_floor(summary, floor)
    for line in failures:
        print(f"below floor ({system}) {line}", file=sys.stderr)
    if failures:
        return 1
    print(f"{system} is at or above every floor in {path}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if args.squad:
        return cmd_squad(args)
    if args.article:
        raise UsageError("--article chooses articles of a --squad file: give --squad FILE")
    gold = gold_path(args)
    items = load_gold(gold)
    if args.url and args.systems:
        raise UsageError("--systems and --url exclude each other: a service is evaluated as one system")
    systems = (SERVICE,) if args.url else parse_systems(args.systems)
    url = None
    if args.url:
        try:
            url = ask_url(args.url)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    json_path, html_path = writable(args.json), writable(args.html)
    floor = None
    if args.check_floor:
        floor = load_floor(Path(args.check_floor))
        if FULL_SYSTEM not in systems and SERVICE not in systems:
            raise UsageError(f"--check-floor gates the {FULL_SYSTEM} system: add it to --systems")
    if url:
        runners: list[System] = [HttpSystem(url, SERVICE)]
    else:
        engine = load_engine()
        runners = [EngineSystem(engine, name) for name in systems]
    judged = run_all(items, runners)
    summaries = {name: summarize(js) for name, js in judged.items()}
    title = report.TITLE if gold == DEFAULT_GOLD else f"Evaluation on {gold.name}"
    console = Console()
    console.print(report.metrics_table(summaries, title))
    console.print(report.category_table(judged))
    if json_path:
        write_text_atomically(json_path, json.dumps(report.json_report(summaries, judged), ensure_ascii=False,
                                                    indent=1) + "\n")
        print(f"wrote {json_path}")
    if html_path:
        write_text_atomically(html_path, report.render_html(summaries, judged, report.bar_chart_png(summaries), title))
        print(f"wrote {html_path}")
    gated = FULL_SYSTEM if FULL_SYSTEM in summaries else SERVICE
    return gate(summaries[gated], floor, gated, args.check_floor)


# ------------------------------------------------------------------ a SQuAD-format file


def squad_embedder() -> Any:
    """The embedder for a --squad run, as the service would make it from the environment."""
    try:
        return new_embedder()
    except ValueError as exc:  # a bad QA_EMBEDDING_BACKEND or other variable
        raise UsageError(f"cannot load the embedding model: {exc}") from exc


def squad_result(squad: SquadSet) -> SquadResult:
    """The articles indexed, every question asked and judged, the tables printed."""
    result = run_squad(squad, squad_embedder())
    console = Console()
    console.print(squad_report.systems_table(result))
    if len(result.articles) > 1:
        console.print(squad_report.articles_table(result))
    console.print(squad_report.sweep_table(result.sweep))
    print(squad_report.fallback_line(result))
    return result


def cmd_squad(args: argparse.Namespace) -> int:
    for option, given in (("--gold", args.gold), ("--systems", args.systems), ("--url", args.url)):
        if given:
            raise UsageError(f"--squad and {option} exclude each other: a SQuAD file is run on an index of its own "
                             "by the engine and its baselines")
    squad = select_articles(load_squad(Path(args.squad)), args.article or ())  # a bad file first, before any work
    json_path, html_path = writable(args.json), writable(args.html)
    floor = load_floor(Path(args.check_floor), SQUAD_METRICS) if args.check_floor else None
    result = squad_result(squad)
    if json_path:
        write_text_atomically(json_path, json.dumps(squad_report.json_report(result), ensure_ascii=False, indent=1) + "\n")
        print(f"wrote {json_path}")
    if html_path:
        write_text_atomically(html_path, squad_report.render_html(result, squad_report.sweep_chart(result.sweep)))
        print(f"wrote {html_path}")
    return gate(result.summaries[ENGINE], floor, ENGINE, args.check_floor)


# ------------------------------------------------------------------ calibrate


def sweep_table(rows: Sequence[calibration.SweepRow], chosen: calibration.SweepRow) -> Table:
    table = Table(title="Abstention threshold sweep (hybrid)")
    for name in ("threshold", "abstention_recall", "false_abstention", "answer_accuracy", "pick"):
        table.add_column(name, justify="right")
    for row in rows:
        cells = [f"{row.threshold:.4f}"] + [
            report.format_value(v, "share") for v in (row.abstention_recall, row.false_abstention, row.answer_accuracy)
        ]
        table.add_row(*cells, "<-" if row == chosen else "", style="bold" if row == chosen else None)
    return table


def cmd_calibrate(args: argparse.Namespace) -> int:
    from qa_service.answer.settings import CALIBRATION_FILE

    path = gold_path(args)
    items = load_gold(path)
    output = writable(args.output or str(CALIBRATION_FILE))
    plot_path = writable(args.plot)
    if not 0 <= args.max_false_abstention < 1:
        raise UsageError("--max-false-abstention must be in [0, 1)")
    engine = load_engine()
    judged = run_all(items, [EngineSystem(without_threshold(engine), FULL_SYSTEM)])[FULL_SYSTEM]
    try:
        observed = calibration.observations(judged)
        rows = calibration.sweep(observed, calibration.candidate_thresholds(o.confidence for o in observed))
        chosen = calibration.choose(rows, args.max_false_abstention)
    except ValueError as exc:
        raise EvaluationError(f"cannot calibrate: {exc}") from exc
    Console().print(sweep_table(calibration.table_rows(rows, chosen), chosen))
    if plot_path:
        calibration.plot(rows, chosen, plot_path, args.max_false_abstention)
        print(f"wrote {plot_path}")
    record = {
        "threshold": round(chosen.threshold, 6),
        "abstention_recall": report.rounded(chosen.abstention_recall),
        "false_abstention": report.rounded(chosen.false_abstention),
        "answer_accuracy": report.rounded(chosen.answer_accuracy),
        "max_false_abstention": args.max_false_abstention,
        "gold": shown_path(path),
        "turns": len(observed),
        "calibrated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    assert output is not None
    write_text_atomically(output, json.dumps(record, indent=2) + "\n")
    print(f"threshold {record['threshold']} (previously {engine.composer.threshold}); wrote {output}")
    return 0


# ------------------------------------------------------------------ floor


def cmd_floor(args: argparse.Namespace) -> int:
    if args.squad and getattr(args, "gold", None):
        raise UsageError("floor takes --gold or --squad, not both")
    if args.article:
        raise UsageError("floor runs a whole file: --article does not apply")
    # a bad file is reported before anything else
    squad = load_squad(Path(args.squad)) if args.squad else None
    items = () if squad else load_gold(gold_path(args))
    metrics = SQUAD_METRICS if squad else METRICS
    output = writable(args.output or str(DEFAULT_SQUAD_FLOOR if args.squad else DEFAULT_FLOOR))
    assert output is not None
    old = load_floor(output, metrics) if output.exists() and not args.allow_lower else None
    if squad:
        summary = squad_result(squad).summaries[ENGINE]
        system, command = ENGINE, f"python -m evaluate floor --squad {shown_path(Path(args.squad))}"
    else:
        summary = summarize(run_all(items, [EngineSystem(load_engine(), FULL_SYSTEM)])[FULL_SYSTEM])
        Console().print(report.metrics_table({FULL_SYSTEM: summary}))
        system, command = FULL_SYSTEM, "python -m evaluate floor"
    write_floor(output, old, make_floor(summary, metrics), metrics, system, command)
    return 0


def write_floor(output: Path, old: Floor | None, new: Floor, metrics: Sequence[MetricInfo], system: str,
                command: str) -> None:
    """Ratchet `new` against `old` (when kept), print every bound and what it was, and write the file
    naming the gated `system` and the `command` that refreshes it."""
    floor = ratchet(old, new, metrics) if old else new
    for bound in ("minimum", "maximum"):
        for name, value in floor[bound].items():
            before = (old or {}).get(bound, {}).get(name)
            change = "" if before is None or before == value else f" (was {before:g})"
            print(f"{bound} {name} {value:g}{change}")
    write_text_atomically(output, json.dumps(floor_document(floor, system, command), indent=2) + "\n")
    print(f"wrote {output}")


# ------------------------------------------------------------------ feedback


def cmd_feedback(args: argparse.Namespace) -> int:
    from qa_service import sqlite_store
    from qa_service.config import load_settings
    from qa_service.errors import StoreUnavailable
    from qa_service.feedback import FeedbackStore

    from .candidates import candidate_lines

    # A file that cannot be read is this command's one error line below; the store's own log line
    # (for the service's log) would print the same words again on stderr.
    sqlite_store.logger.addHandler(logging.NullHandler())

    db = Path(args.db) if args.db else load_settings().feedback_db
    if not db.is_file():
        raise UsageError(f"no feedback database at {db} (set --db or QA_FEEDBACK_DB)")
    out = writable(args.out)
    try:
        ratings = FeedbackStore(db).items(rating="down")
    except StoreUnavailable as exc:  # damaged, locked, unreadable: the message names the file and the fix
        raise UsageError(f"cannot read feedback database: {exc}") from exc
    lines = candidate_lines(ratings)
    if out is None:
        sys.stdout.write(lines)
    else:
        write_text_atomically(out, lines)
    where = shown_path(out) if out else "stdout"
    print(f"{len(ratings)} thumbs-down answers from {shown_path(db)} written to {where} as candidate gold items",
          file=sys.stderr)
    return 0


# ------------------------------------------------------------------ entry point


def parser() -> argparse.ArgumentParser:
    root = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    root.add_argument("--gold", help=f"gold set (JSON Lines; default {shown_path(DEFAULT_GOLD)})")
    root.add_argument("--systems", help=f"comma-separated retrievers to compare (default {','.join(DEFAULT_SYSTEMS)})")
    root.add_argument("--url", help="evaluate a running service through POST <URL>/api/ask, as system 'service'")
    root.add_argument("--json", metavar="PATH", help="write metrics and every turn as JSON")
    root.add_argument("--html", metavar="PATH", help="write a self-contained HTML report")
    root.add_argument("--check-floor", metavar="PATH",
                      help="exit 1 when the hybrid system (the engine with --squad) is below this floor file")
    root.add_argument("--squad", metavar="FILE",
                      help="evaluate the engine and sentence baselines on a SQuAD 2.0-format file, on an index of its own")
    root.add_argument("--article", metavar="TITLE", action="append",
                      help="with --squad: only this article (repeat for several)")
    root.set_defaults(run=cmd_run)
    commands = root.add_subparsers(dest="command", metavar="{calibrate,floor,feedback}")
    gold_help = "gold set (default evaluate/gold.jsonl)"
    cal = commands.add_parser("calibrate", help="choose the abstention threshold; writes qa_service/answer/calibration.json")
    cal.add_argument("--gold", default=argparse.SUPPRESS, help=gold_help)
    cal.add_argument("--output", help="calibration file (default qa_service/answer/calibration.json)")
    cal.add_argument("--plot", default=str(DEFAULT_PLOT), help="sweep plot (default evaluate/calibration.png)")
    cal.add_argument("--max-false-abstention", type=float, default=calibration.MAX_FALSE_ABSTENTION,
                     help="largest share of answerable turns allowed to abstain (default 0.05)")
    cal.set_defaults(run=cmd_calibrate)
    flo = commands.add_parser("floor", help="run the hybrid system and raise evaluate/floor.json to its figures")
    flo.add_argument("--gold", default=argparse.SUPPRESS, help=gold_help)
    flo.add_argument("--squad", metavar="FILE", default=argparse.SUPPRESS,
                     help="run the engine on this SQuAD-format file and raise evaluate/squad_floor.json instead")
    flo.add_argument("--output", help="floor file (default evaluate/floor.json, with --squad evaluate/squad_floor.json)")
    flo.add_argument("--allow-lower", action="store_true", help="replace the floor even where it goes down")
    flo.set_defaults(run=cmd_floor)
    fee = commands.add_parser("feedback", help="export thumbs-down answers as candidate gold items (JSON Lines)")
    fee.add_argument("--db", help="feedback database (default QA_FEEDBACK_DB, var/feedback.sqlite3)")
    fee.add_argument("--out", metavar="PATH", help="write the candidates here (default stdout)")
    fee.set_defaults(run=cmd_feedback)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except EvaluationError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
