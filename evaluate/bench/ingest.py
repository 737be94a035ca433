"""Part 6: a 100-page PDF report ingested into a new collection, end to end and step by step.

End to end is `python -m qa_service ingest report.pdf` as a user runs it: a fresh process
(Python's start, the imports, the model's load on the clock) adding the report to a
collection that does not exist yet, in a shell that sets nothing but HF_HUB_OFFLINE. The
breakdown times the same steps in this process, the model already loaded: reading the PDF
(pypdf, then the running heads and footers out), preparing it (cleaning, sentences,
passages) and building the index (which prepares it again, embeds every sentence and
passage and writes the files). Both are measured in every repetition, back to back, so a
slow spell on the shared machine hits both.

The report is written here with reportlab, a real PDF writer: A4, a running head and a
"Page N of M" footer on every page, about 42 lines of prose a page in paragraphs of several
lines, and a few section headings. Its sentences are drawn from word lists by a seeded
random generator: each differs from every other, as a report's do (a repeated line would be
dropped as furniture, a repeated sentence embedded once), and every run writes the same file.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from evaluate.errors import EvaluationError
from qa_service.config import PROJECT_ROOT, Settings
from qa_service.reading.documents import RawDocument, read_source_file, render_document
from qa_service.reading.segmenting import ChunkSettings
from qa_service.search.embedding import BUILD_THREADS, Embedder
from qa_service.search.indexing import BuildReport, PreparedDocument, build_index, prepare_document
from qa_service.search.stored_builds import current_link, read_manifest

from .results import IngestResult, load_average, now
from .server import service_env
from .stats import Spread

PAGES = 100
QUICK_PAGES = 10
SEED = 20261125
CLI_TIMEOUT = 900.0  # seconds; a 100-page ingest takes well under a minute here
HEAD = "Saltmarsh Harbour Board - Annual Report 2025"
TITLE = "Saltmarsh Harbour Board: annual report 2025"
SECTIONS = ("Chair's statement", "Finances", "Dredging and channels", "Moorings and tariffs", "Safety at sea",
            "Staff and training", "Outlook")
MARGIN = 90.0
BODY_FONT, BODY_SIZE, LEADING = "Vera", 11.0, 15.0
TOP, BOTTOM = 770.0, 130.0  # the body's first and lowest baselines: 43 line slots, a paragraph's gap is half of one
PARAGRAPH_GAP = LEADING / 2
T = TypeVar("T")
_FURNITURE = re.compile(rf"{re.escape(HEAD)}|Page \d+ of \d+")

SUBJECTS = ("The board", "The finance committee", "The harbour master", "Our engineers", "The port authority",
            "The dredging contractor", "The audit panel", "The fishermen's cooperative", "The ferry operator",
            "The county council", "The safety officer", "The chief executive", "The pilots' association",
            "The marina tenants", "The trustees")
VERBS = ("approved", "reviewed", "questioned", "postponed", "paid for", "inspected", "reported on", "welcomed",
         "turned down", "revised", "completed", "surveyed", "costed", "planned", "recommended")
OBJECTS = ("the dredging of the {place} channel", "forty new moorings at {place}", "the tariff for visiting yachts",
           "repairs to the {place} breakwater", "the replacement of two tugs", "the ferry's winter timetable",
           "a study of silt near {place}", "the deficit of the pension fund", "new lighting along the {place} quay",
           "the sale of the old fish market", "a scheme for apprentices", "the storm wall at {place}",
           "fuel contracts for the pilot boats", "the lease of warehouse {number}", "a survey of the seabed at {place}")
CLAUSES = ("in {month}", "after the storm of {month}", "at a cost of {money}", "for the {ordinal} year running",
           "despite objections from {someone}", "before the end of {month}", "within the budget agreed in {year}",
           "because traffic rose by {small} per cent", "while {place} was closed to shipping",
           "so that larger vessels can berth at {place}", "with a grant of {money} from the county",
           "as the auditors advised in {year}", "once {someone} had been consulted")
FIGURES = ("{place} handled {number} vessels in {month}, {small} per cent more than a year before.",
           "Income from {income} came to {money}, against {money2} in the budget.",
           "Spending on {spending} fell to {money} in {year}.",
           "{Someone} told the board in {month} that {claim}.",
           "Of the {number} complaints received, {small} concerned {income}.")
PLACES = ("Northgate", "Eastmoor", "Holm Bay", "Saltmarsh", "Kingsferry", "Fenwick", "Westpoint", "Mill Creek",
          "Gull Rock", "Stack Head", "Cobble Point", "Ness Reach")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth")
INCOME = ("mooring fees", "pilotage", "the fish market", "car parking", "cargo dues", "ferry tickets")
SPENDING = ("dredging", "fuel", "insurance", "maintenance of the quays", "consultants", "training")
CLAIMS = ("the channel was silting up faster than forecast", "the tugs would last another five years",
          "demand for moorings had never been higher", "the storm wall needed raising by half a metre",
          "cargo volumes were recovering", "insurance costs would rise again next year")


@dataclass(frozen=True)
class Timings:
    """One repetition, in seconds: the CLI end to end, then each step in this process."""

    end_to_end: float
    read: float
    prepare: float
    build: float
    embedded: float  # from build_index's start to its last progress report: preparing again and embedding


def _sentence(rng: random.Random) -> str:
    fill = {"place": rng.choice(PLACES), "month": rng.choice(MONTHS), "year": rng.randint(2015, 2025),
            "number": rng.randint(12, 980), "small": rng.randint(2, 40), "ordinal": rng.choice(ORDINALS),
            "money": f"£{rng.randint(11, 990) * 1000:,}", "money2": f"£{rng.randint(11, 990) * 1000:,}",
            "someone": rng.choice(SUBJECTS).lower(), "income": rng.choice(INCOME),
            "spending": rng.choice(SPENDING), "claim": rng.choice(CLAIMS)}
    fill["Someone"] = rng.choice(SUBJECTS)
    if rng.random() < 0.25:
        return rng.choice(FIGURES).format(**fill)
    clauses = rng.sample(CLAUSES, rng.choice((1, 1, 2)))
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {', '.join(clauses)}."
    return text.format(**fill)


def _paragraphs(rng: random.Random) -> Iterator[str]:
    """Endless paragraphs of three to six sentences, no sentence ever repeated."""
    seen: set[str] = set()
    while True:
        sentences: list[str] = []
        while len(sentences) < rng.randint(3, 6):
            sentence = _sentence(rng)
            if sentence not in seen:
                seen.add(sentence)
                sentences.append(sentence)
        yield " ".join(sentences)


def _body(pages: int, rng: random.Random) -> Iterator[tuple[str, float]]:
    """The report's body as (line, space above it in points): headings spread evenly over the
    pages, each paragraph wrapped to the page's width; a paragraph may run on to the next page."""
    width = A4[0] - 2 * MARGIN
    per_section = pages * (TOP - BOTTOM) / LEADING / len(SECTIONS)  # body lines between two headings
    lines = 0.0
    section = 0
    for paragraph in _paragraphs(rng):
        if section < len(SECTIONS) and lines >= section * per_section:
            section += 1
            yield f"{section}. {SECTIONS[section - 1]}", 2 * LEADING
        for k, line in enumerate(simpleSplit(paragraph, BODY_FONT, BODY_SIZE, width)):
            yield line, LEADING + (PARAGRAPH_GAP if k == 0 else 0)
            lines += 1


