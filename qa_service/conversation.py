"""Follow-up questions resolved with the conversation so far, without a language model.

A question that leans on the previous turn ("Who is their head of safeguarding?", "Why?",
"And when?") carries too little on its own to retrieve by. When it leans (a pronoun that
points back, an opening like "and"/"what about", or almost no content words), the previous
question, itself resolved the same way, is folded into the retrieval query, and the
documents the previous answer quoted are remembered so the composer can favour them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .models import Document, Turn
from .text import STOPWORDS, words

_POINTS_BACK = re.compile(
    r"\b(they|them|their|theirs|it|its|he|him|his|she|her|hers|these|those|there|then|the same|such|"
    r"this (charity|organisation|organization|report|review|person|group|duty|plan|decision|one|event|story))\b",
    re.IGNORECASE,
)
_OPENS_BACK = re.compile(r"^\W*(and|but|also|so|what about|how about|what else|anything else|why|how come)\b", re.I)
_QUESTION_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how", "many", "much", "did", "does"}
_MARKER = re.compile(r"\s*\[\d+\]\s*")
MAX_CONTEXT_WORDS = 40  # a folded query stays about one question long, not a transcript


@dataclass(frozen=True)
class ResolvedQuestion:
    """What retrieval and answering should use for one question in its conversation."""

    question: str
    query: str
    follow_up: bool
    prior_docs: frozenset[str]


def content_words(question: str) -> list[str]:
    """Words that say what the question is about (not stop words, not question words)."""
    return [w for w in words(question) if w not in STOPWORDS and w not in _QUESTION_WORDS]


def leans_on_history(question: str) -> bool:
    """True when a question cannot stand alone and needs the previous turn."""
    return bool(_POINTS_BACK.search(question) or _OPENS_BACK.match(question)) or len(content_words(question)) <= 1


def quoted_documents(answer: str, documents: Mapping[str, Document]) -> frozenset[str]:
    """Documents holding the sentences an earlier answer quoted (answers are verbatim quotes)."""
    quotes = [q.strip() for q in _MARKER.split(answer) if len(q.strip()) > 20]
    return frozenset(doc_id for doc_id, doc in documents.items() if any(q in doc.text for q in quotes))


def _trim(text: str) -> str:
    tokens = text.split()
    return " ".join(tokens[-MAX_CONTEXT_WORDS:])


def resolve(question: str, history: Iterable[Turn], documents: Mapping[str, Document]) -> ResolvedQuestion:
    """Fold earlier turns into `question` where it leans on them; history is oldest first."""
    context, prior_docs = "", frozenset()
    for turn in history:
        context = _trim(f"{context} {turn.question}") if context and leans_on_history(turn.question) else turn.question
        prior_docs = quoted_documents(turn.answer, documents)
    if context and leans_on_history(question):
        return ResolvedQuestion(question, _trim(f"{context} {question}"), True, prior_docs)
    return ResolvedQuestion(question, question, False, frozenset())
