"""A loaded index: what retrieval and answering read, and the lookups they build from it.

Everything here is read-only once loaded (indexing.load_index makes one); lookups over
the whole collection (its vocabulary, names, stories, acronyms spelled out) are built on
first use, so that a process that never needs one never pays for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..models import Document, Passage, Sentence
from ..question.kinds import acronym_forms, initialisms
from ..question.spelling import Vocabulary
from ..question.stories import Story, find_stories
from ..question.voices import sentence_voices
from ..text import MIN_ROOT, ROOT_LETTERS, tokenize
from .lexical import LexicalIndex
from .vectors import VectorIndex

_WORD = re.compile(r"(?<![\w'’-])[A-Za-z][a-z]+\b(?![’'-]\w)")


@dataclass
class IndexData:
    """A loaded index: everything retrieval and answering read, nothing they write."""

    manifest: dict
    documents: dict[str, Document]
    sentences: list[Sentence]
    passages: list[Passage]
    sentence_vectors: np.ndarray
    passage_vectors: VectorIndex
    lexical: LexicalIndex
    idf: dict[str, float]
    missing_idf: float
    _sentence_tokens: dict[int, frozenset[str]] = field(default_factory=dict)

    def sentence_tokens(self, sentence_id: int) -> frozenset[str]:
        """Content tokens of a sentence, computed on first use (most are never candidates)."""
        tokens = self._sentence_tokens.get(sentence_id)
        if tokens is None:
            tokens = frozenset(tokenize(self.sentences[sentence_id].text))
            self._sentence_tokens[sentence_id] = tokens
        return tokens

    # Lookups built whole on first use and then only read, so threads answering at once
    # never see one half built (at worst two build it, and one copy is kept).
    @cached_property
    def _by_text(self) -> dict[str, list[int]]:
        by_text: dict[str, list[int]] = {}
        for sentence in self.sentences:
            by_text.setdefault(sentence.text, []).append(sentence.sentence_id)
        return by_text

    @cached_property
    def _by_sentence(self) -> dict[int, list[int]]:
        by_sentence: dict[int, list[int]] = {}
        for passage in self.passages:
            for sid in passage.sentence_ids:
                by_sentence.setdefault(sid, []).append(passage.passage_id)
        return by_sentence

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The words of every sentence, which a question's misspelt words are put right against."""
        return Vocabulary.of(sentence.text for sentence in self.sentences)

    @cached_property
    def roots(self) -> frozenset[str]:
        """The opening letters of every indexed token, as long as text.root may cut a word, so
        that a name's relatives count as known: "Canada" is the country of "Canadian"."""
        return frozenset(token[:n] for token in self.idf for n in range(MIN_ROOT, ROOT_LETTERS + 1))

    @cached_property
    def _capitalised(self) -> Counter[str]:
        """How often the collection capitalises each word (lower-cased) where no sentence
        opens, for the words it never writes in small letters: names of one word ("Rollo",
        "Adriatic"), not words capitalised only for where they stand ("However")."""
        capitalised: Counter[str] = Counter()
        small: set[str] = set()
        for sentence in self.sentences:
            for index, match in enumerate(_WORD.finditer(sentence.text)):
                word = match.group()
                if word[0].islower():
                    small.add(word)
                elif index and word[1:].islower():
                    capitalised[word.lower()] += 1
        return Counter({word: count for word, count in capitalised.items() if word not in small})

    @property
    def proper_words(self) -> frozenset[str]:
        """Every name of one word the collection may hold: enough to doubt that it names no
        one in a role (roles.py), where a wrong refusal costs more than a missed one."""
        return frozenset(self._capitalised)

    @cached_property
    def repeated_names(self) -> frozenset[str]:
        """The names of one word the collection writes more than once: enough to count as
        giving a name (kinds.py), which a page's one-off slip ("Parents Agains INjustice")
        would otherwise do."""
        return frozenset(word for word, count in self._capitalised.items() if count > 1)

    @cached_property
    def _initialisms(self) -> dict[str, list[int]]:
        table: dict[str, list[int]] = {}
        for sentence in self.sentences:
            for spelt in initialisms(sentence.text):
                table.setdefault(spelt, []).append(sentence.sentence_id)
        return table

    def spelling_out(self, acronym: str) -> list[int]:
        """Sentences whose capitalised words spell `acronym` ("Social Care Institute for
        Excellence" for SCIE; a plural "LSCBs" as "LSCB"), in index order."""
        found = {sid for form in acronym_forms(acronym) for sid in self._initialisms.get(form.lower(), [])}
        return sorted(found)

    @cached_property
    def _stories(self) -> tuple[list[Story], list[int]]:
        return find_stories(self.documents, self.sentences)

    @property
    def stories(self) -> list[Story]:
        """Every story (section, or document without sections) of the collection, in order."""
        return self._stories[0]

    @cached_property
    def bylines(self) -> frozenset[int]:
        """The ids of the sentences that sign a story ("By Lauren Higgs ...")."""
        return frozenset(story.byline.sentence_id for story in self.stories if story.byline)

    @cached_property
    def voices(self) -> list[frozenset[str]]:
        """For each sentence, the tokens of who it is in the words of (voices.py)."""
        return sentence_voices(self.sentences, self._stories[1], [story.voice for story in self.stories])

    def story_of(self, sentence_id: int) -> int:
        """The index in `stories` of the story a sentence belongs to."""
        return self._stories[1][sentence_id]

    def sentences_near(self, quotes: Iterable[str], radius: int) -> list[Sentence]:
        """Sentences of the same document within `radius` of a sentence whose text is in `quotes`."""
        near: list[Sentence] = []
        for quote in quotes:
            for sid in self._by_text.get(quote, []):
                doc_id = self.sentences[sid].doc_id
                lo, hi = max(0, sid - radius), min(len(self.sentences), sid + radius + 1)
                near += [s for s in self.sentences[lo:hi] if s.doc_id == doc_id]
        return near

    def passages_with(self, sentence_ids: Iterable[int]) -> list[Passage]:
        """The passages holding any of these sentences, in index order."""
        ids = sorted({pid for sid in sentence_ids for pid in self._by_sentence.get(sid, [])})
        return [self.passages[pid] for pid in ids]
