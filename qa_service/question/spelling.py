"""A question's misspelt names put right against the names of the documents.

"What did Tim Loughten tell parliament?" names nobody the documents mention, so it would be
refused ("They never mention Loughten."), and BM25 finds nothing by the word. A name the
documents never use is read as the one name they do use that is a single slip away (a
letter left out, added, changed, or two swapped), when exactly one is. Only names count: a
capitalised word, not opening the question, read as a word the documents capitalise. Among
ordinary words a slip away from a word of the documents is most often another word the
reader meant ("decide" is not "decided", "share" not "shape"). Only slips that keep the
first letter count, where readers rarely go wrong, and short names are left alone, having
too many neighbours.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 5  # shorter words are a slip away from too many others ("cost", "most", "post")


@dataclass(frozen=True)
class Vocabulary:
    """The words of a collection, lower-cased: all of them, and those it writes capitalised
    somewhere other than a sentence's first word (names, mostly)."""

    words: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, sentences: Iterable[str]) -> Vocabulary:
        words: set[str] = set()
        names: set[str] = set()
        for sentence in sentences:
            for index, match in enumerate(_WORD.finditer(sentence)):
                word = match.group()
                words.add(word.lower())
                if index and word[0].isupper():
                    names.add(word.lower())
        return cls(frozenset(words), frozenset(names))


@lru_cache(maxsize=10_000)
def slips(word: str) -> frozenset[str]:
    """Every string one slip from `word` that keeps its first letter."""
    head, rest = word[0], word[1:]
    splits = [(rest[:i], rest[i:]) for i in range(len(rest) + 1)]
    letters = string.ascii_lowercase
    return frozenset({head + variant for variant in (
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in letters),
        *(a + c + b for a, b in splits for c in letters),
    )} - {word})


def respelt(question: str, vocabulary: Vocabulary) -> str:
    """`question` with each name the documents never use replaced by the one name they use a
    slip away; unchanged when no name needs it."""
    def right(match: re.Match[str]) -> str:
        word = match.group()
        name = match.start() > 0 and word[0].isupper() and not any(c.isupper() for c in word[1:])  # not "LSCBs"
        if not name or len(word) < MIN_LETTERS or word.lower() in vocabulary.words:
            return word
        near = slips(word.lower()) & vocabulary.names
        return next(iter(near)).capitalize() if len(near) == 1 else word

    return _WORD.sub(right, question)
