"""Command line: `python -m qa_service build-index | ingest FILE... | remove DOC_ID... | ask QUESTION | status`.

Errors a user can fix print one line on stderr and exit with status 2; nothing is changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from .collection import add_files, check_removable, exclusive_change, plan_additions, remove_documents
from .config import Settings, load_settings
from .errors import QAServiceError
from .models import Answer
from .reading.documents import source_files, stored_documents
from .search.indexing import BuildReport, build_index, index_status
from .serialize import answer_to_json


class _Bar:
    """A progress bar on stderr for a build's embedding, drawn from its first report on."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc="Embedding", unit="text", file=sys.stderr)
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()


def _embedder(settings: Settings):
    from .search.embedding import BUILD_THREADS, Embedder

    return Embedder.from_settings(settings, threads=BUILD_THREADS)


def _report(report: BuildReport) -> str:
    if report.up_to_date:
        return f"Index is up to date ({report.documents} documents, {report.passages} passages): {report.path}"
    repaired = f"Repaired the index ({report.repaired}). " if report.repaired else ""
    return (
        f"{repaired}Built index in {report.seconds:.1f}s: {report.documents} documents "
        f"({len(report.embedded)} embedded, {len(report.reused)} unchanged), "
        f"{report.sentences} sentences, {report.passages} passages -> {report.path}"
    )


def cmd_build_index(args: argparse.Namespace, settings: Settings) -> int:
    embedder = _embedder(settings)
    with exclusive_change(settings):
        report = build_index(settings.docs_dir, settings.index_dir, embedder, progress=_Bar(), force=args.force)
    print(_report(report))
    return 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths = source_files([Path(p) for p in args.files])
    # a bad file is refused before the model loads
    plan_additions(paths, stored_documents(settings.docs_dir), settings.max_document_bytes)
    embedder = _embedder(settings)
    with exclusive_change(settings):
        added, report = add_files(settings, paths, embedder, progress=_Bar())
    for doc in added:
        converted = f" (read as {doc.encoding}, stored as UTF-8)" if doc.encoding not in (None, "utf-8") else ""
        print(f"Added {doc.doc_id}: {doc.title!r}{converted}")
    print(_report(report))
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    check_removable(args.doc_ids, stored_documents(settings.docs_dir))
    embedder = _embedder(settings)
    with exclusive_change(settings):
        report = remove_documents(settings, args.doc_ids, embedder, progress=_Bar())
    print(f"Removed {', '.join(args.doc_ids)}")
    print(_report(report))
    return 0


def format_answer(answer: Answer) -> str:
    """An answer for a terminal: the quoted sentences, then numbered sources."""
    lines = [answer.answer, ""]
    if answer.abstained:
        lines.append("Closest passages (related reading, not an answer):")
        lines += [f"  - {p.passage.doc_id}: {p.passage.text[:160]}..." for p in answer.passages[:3]]
        return "\n".join(lines)
    if answer.ordered_by_date:
        lines.append("Sources, oldest first:")
    for c in answer.citations:
        page = f"p. {c.page}" if c.page else ""
        where = ", ".join(part for part in (c.source, c.date, c.section if c.section != c.title else "", page) if part)
        lines.append(f"[{c.n}] {c.title}" + (f" ({where})" if where else "") + f" - {c.doc_id} chars {c.start}-{c.end}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .engine import Engine

    answer = Engine.load(settings).ask(args.question, system=args.system)
    print(json.dumps(answer_to_json(answer), ensure_ascii=False, indent=2) if args.json else format_answer(answer))
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    status = index_status(settings.docs_dir, settings.index_dir, settings.model_name)
    print(f"index: {status.state}" + (f" ({status.detail}): run `python -m qa_service build-index` to repair it"
                                      if status.detail else ""))
    return 0 if status.state == "current" else 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m qa_service", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-index", help="build or update the index from the documents folder")
    build.add_argument("--force", action="store_true", help="embed every document again")
    build.set_defaults(run=cmd_build_index)
    ingest = commands.add_parser("ingest", help="add .txt, .md, .html, .pdf or .docx files (or folders of them) and update the index")
    ingest.add_argument("files", nargs="+", metavar="FILE_OR_FOLDER")
    ingest.set_defaults(run=cmd_ingest)
    remove = commands.add_parser("remove", help="remove documents by id (as cited) and update the index")
    remove.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    remove.set_defaults(run=cmd_remove)
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the JSON answer contract")
    ask.add_argument("--system", default="hybrid", choices=("hybrid", "bm25", "dense"), help="retriever")
    ask.set_defaults(run=cmd_ask)
    status = commands.add_parser("status", help="say whether the index is missing, damaged, stale or current (exit 1 unless current)")
    status.set_defaults(run=cmd_status)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args, load_settings())
    except (QAServiceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
