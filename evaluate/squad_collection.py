"""A SQuAD file's articles as a collection of their own: documents, index, engine.

Each article becomes one document in the format of `docs/` (qa_service.reading.documents), written
to a folder the caller owns (a temporary one: `index/` and `docs/` are never touched), and is
indexed and loaded by the very code that serves `docs/`, so the engine measured here is
the engine the service runs, on text it was never shaped on.

Cleaning may change the text (it drops what reads as page furniture, or a paragraph that
repeats another), so a question's paragraph is found again in the cleaned document text by
locating each context in order; `ParagraphSpan.start` is None where it cannot be found,
and such a paragraph is matched by its text instead (see `in_paragraph`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EvaluationError
from .squad_format import SquadArticle, SquadSet

if TYPE_CHECKING:  # imported where used: faiss, bm25s and the model load only once a run starts
    from qa_service.engine import Engine
    from qa_service.reading.documents import RawDocument
    from qa_service.search.embedding import Embedder

SOURCE = "Wikipedia"  # where SQuAD's paragraphs come from; a citation names it


class CollectionError(EvaluationError):
    """The articles could not be indexed, or the index not loaded."""


@dataclass(frozen=True)
class ParagraphSpan:
    """Where one paragraph of an article stands in its document's cleaned text.

    `start`/`end` are None when cleaning changed the paragraph so that its context is not
    found verbatim: then only its text is known.
    """

    doc_id: str
    context: str
    start: int | None
    end: int | None

    @property
    def located(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class SquadCollection:
    """The indexed articles: an engine over them and where each paragraph landed."""

    engine: Engine  # with the calibrated threshold
    doc_ids: Mapping[str, str]  # article title (as the file writes it) -> doc_id
    paragraphs: Mapping[tuple[str, int], ParagraphSpan]  # (article title, paragraph index) -> span

    @property
    def fallbacks(self) -> int:
        """How many paragraphs cleaning changed, so they are matched by text rather than offsets."""
        return sum(not span.located for span in self.paragraphs.values())


def article_document(article: SquadArticle, number: int) -> RawDocument:
    """The article as a `docs/` document: its title with spaces, its contexts as written, a blank line apart."""
    from qa_service.reading.documents import RawDocument, slug

    return RawDocument(
        doc_id=f"{number:03d}_{slug(article.title)}",
        title=article.display_title,
        source=SOURCE,
        date="",
        author="",
        url="",
        body="\n\n".join(p.context for p in article.paragraphs) + "\n",
    )


def write_documents(squad: SquadSet, docs_dir: Path) -> dict[str, str]:
    """One `<doc_id>.txt` per article in `docs_dir` (created); article title -> doc_id."""
    from qa_service.reading.documents import render_document

    docs_dir.mkdir(parents=True, exist_ok=True)
    doc_ids: dict[str, str] = {}
    for number, article in enumerate(squad.articles):
        document = article_document(article, number)
        (docs_dir / f"{document.doc_id}.txt").write_text(render_document(document), encoding="utf-8")
        doc_ids[article.title] = document.doc_id
    return doc_ids


def locate_paragraphs(article: SquadArticle, doc_id: str, text: str) -> list[ParagraphSpan]:
    """Each paragraph's span in the cleaned `text`, found in order (a context may occur twice)."""
    spans: list[ParagraphSpan] = []
    cursor = 0
    for paragraph in article.paragraphs:
        start = text.find(paragraph.context, cursor)
        if start < 0:
            spans.append(ParagraphSpan(doc_id, paragraph.context, None, None))
            continue
        end = start + len(paragraph.context)
        spans.append(ParagraphSpan(doc_id, paragraph.context, start, end))
        cursor = end
    return spans


def in_paragraph(span: ParagraphSpan, doc_id: str, start: int | None, end: int | None, quote: str) -> bool:
    """Whether a cited span (offsets into the cleaned text, and its quote) lies inside the paragraph.

    A paragraph that could not be located is matched by text: the quote is part of its context.
    """
    if doc_id != span.doc_id:
        return False
    if span.located and start is not None and end is not None:
        assert span.start is not None and span.end is not None
        return span.start <= start and end <= span.end
    return bool(quote) and quote in span.context


def build_collection(squad: SquadSet, folder: Path, embedder: Embedder) -> SquadCollection:
    """Write, index and load the articles under `folder` (docs/ and index/ inside it).

    The settings are the service's own (`load_settings()`), with only the two folders
    overridden, and `embedder` is shared with whatever else the caller embeds with.
    """
    from qa_service.config import load_settings
    from qa_service.engine import Engine
    from qa_service.errors import QAServiceError
    from qa_service.search.indexing import build_index

    try:
        settings = load_settings().with_overrides(docs_dir=folder / "docs", index_dir=folder / "index")
        doc_ids = write_documents(squad, settings.docs_dir)
        build_index(settings.docs_dir, settings.index_dir, embedder)
        engine = Engine.load(settings, embedder)
    except (QAServiceError, ValueError) as exc:
        raise CollectionError(f"cannot index the articles of {squad.name}: {exc}") from exc
    paragraphs: dict[tuple[str, int], ParagraphSpan] = {}
    for article in squad.articles:
        doc_id = doc_ids[article.title]
        for index, span in enumerate(locate_paragraphs(article, doc_id, engine.documents[doc_id].text)):
            paragraphs[(article.title, index)] = span
    return SquadCollection(engine, doc_ids, paragraphs)
