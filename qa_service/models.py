"""Plain data that crosses module boundaries.

Everything here is frozen: a document, its sentences and passages are built once by the
pipeline and then only read, so any part of the service can hold on to them safely.
Offsets (`start`, `end`) always index into `Document.text`, the cleaned text that
`GET /api/documents/<id>` returns, so `document.text[start:end]` is the quoted span.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Section:
    """A story inside a document: a tag-archive page can hold several."""

    title: str
    date: str  # ISO date or partial date ("2011", "2011-05", "2011-05-10"); "" when unknown
    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """A kept line of cleaned text; headings are retrievable but read as labels, not claims."""

    start: int
    end: int
    heading: bool


@dataclass(frozen=True)
class CleanedText:
    """What cleaning makes of a raw body: the text, its paragraphs, its stories and, for a
    printed file, where each page starts (`Document.page_starts`)."""

    text: str
    paragraphs: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    page_starts: tuple[int, ...] = ()


@dataclass(frozen=True)
class DocumentMetadata:
    """What a document's header says of it: the same before cleaning and after, and what a citation names."""

    doc_id: str
    title: str
    source: str
    date: str
    author: str
    url: str

    def metadata(self) -> dict[str, str]:
        """The header fields alone, to make the cleaned document from the raw one."""
        return {f.name: getattr(self, f.name) for f in fields(DocumentMetadata)}


@dataclass(frozen=True)
class Document(DocumentMetadata):
    """A cleaned document with the metadata from its header."""

    text: str
    sections: tuple[Section, ...]
    content_hash: str
    page_starts: tuple[int, ...] = ()  # offset where each printed page starts, page 1 at 0; () for web pages

    def page_at(self, offset: int) -> int | None:
        """The number of the printed page holding `offset` (1 for the first), None without pages."""
        return bisect_right(self.page_starts, offset) or None

    def page_span(self, page: int) -> tuple[int, int]:
        """Where page `page` (1-based, within the document's pages) starts and ends in the text."""
        ends = (*self.page_starts[1:], len(self.text))
        return self.page_starts[page - 1], ends[page - 1]

    def section_at(self, offset: int) -> Section | None:
        """The section holding `offset`, so a citation can name its story."""
        for section in self.sections:
            if section.start <= offset < section.end:
                return section
        return None


@dataclass(frozen=True)
class Sentence:
    """One sentence (or heading line) of a cleaned document."""

    sentence_id: int
    doc_id: str
    start: int
    end: int
    text: str
    paragraph: int
    heading: bool = False


@dataclass(frozen=True)
class Passage:
    """A few consecutive sentences of one section: the unit of retrieval."""

    passage_id: int
    doc_id: str
    start: int
    end: int
    text: str
    sentence_ids: tuple[int, ...]


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, oldest first in a history."""

    question: str
    answer: str


@dataclass(frozen=True)
class ScoredPassage:
    """A retrieved passage with its score (higher is better): the retriever's, then in an
    Answer the score of the best sentence it adds to the passages above it (answer/scoring.py's ranked_passages)."""

    passage: Passage
    score: float


@dataclass(frozen=True)
class AnswerSpan:
    """The phrase of a quoted sentence that answers (a date, a number, a name, a place):
    offsets into `Document.text` within its citation's `start`..`end`, and its text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Citation:
    """Where one quoted sentence came from: enough to open the exact span in one click.
    `answer_span`, when set, is the phrase of the quote that answers (answer/spans.py)."""

    n: int
    doc_id: str
    title: str
    source: str
    date: str
    section: str
    quote: str
    start: int
    end: int
    answer_span: AnswerSpan | None = None
    page: int | None = None  # the printed page the quote starts on, for PDF documents


@dataclass(frozen=True)
class Answer:
    """What `ask` returns to every client (HTTP, Slack, widget, evaluation)."""

    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    passages: tuple[ScoredPassage, ...]
    confidence: float
    query: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    ordered_by_date: bool = False
