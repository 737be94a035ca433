"""Answer matching for the gold question-and-answer set.

An answer is correct when every answer group has at least one of its
strings inside the answer, after both sides are normalised with
:func:`normalize`.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({
    "\u2019": "'",  # right single quotation mark
    "\u2018": "'",  # left single quotation mark
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
})

_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Return ``text`` in the form used for matching answers.

    Steps, in order: Unicode NFKC (which also turns no-break spaces into
    plain spaces), lower case, curly quotes to straight quotes
    (``’ ‘`` -> ``'`` and ``“ ”`` -> ``"``), every run of whitespace
    collapsed to one space, and leading/trailing whitespace removed.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.lower()
    text = text.translate(_QUOTES)
    return _WHITESPACE.sub(" ", text).strip()


def is_correct(answer: str, answer_groups: list[list[str]]) -> bool:
    """Return True when ``answer`` holds every required fact.

    ``answer_groups`` is a list of groups; each group is one required fact
    and lists alternative spellings of it. The answer is correct when, for
    every group, at least one of the group's strings occurs in the answer
    (both normalised with :func:`normalize`). A group with no strings can
    never be satisfied.

    An empty ``answer_groups`` marks an unanswerable question: the answer
    is then correct only when it is empty or whitespace (the service
    abstained); any text counts as wrong.
    """
    norm_answer = normalize(answer or "")
    if not answer_groups:
        return norm_answer == ""
    return all(any(normalize(alt) and normalize(alt) in norm_answer for alt in group) for group in answer_groups)
