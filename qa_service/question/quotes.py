"""Who a quoted sentence is in the words of.

News copy names a speaker once and then quotes them over several paragraphs:

    Shaun Kelly, Head of Safeguarding at Action for Children said:
    "Recent research from Action for Children has revealed...
    "It is disappointing, however, that...

The quoted paragraphs open with a quotation mark and never repeat the name, so a sentence
from the third one, retrieved alone, seems to have no speaker. Its speaker is named by the
line just before the run of quoted paragraphs, when that line introduces a quote (ends
with a colon).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Sentence

_OPENS_QUOTE = re.compile(r"^\s*[\"“‘']")
_INTRODUCES = re.compile(r":\s*$")
MAX_QUOTED_PARAGRAPHS = 12  # a quote runs on this far at most; beyond it, no speaker is looked for


def introduces(text: str) -> bool:
    """Whether a line introduces what follows, a quote or a list ("X said:", "Key points:")."""
    return bool(_INTRODUCES.search(text))


def _paragraph_start(sentences: Sequence[Sentence], sentence_id: int) -> int:
    """The id of the first sentence of the paragraph holding `sentence_id`."""
    sentence = sentences[sentence_id]
    start = sentence_id
    while start > 0 and sentences[start - 1].doc_id == sentence.doc_id and sentences[start - 1].paragraph == sentence.paragraph:
        start -= 1
    return start


def introduction(sentences: Sequence[Sentence], sentence_id: int) -> Sentence | None:
    """The line introducing the quote that holds this sentence ("X said:"), or None when it is not in a quote."""
    doc_id = sentences[sentence_id].doc_id
    start = _paragraph_start(sentences, sentence_id)
    for _ in range(MAX_QUOTED_PARAGRAPHS):
        if not _OPENS_QUOTE.match(sentences[start].text) or start == 0 or sentences[start - 1].doc_id != doc_id:
            return None
        before = sentences[start - 1]
        if introduces(before.text) and not before.heading:
            return before
        start = _paragraph_start(sentences, start - 1)
    return None
