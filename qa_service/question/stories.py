"""Stories, and the stories a question names by their masthead.

A story is a section of a document (a tag-archive page holds several), or the document
itself. Its masthead is what names it rather than what it says: its headline, its
publisher and writer, and its byline. A question that uses a name only one story's
masthead holds ("According to the Tri.x blog...", "What does PAIN say...", "Did Action for
Children see it the same way?") asks about that story, so sentences of other stories are
unlikely to answer it, however well they match its other words. Names in a story's text
do not count: "England" or "Tim Loughton" turn up in stories that are not about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Document, Sentence
from ..text import tokenize
from .kinds import holds_kind, names_asked


@dataclass(frozen=True)
class Story:
    """One story: where it sits, the line naming its writer, and its masthead's words."""

    doc_id: str
    start: int
    end: int
    byline: Sentence | None
    masthead: frozenset[str]  # tokens of its headline, publisher, writer and byline
    voice: frozenset[str] = frozenset()  # tokens of its publisher, writer and byline: who tells it (voices.py)


def find_stories(documents: dict[str, Document], sentences: list[Sentence]) -> tuple[list[Story], list[int]]:
    """Every story of the collection, and for each sentence (by id) the index of its story."""
    index: dict[tuple[str, int, int], int] = {}  # (doc_id, start, end) -> position in `spans`
    spans: list[tuple[Document, int, int, str, list[Sentence]]] = []
    of_sentence: list[int] = []
    for sentence in sentences:
        document = documents[sentence.doc_id]
        section = document.section_at(sentence.start)
        start, end, headline = (section.start, section.end, section.title) if section else (0, len(document.text), document.title)
        key = (document.doc_id, start, end)
        if key not in index:
            index[key] = len(spans)
            spans.append((document, start, end, headline, []))
        of_sentence.append(index[key])
        spans[of_sentence[-1]][4].append(sentence)
    stories = []
    for document, start, end, headline, members in spans:
        byline = next((s for s in members if holds_kind("author", s.text, "")), None)
        voice = frozenset(tokenize(f"{document.source} {document.author} {byline.text if byline else ''}"))
        stories.append(Story(document.doc_id, start, end, byline, frozenset(tokenize(headline)) | voice, voice))
    return stories, of_sentence


def named_stories(question: str, stories: list[Story]) -> frozenset[int]:
    """The stories (by index) that the question names, each by a name only its masthead holds."""
    named: set[int] = set()
    for match in names_asked(question):
        tokens = set(tokenize(match.group()))
        if not tokens:
            continue
        holding = [i for i, story in enumerate(stories) if tokens <= story.masthead]
        if len(holding) == 1:
            named.add(holding[0])
    return frozenset(named)