def write_report(path: Path, pages: int = PAGES) -> Path:
    """The benchmark's report PDF, the same bytes' worth of text on every run (see the module docstring)."""
    pdfmetrics.registerFont(TTFont(BODY_FONT, "Vera.ttf"))  # shipped with reportlab
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(TITLE)
    pdf.setAuthor("Saltmarsh Harbour Board")
    body = _body(pages, random.Random(SEED))
    pending: tuple[str, float] | None = None
    for page in range(1, pages + 1):
        pdf.setFont("Helvetica", 9)
        pdf.drawString(MARGIN, 800, HEAD)
        pdf.drawString(A4[0] / 2 - 25, 50, f"Page {page} of {pages}")
        y = TOP + LEADING
        while True:
            line, space = pending or next(body)
            pending = None
            if y - space < BOTTOM:
                pending = (line, LEADING)  # the first line of a page gets no gap above it
                break
            y -= space
            heading = space > 2 * LEADING - 1
            pdf.setFont("Helvetica-Bold" if heading else BODY_FONT, 13 if heading else BODY_SIZE)
            pdf.drawString(MARGIN, y, line)
        pdf.showPage()
    pdf.save()
    return path


def check_read(raw: RawDocument, pages: int) -> None:
    """EvaluationError unless the reader kept every page and dropped every running head and footer:
    a benchmark of a reader that got the report wrong would time the wrong work."""
    if raw.body.count("\f") != pages - 1:
        raise EvaluationError(f"the {pages}-page report read as {raw.body.count(chr(12)) + 1} pages")
    furniture = _FURNITURE.search(raw.body)
    if furniture:
        raise EvaluationError(f"the report's running head or footer is still in its text: {furniture.group()!r}")


