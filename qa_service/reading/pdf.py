"""A PDF report as a document: its text layer, page by page, with the print furniture out.

pypdf reads the text (pure Python, 0.56 s for 100 pages here, and its readers are
independent, so threads may share the process: see README for the comparison). What a
printed page adds around the text goes: lines repeated on most pages once digits are
masked (running heads, "Page 3 of 40", a footer), and bare page numbers at its top or
foot. Lines are joined back into paragraphs, since cleaning reads every line as a
paragraph: a word hyphenated at a line end is joined, a line ends its paragraph when it
ends a sentence and stops short of a full line of the page. Ligature glyphs (U+FB01 "ﬁ") are spelled out, so "ﬁnancial"
matches "financial". Pages are separated by a form feed line ("\\f"), as pdftotext does, so
an offset can later be mapped to its page; cleaning reads it as a blank line.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DocumentError

if TYPE_CHECKING:
    from pypdf import DocumentInformation

PAGE_BREAK = "\n\f\n"
FURNITURE_SHARE = 0.6  # a line on this share of the pages (digits masked) is a running head or footer
FURNITURE_MIN_PAGES = 3  # fewer pages than this say nothing about what repeats
SHORT_LINE = 0.8  # a sentence-final line shorter than this share of a full line ends a paragraph
FULL_LINE_RANK = 0.9  # a full line is as long as this share of the page's lines (code and lists run shorter)
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—\s]*\d{1,4}[-–—\s]*(?:(?:of|/)\s*\d{1,4})?$", re.I)
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")


def read_pdf(path: Path) -> tuple[str, dict[str, str]]:
    """The body (`pdf_body`) and metadata (title, author, date) of a PDF, or DocumentError
    naming the file and why it cannot be read."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{path.name}: the PDF is password-protected; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many classes (and plain ValueError) for a damaged file
        raise DocumentError(f"{path.name}: not a readable PDF ({exc.__class__.__name__})") from exc
    if not pages:
        raise DocumentError(f"{path.name}: the PDF has no pages")
    if not any(page.strip() for page in pages):
        raise DocumentError(f"{path.name}: the PDF has no text layer (scanned pages?); run OCR on it first")
    fields = {
        "title": str(meta.title or "").strip() if meta else "",
        "author": str(meta.author or "").strip() if meta else "",
        "date": _created(meta),
    }
    return pdf_body(pages), fields


def _created(meta: DocumentInformation | None) -> str:
    """The creation date as YYYY-MM-DD, or "" when the file gives none or one pypdf cannot
    read ("D:garbage"): a bad date is no reason to refuse the text."""
    try:
        created = meta.creation_date if meta else None
    except ValueError:
        return ""
    return created.date().isoformat() if created else ""


def pdf_body(pages: list[str]) -> str:
    """The pages' text as paragraphs of one line each, pages apart by a form feed line."""
    lines = [[line.strip() for line in page.translate(LIGATURES).splitlines()] for page in pages]
    furniture = _furniture(lines)
    # a bare number is a page number as a page's first or last line; elsewhere, a table's cell
    kept = [[line for i, line in enumerate(page) if line and _masked(line) not in furniture
             and not (i in (0, len(page) - 1) and _PAGE_NUMBER.match(line))]
            for page in lines]
    return PAGE_BREAK.join("\n\n".join(_paragraphs(page)) for page in kept) + "\n"


def _masked(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _furniture(pages: list[list[str]]) -> set[str]:
    """Lines (digits masked) printed on most pages: running heads, footers, 'Page # of #'."""
    if len(pages) < FURNITURE_MIN_PAGES:
        return set()
    counts = Counter(masked for page in pages for masked in {_masked(line) for line in page if line})
    return {line for line, n in counts.items() if n >= FURNITURE_SHARE * len(pages)}


def _paragraphs(lines: list[str]) -> list[str]:
    """Printed lines joined into paragraphs (see the module's docstring)."""
    if not lines:
        return []
    lengths = sorted(len(line) for line in lines)
    usual = lengths[int(FULL_LINE_RANK * (len(lengths) - 1))]  # a full line's length: most lines of prose run to it
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if current.endswith("-") and line[:1].islower() and current[-2:-1].isalpha():
            current = current[:-1] + line  # "protec-" + "tion"
        else:
            current = f"{current} {line}" if current else line
        if _SENTENCE_END.search(line) and len(line) < SHORT_LINE * usual:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
