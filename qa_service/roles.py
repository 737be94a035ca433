"""Questions that ask who holds a role, and whether a sentence names the holder.

"Who is the chief executive of Action for Children?" asks for the person in a role. A
sentence about Action for Children that names its head of safeguarding does not answer
it: the answer must name someone right beside the role ("PAIN spokesperson Alison
Stevens", "Shaun Kelly, Head of Safeguarding"). When no retrieved sentence does, the
documents are taken not to say who holds it.

Only the question's lower-case words name the role; capitalised ones name the
organisation or place it belongs to, which the retrieved sentences are already about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import tokenize

# "Who is (the|their|its|X's) ROLE ...?": a role, not an act ("Who was appointed ...?")
_ROLE_ASKED = re.compile(r"^\W*who\s+(?:is|was|are|were)\s+(?:(?:the|their|its|his|her|\w+['’]s)\s+)?(.+)$", re.I)
_ACT = re.compile(r"^\w+ed\b")  # "appointed": the question asks who underwent something, not who holds a role
_PERSON = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z'’-]+)+\b")  # "Alison Stevens", "Dame Butler-Slosh"
_BY_THE_NAME = 6  # words between the role and the name of its holder, at most


@dataclass(frozen=True)
class Role:
    """The role a question asks the holder of, as stems of its lower-case words."""

    stems: frozenset[str]


def role_asked(question: str) -> Role | None:
    """The role asked about, or None when the question asks no role ("Who is Shaun Kelly?")."""
    match = _ROLE_ASKED.match(question.strip())
    if not match or _ACT.match(match.group(1)):
        return None
    # lower-case words, less possessors ("the charity's chair" is a chair)
    clause = re.split(r",|\band\b|\bor\b", match.group(1))[0]  # "Who is X's chair, and what ...?" asks more
    lower = [w for w in re.findall(r"[\w'’-]+", clause) if w[:1].islower() and not re.search(r"['’]s$", w)]
    stems = frozenset(tokenize(" ".join(lower)))
    return Role(stems) if stems else None


def names_holder(text: str, role: Role) -> bool:
    """True when the sentence holds every word of the role and a person's name right beside it."""
    tokens = [tokenize(w) for w in text.split()]
    positions = [i for i, stems in enumerate(tokens) if role.stems & set(stems)]
    if not positions or not role.stems <= {s for stems in tokens for s in stems}:
        return False
    lo, hi = max(0, positions[0] - _BY_THE_NAME), positions[-1] + _BY_THE_NAME + 1
    return bool(_PERSON.search(" ".join(text.split()[lo:hi])))
