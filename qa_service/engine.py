"""The one engine every client calls: `Engine.ask(question, history)` returns an Answer.

Loading is the expensive part (model and index, about a second), so a process loads one
Engine and shares it; `ask` itself only reads, so concurrent calls are safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from itertools import zip_longest

import numpy as np

from .answer.composing import compose
from .answer.settings import ComposerSettings, load_composer_settings
from .config import Settings
from .errors import InvalidQuestion
from .models import Answer, Document, ScoredPassage, Turn
from .question.conversation import ResolvedQuestion, resolve
from .question.figures import gives_figure
from .question.kinds import acronyms, holds_kind
from .question.spelling import respelt
from .question.stories import named_stories
from .search.embedding import Embedder
from .search.index_data import IndexData
from .search.indexing import load_index
from .search.retrieval import RETRIEVERS, Query, Retriever
from .text import is_text

FIGURE_SEARCH_DEPTH = 32  # passages naming the thing a question counts, searched for one that counts it
STORY_SEARCH_DEPTH = 64  # passages searched for the best of the story a question names


class Engine:
    """Question answering over one loaded index."""

    def __init__(self, data: IndexData, embedder: Embedder, composer: ComposerSettings | None = None) -> None:
        self.data = data
        self.embedder = embedder
        self.composer = composer or load_composer_settings()
        self.retrievers: dict[str, Retriever] = {name: cls(data) for name, cls in RETRIEVERS.items()}

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> Engine:
        """Load model and index; raises IndexUnavailable with the fix when the index can't be used."""
        embedder = embedder or Embedder.from_settings(settings)
        return cls(load_index(settings.index_dir, embedder.name, embedder.dimension), embedder)

    @property
    def documents(self) -> dict[str, Document]:
        return self.data.documents

    def _retrieve(
        self, system: str, resolved: ResolvedQuestion, vectors: np.ndarray, counted: np.ndarray | None = None
    ) -> list[ScoredPassage]:
        """Top passages, interleaving the results of each way of asking.

        A follow-up is searched alone, which finds what it names ("head of safeguarding"), with its
        context, which finds what it points back to ("their", "why"), and spelled out when it points
        back to a thing (conversation.py). A two-part question is searched whole and part by part,
        so each part finds its own passage. A question asking for a count is also searched for the
        thing it counts: unless a passage giving such a count is already among the top ones, the
        first found takes the last place, since it may hold the one sentence that answers. So
        does, for a question asking what an acronym stands for, the first passage whose
        capitalised words spell it out, when no top passage spells it ("What is CWDC short for?"
        shares no word with "Children’s Workforce Development Council"). A question naming a story
        by its masthead ("What does Nick Lister think...", stories.py) is also searched within
        that story, by what it asks (its meaning text, voices.py): whatever else matches its other
        words, the answer is there, and the passage about the person named matches best of all.
        `vectors` embed `resolved.embedded_texts`; `counted`, when given, the counted thing's phrase.
        """
        retriever, k = self.retrievers[system], self.composer.candidate_passages
        texts = resolved.search_texts
        lists = [retriever.search(Query(text, vector), k) for text, vector in zip(texts, vectors)]
        named = named_stories(resolved.question, self.data.stories)
        if named:
            row = resolved.meaning_rows[-1]
            hits = retriever.search(Query(resolved.embedded_texts[row], vectors[row]), STORY_SEARCH_DEPTH)
            lists.insert(1, [hit for hit in hits if self.data.story_of(hit.passage.sentence_ids[0]) in named][:k])
        merged: dict[int, ScoredPassage] = {}
        for hits in zip_longest(*lists):
            for hit in hits:
                if hit is not None and hit.passage.passage_id not in merged:
                    merged[hit.passage.passage_id] = hit
        top = list(merged.values())[:k]
        figure = resolved.figure
        if figure and counted is not None:
            gives = partial(gives_figure, figure=figure)
            if not any(self._holds(hit, gives) for hit in top):
                hits = retriever.search(Query(figure.phrase, counted), FIGURE_SEARCH_DEPTH)
                top[k - 1:] = [hit for hit in hits if self._holds(hit, gives)][:1] or top[k - 1:]
        if resolved.kind == "expansion":
            spells = partial(holds_kind, "expansion", question=resolved.question)
            if not any(self._holds(hit, spells) for hit in top):
                spelt = [sid for acronym in acronyms(resolved.question) for sid in self.data.spelling_out(acronym)]
                top[k - 1:] = [ScoredPassage(p, 0.0) for p in self.data.passages_with(spelt)[:1]] or top[k - 1:]
        return top

    def _holds(self, hit: ScoredPassage, test: Callable[[str], bool]) -> bool:
        """Whether any sentence of the passage passes `test` (gives the figure, spells out the acronym)."""
        return any(test(self.data.sentences[sid].text) for sid in hit.passage.sentence_ids)

    def ask(self, question: str, history: Sequence[Turn] = (), system: str = "hybrid") -> Answer:
        """Answer `question` in the conversation `history` (oldest turn first).

        `system` names the retriever ('hybrid', 'bm25' or 'dense'); the composer is the same
        for all, so evaluations can attribute differences to retrieval alone.
        """
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestion("The question is empty.")
        if not all(is_text(t) for t in (question, *(part for turn in history for part in (turn.question, turn.answer)))):
            raise InvalidQuestion("The question or history holds characters that are not valid Unicode text.")
        if system not in self.retrievers:
            raise InvalidQuestion(f"Unknown retrieval system {system!r}; choose one of {', '.join(self.retrievers)}.")
        started = time.perf_counter()
        vocabulary = self.data.vocabulary  # misspelt names are read as the documents' names, earlier turns' too
        history = [replace(turn, question=respelt(turn.question, vocabulary)) for turn in history]
        resolved = resolve(respelt(question.strip(), vocabulary), history)
        texts = resolved.embedded_texts
        counted = [resolved.figure.phrase] if resolved.figure and resolved.figure.stems else []
        vectors = self.embedder.encode([*texts, *counted])  # one batch: a second encode costs as much again
        encoded = time.perf_counter()
        passages = self._retrieve(system, resolved, vectors[: len(texts)], vectors[-1] if counted else None)
        retrieved = time.perf_counter()
        answer = compose(resolved, vectors[: len(texts)], passages, self.data, self.composer)
        done = time.perf_counter()
        timings = {
            "encode": (encoded - started) * 1000,
            "retrieve": (retrieved - encoded) * 1000,
            "compose": (done - retrieved) * 1000,
            "total": (done - started) * 1000,
        }
        return replace(answer, timings_ms={k: round(v, 2) for k, v in timings.items()})
