"""Questions that ask who holds a role, and whether a sentence names the holder.

"Who is the chief executive of Action for Children?" and "Who was appointed as the chief
social worker?" ask for the person in a role. A sentence about Action for Children that
names its head of safeguarding does not answer it: the answer must name someone right
beside the role ("PAIN spokesperson Alison Stevens", "Shaun Kelly, Head of Safeguarding").
A name in the possessive ("Eileen Munro's review") says whose something is, not who holds
the role. When no retrieved sentence does, the documents are taken not to say who holds it.

The role is named by its head noun, the last lower-case word before "of", "at"...:
"chief executive" is an executive, "head of safeguarding" a head. Capitalised words name
the organisation or place it belongs to, which the retrieved sentences are already about.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from ..text import tokenize
from .kinds import NAME_WORD, TITLES

# "Who is (the|their|its|X's) ROLE ...?", or "Who was appointed (as) the ROLE?": a role
_ROLE_ASKED = re.compile(
    r"^\W*who\s+(?:is|was|are|were|has been|have been|had been|will be)\s+"
    r"(?:(?:appointed|named|made|elected|chosen|selected|hired|nominated)\s+(?:as\s+)?(?=(?:the|their|its|his|her|an?|\w+['’]s)\s))?"
    r"(?:(?:the|their|its|his|her|an?|\w+['’]s)\s+)?(.+)$",
    re.I,
)
_ACT = re.compile(r"^\w+ed\b")  # "Who was appointed to lead it?" asks who underwent something, not who holds a role
# "Alison Stevens", "Dame Butler-Slosh", "Rollo"; not "The Government", an article before a
# capital, nor "Eileen Munro's review", a name that only says whose something is
_NAME_RUN = re.compile(rf"(?<![\w'’-]){NAME_WORD}(?:\s{NAME_WORD})*\b(?<!['’]s)(?![\s-][A-Z]|['’]s\b|['’-]\w)")
_ARTICLES = frozenset({"the", "a", "an", "this", "that", "these", "those"})
# "chief executive" of the charity; "the minister" who..., dealing with..., running the...
# (not "the safeguarding head": a word in -ing before a noun says what kind of head)
_PREPOSITION = r"(?:of|at|for|in|on|with|from|to|behind|about|by|over|under)"
_ENDS_ROLE = re.compile(rf"\b(?:{_PREPOSITION}|who|that|which)\b|"
                        rf"\b\w+ing\b(?=\s+(?:{_PREPOSITION}|the|an?|its|their|his|her|this|these|those)\b|\W*$)")
_BY_THE_NAME = 6  # words between the role and the name of its holder, at most


@dataclass(frozen=True)
class Role:
    """The role a question asks the holder of, by the stem of its head noun ("head" of "head of safeguarding")."""

    head: str


def role_asked(question: str) -> Role | None:
    """The role asked about, or None when the question asks no role ("Who is Shaun Kelly?")."""
    match = _ROLE_ASKED.match(question.strip())
    if not match or _ACT.match(match.group(1)):
        return None
    clause = re.split(r",|\band\b|\bor\b", match.group(1))[0]  # "Who is X's chair, and what ...?" asks more
    phrase = _ENDS_ROLE.split(clause)[0]
    # lower-case words, less possessors ("the charity's chair" is a chair); the last one is the head
    lower = [w for w in re.findall(r"[\w'’-]+", phrase) if w[:1].islower() and not re.search(r"['’]s$", w)]
    stems = tokenize(lower[-1]) if lower else []
    return Role(stems[0]) if stems else None


def names_holder(text: str, role: Role, question: str, names: Collection[str] = frozenset()) -> bool:
    """True when the sentence holds the role and a name right beside it that the question
    does not use: "Who is the chief executive of Action for Children?" is not answered by
    "Action for Children" beside "executive", nor "chief social worker" by "Social Workers".
    A name of one word ("the Norse leader Rollo") must be one of the collection's `names`
    of one word (IndexData.proper_words)."""
    split = text.split()
    asked = set(tokenize(question))
    positions = [i for i, word in enumerate(split) if role.head in tokenize(word)]
    for i in positions:
        window = " ".join(split[max(0, i - _BY_THE_NAME): i + _BY_THE_NAME + 1])
        for match in _NAME_RUN.finditer(window):
            words = match.group().split()
            if words[0].lower() in _ARTICLES:  # "The Government": an article before a capital names no one
                continue
            if (len(words) > 1 or words[0].lower() in names) and set(tokenize(match.group())) - asked - TITLES:
                return True
    return False
