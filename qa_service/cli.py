"""Command line: `python -m qa_service build-index | ingest FILE... | ask QUESTION | status`.

Errors a user can fix print one line on stderr and exit with status 2; nothing is changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from .config import Settings, load_settings
from .errors import DocumentError, QAServiceError
from .files import write_text_atomically
from .models import Answer
from .reading.documents import RawDocument, read_source_file, render_document, source_files, stored_documents
from .search.indexing import BuildReport, build_index, index_status
from .serialize import answer_to_json

T = TypeVar("T")


def _progress(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    return tqdm(items, total=total, desc=label, unit="doc", file=sys.stderr, disable=total == 0)


def _embedder(settings: Settings):
    from .search.embedding import Embedder

    return Embedder.from_settings(settings)


def _report(report: BuildReport) -> str:
    if report.up_to_date:
        return f"Index is up to date ({report.documents} documents, {report.passages} passages): {report.path}"
    return (
        f"Built index in {report.seconds:.1f}s: {report.documents} documents "
        f"({len(report.embedded)} embedded, {len(report.reused)} unchanged), "
        f"{report.sentences} sentences, {report.passages} passages -> {report.path}"
    )


def cmd_build_index(args: argparse.Namespace, settings: Settings) -> int:
    report = build_index(settings.docs_dir, settings.index_dir, _embedder(settings), progress=_progress, force=args.force)
    print(_report(report))
    return 0


def plan_ingest(paths: Sequence[Path], existing: Sequence[RawDocument]) -> list[RawDocument]:
    """The documents to add, or DocumentError for the first file that can't be added."""
    fingerprints = {doc.body_fingerprint: doc.doc_id for doc in existing}
    taken = {doc.doc_id for doc in existing}
    planned: list[RawDocument] = []
    for path in paths:
        doc = read_source_file(path)
        if doc.body_fingerprint in fingerprints:
            raise DocumentError(f"{path.name}: same text as the document {fingerprints[doc.body_fingerprint]}")
        if doc.doc_id in taken:
            raise DocumentError(f"{path.name}: a document with id {doc.doc_id!r} exists already; rename the file")
        fingerprints[doc.body_fingerprint] = doc.doc_id
        taken.add(doc.doc_id)
        planned.append(doc)
    return planned


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    planned = plan_ingest(source_files([Path(p) for p in args.files]), stored_documents(settings.docs_dir))
    created = not settings.docs_dir.is_dir()
    try:
        settings.docs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DocumentError(f"document folder {settings.docs_dir} cannot be created ({exc.strerror})") from exc
    written: list[Path] = []
    try:
        for doc in planned:
            target = settings.docs_dir / f"{doc.doc_id}.txt"
            write_text_atomically(target, render_document(doc))
            written.append(target)
        report = build_index(settings.docs_dir, settings.index_dir, _embedder(settings), progress=_progress)
    except BaseException:
        for path in written:  # the collection goes back to what the index was built from
            path.unlink(missing_ok=True)
        if created:
            settings.docs_dir.rmdir()
        raise
    for doc in planned:
        print(f"Added {doc.doc_id}: {doc.title!r}")
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
        where = ", ".join(part for part in (c.source, c.date, c.section if c.section != c.title else "") if part)
        lines.append(f"[{c.n}] {c.title}" + (f" ({where})" if where else "") + f" - {c.doc_id} chars {c.start}-{c.end}")
    return "\n".join(lines)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .engine import Engine

    answer = Engine.load(settings).ask(args.question, system=args.system)
    print(json.dumps(answer_to_json(answer), ensure_ascii=False, indent=2) if args.json else format_answer(answer))
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    status = index_status(settings.docs_dir, settings.index_dir, settings.model_name)
    print(f"index: {status}")
    return 0 if status == "current" else 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m qa_service", description=__doc__.splitlines()[0])
    commands = root.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-index", help="build or update the index from the documents folder")
    build.add_argument("--force", action="store_true", help="embed every document again")
    build.set_defaults(run=cmd_build_index)
    ingest = commands.add_parser("ingest", help="add .txt, .md, .html, .pdf or .docx files (or folders of them) and update the index")
    ingest.add_argument("files", nargs="+", metavar="FILE_OR_FOLDER")
    ingest.set_defaults(run=cmd_ingest)
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the JSON answer contract")
    ask.add_argument("--system", default="hybrid", choices=("hybrid", "bm25", "dense"), help="retriever")
    ask.set_defaults(run=cmd_ask)
    status = commands.add_parser("status", help="say whether the index is missing, stale or current (exit 1 unless current)")
    status.set_defaults(run=cmd_status)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args, load_settings())
    except (QAServiceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
