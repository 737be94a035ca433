"""Who a sentence opening with "He" or "She" is about, so that its embedding says so.

"She said a "culture change" was underway..." follows "Today Professor Eileen Munro
published details of progress...". Embedded alone, the sentence is about nobody in
particular, and a question asking whether Munro is satisfied with the pace of change finds
the sentences naming her instead. Embedded with the person named just before it, it is
about Munro. Only a sentence opening with the pronoun is resolved: there the pronoun is its
subject, and the person named last is nearly always the one meant; a "he said" after a
quote, or a "she" deep in a sentence, may be anyone. The text quoted and cited is never
changed: only what is embedded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Sentence
from .kinds import names_in

_OPENS_WITH_PRONOUN = re.compile(r"^\W*(?:he|she)\b", re.I)
LOOKBACK = 3  # sentences before it in which the person may have been named


def referent(sentences: Sequence[Sentence], index: int) -> str:
    """The person meant by the "He" or "She" opening sentence `index` of a document: the first
    name in the nearest of the few sentences before it that names anyone, within its section
    (a heading starts another story), or "" when it opens otherwise or none does."""
    if not _OPENS_WITH_PRONOUN.match(sentences[index].text):
        return ""
    for before in reversed(sentences[max(0, index - LOOKBACK): index]):
        if before.heading:
            return ""
        names = names_in(before.text)
        if names:
            return names[0]
    return ""


def embedding_text(sentences: Sequence[Sentence], index: int) -> str:
    """Sentence `index` as embedded: followed by who its opening "He" or "She" is, when known."""
    who = referent(sentences, index)
    text = sentences[index].text
    return f"{text} ({who})" if who else text