def _ingest_cli(pdf: Path, settings: Settings, folder: Path) -> float:
    """Wall-clock seconds of `python -m qa_service ingest pdf` into a new collection in `folder`
    (its docs/ and index/ do not exist yet), with this process's environment and `settings`' model."""
    fresh = settings.with_overrides(docs_dir=folder / "docs", index_dir=folder / "index",
                                    feedback_db=folder / "feedback.sqlite3")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **service_env(fresh)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "qa_service", "ingest", str(pdf)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=CLI_TIMEOUT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise EvaluationError(f"`python -m qa_service ingest` exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds


def _timed(step: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = step()
    return value, time.perf_counter() - started


def _build(docs_dir: Path, index_dir: Path, embedder: Embedder) -> tuple[BuildReport, float, float]:
    """build_index, its seconds, and the seconds to its last progress report (all texts embedded)."""
    reports: list[float] = []
    started = time.perf_counter()
    report = build_index(docs_dir, index_dir, embedder, progress=lambda done, total: reports.append(time.perf_counter()))
    return report, time.perf_counter() - started, reports[-1] - started


def _repetition(pdf: Path, pages: int, settings: Settings, embedder: Embedder,
                folder: Path) -> tuple[Timings, PreparedDocument]:
    """The CLI into a new collection, then the same steps in this process into another."""
    end_to_end = _ingest_cli(pdf, settings, folder / "cli")
    raw, read = _timed(lambda: read_source_file(pdf))
    check_read(raw, pages)
    prepared, prepare = _timed(lambda: prepare_document(raw, ChunkSettings()))
    docs_dir = folder / "docs"
    docs_dir.mkdir()
    (docs_dir / f"{raw.doc_id}.txt").write_text(render_document(raw), encoding="utf-8")
    report, build, embedded = _build(docs_dir, folder / "index", embedder)
    cli = read_manifest(current_link(folder / "cli" / "index"))["counts"]
    if (cli["sentences"], cli["passages"]) != (report.sentences, report.passages):
        raise EvaluationError(f"the CLI indexed {cli}, this process {report}: the breakdown is not of the same work")
    return Timings(end_to_end, read, prepare, build, embedded), prepared


def measure_ingest(pages: int, repetitions: int, settings: Settings, scratch: Path,
                   advance: Callable[[], object] = lambda: None) -> IngestResult:
    """Part 6 over `repetitions` new collections in `scratch`, with `settings`' model and backend.

    The embedder is made here, not shared with the other parts: torch's thread count is per
    process and an Embedder sets it as it is made, here to the command line's (every core).
    """
    measured_at, load = now(), load_average()
    embedder = Embedder.from_settings(settings, threads=BUILD_THREADS)
    pdf = write_report(scratch / "report.pdf", pages)
    timings: list[Timings] = []
    for _ in range(repetitions):
        with tempfile.TemporaryDirectory(prefix="ingest-", dir=scratch) as folder:
            timing, prepared = _repetition(pdf, pages, settings, embedder, Path(folder))
        timings.append(timing)
        advance()

    def spread(figure: Callable[[Timings], float]) -> Spread:
        return Spread.of([figure(t) for t in timings])

    return IngestResult(
        measured_at=measured_at,
        load_average=load,
        pages=pages,
        pdf_bytes=pdf.stat().st_size,
        words=len(prepared.document.text.split()),
        sentences=len(prepared.sentences),
        passages=len(prepared.passages),
        end_to_end_seconds=spread(lambda t: t.end_to_end),
        read_seconds=spread(lambda t: t.read),
        prepare_seconds=spread(lambda t: t.prepare),
        build_seconds=spread(lambda t: t.build),
        embedded_seconds=spread(lambda t: t.embedded),
        writing_seconds=spread(lambda t: t.build - t.embedded),
        rest_seconds=spread(lambda t: t.end_to_end - t.read - t.build),
    )
