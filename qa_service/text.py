"""Word-level text handling shared by the lexical index and sentence scoring.

One tokenizer serves both, so a word that matches in retrieval matches in scoring too:
lower case, curly quotes folded, English stop words dropped, lemmatized, Snowball-stemmed.
A stemmer alone leaves irregular forms apart ("wrote", "written", "write"; "children",
"child"); a lemma dictionary (simplemma's) joins them before the stemmer joins the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from functools import lru_cache

import simplemma
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

_TOKEN = re.compile(r"[a-z0-9£$€%]+(?:[.,'][a-z0-9]+)*")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " ",
                       "æ": "ae", "œ": "oe", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | {"'s", "also", "would", "could", "may", "might", "must", "shall"}


def fold(text: str) -> str:
    """Unicode-normalised, lower-cased text with straight quotes and without accents: a
    reader types "Maiziere" and "Fecamp" for "Maizière" and "Fécamp", and a word must
    not fall apart at a letter the token pattern does not know ("f", "camp")."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return unicodedata.normalize("NFKC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def is_text(value: str) -> bool:
    """False for strings holding lone surrogates (JSON allows "\\ud800"; no tokenizer does)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case word tokens, stop words included, apostrophe endings dropped."""
    return [re.sub(r"'s?$", "", t) for t in _TOKEN.findall(fold(text))]


@lru_cache(maxsize=100_000)  # a collection's vocabulary: each word is looked up once
def _lemma(word: str) -> str:
    return simplemma.lemmatize(word, lang="en").lower()


def tokenize(text: str) -> list[str]:
    """Stemmed content tokens: what BM25 indexes and what lexical overlap compares."""
    return _stemmer().stemWords([_lemma(w) for w in words(text) if w and w not in STOPWORDS])


ROOT_LETTERS = 6  # tokens sharing this many opening letters are taken for forms of one word
MIN_ROOT = 4  # shorter roots are shared by too many unrelated words


def root(token: str) -> str:
    """A token's opening letters, shared by its forms and relatives ("canad" of "canada" and
    "canadian"): ROOT_LETTERS of them, and at most all but its last, for a stem ending where
    a relative's ending begins; "" when that leaves fewer than MIN_ROOT."""
    cut = token[: min(len(token) - 1, ROOT_LETTERS)]
    return cut if len(cut) >= MIN_ROOT else ""


def unsaid(tokens: Set[str], said: Set[str]) -> frozenset[str]:
    """The tokens of which `said` holds no form.

    Matching tokens is right for ranking; asking whether a text already says a word needs
    looser forms: the stemmer leaves a British verb apart from its noun ("practising" ->
    practis, "practice" -> practic) and a noun apart from its verb ("intervention" ->
    intervent, "intervene" -> interven).
    """
    roots = {token[:ROOT_LETTERS] for token in said}
    return frozenset(token for token in tokens if token[:ROOT_LETTERS] not in roots)
