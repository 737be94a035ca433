"""Questions that ask for a figure, and whether a sentence gives that figure.

"How many serious case reviews were carried out in 2010?" asks for a count of reviews. A
sentence that holds some number ("Working Together 2010") but no count of reviews does
not answer it, however well its words match. So a count must stand just before the thing
counted ("15 recommendations", "a third of the 64,000 children"), and "how much ... cost" asks
for a sum of money ("£79.9m"). Asked how many took part, were surveyed or are employed,
the size of a whole group is asked for, which a share of it ("over half of social
workers") does not give, though it does answer how many feel powerless. When no retrieved
sentence gives the figure asked for, the documents are taken not to hold it.

The thing counted is matched by its stem only. When the documents never use the
question's word for it at all ("proposals" where the text says "recommendations"),
the question may be paraphrasing, so nothing is concluded from its absence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import STOPWORDS, tokenize, words
from .kinds import NUMBER_WORDS

_COUNT = re.compile(r"\b(?:how many|what number of|what (?:percentage|proportion|share|fraction) of)\s+(.*)", re.I)
_MONEY_ASKED = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|spend|spent|pay|paid|price|fund|funded|budget|worth|earn|earns|earned|charge|charged|"
    r"charges|salary|salaries|wages?|income|raise|raised)\b|"
    r"\bhow much (?:money|cash|funding)\b|\bwhat (?:sum|amount of money)\b|"
    r"\bwhat\s+(?:(?:is|was|are|were|will be|would be)\s+)?(?:the\s+|their\s+|his\s+|her\s+|its\s+)?"
    r"(?:salary|salaries|wages?|pay|fees?|budget)\b",
    re.I,
)
_MONEY = re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:pounds|dollars|euros)\b", re.I)
_NUMBER_WORD = re.compile(rf"^(?:\d[\d,.]*%?|{NUMBER_WORDS})$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")  # a year dates something; it does not count it
_LEADS_TO_COUNTED = {"of", "the", "their", "his", "her", "its", "our", "your"}  # "how many of their staff"
MAX_FOCUS_WORDS = 3  # "serious case reviews": the words naming what is counted
NEAR_AFTER = 2  # a count stands this close (in content words) before what it counts


# Asking how many took part, work somewhere or belong asks for the size of a whole group,
# which a share of it ("over half of social workers") never gives
_WHOLE_GROUP = re.compile(r"\b(?:took|take|takes|taking) part\b|\b(?:participat\w*|surveyed|polled|interviewed|questioned|"
                          r"responded|employ\w*|members?|work(?:s|ed)? (?:for|at))\b", re.I)
_SHARES = frozenset({"half", "third", "quarter", "majority", "minority"})


@dataclass(frozen=True)
class Figure:
    """The figure a question asks for: a sum of money, or a count of `what`."""

    phrase: str  # as the question words it: "serious case reviews", "money"
    stems: frozenset[str] = frozenset()  # stems of the counted thing; empty for money
    whole: bool = False  # the size of a whole group is asked: a share of it answers nothing


def figure_asked(question: str) -> Figure | None:
    """The figure asked for, or None when the question asks none (or counts "them", unnamed)."""
    if _MONEY_ASKED.search(question):
        return Figure("money")
    match = _COUNT.search(question)
    if not match:
        return None
    focus: list[str] = []
    counted = re.sub(r"\b\w+['’]s\b", " ", match.group(1))  # "Munro's recommendations" counts recommendations
    # a word of a hyphenated compound ("looked-after children") is a modifier: neither a
    # verb nor a stop word in it ends the counted thing
    for word, compound in ((w, "-" in chunk) for chunk in counted.split() for w in words(chunk)):
        if focus and word.endswith("ed") and not compound:  # "how many social workers agreed": the verb ends it
            break
        if word in STOPWORDS:
            if compound:
                continue
            if focus or word not in _LEADS_TO_COUNTED:
                break
            continue
        focus.append(word)
        if len(focus) == MAX_FOCUS_WORDS:
            break
    stems = frozenset(tokenize(" ".join(focus)))
    return Figure(" ".join(focus), stems, bool(_WHOLE_GROUP.search(match.group(1)))) if stems else None


def gives_figure(text: str, figure: Figure) -> bool:
    """True when the sentence gives the figure: a sum of money, or a count just before what is counted."""
    if not figure.stems:
        return bool(_MONEY.search(text))
    content = [w for w in words(text) if w and w not in STOPWORDS]  # positions count content words only
    stems = [next(iter(tokenize(w)), w) for w in content]
    for i, word in enumerate(content):
        if _NUMBER_WORD.match(word) and not _YEAR.match(word) and not (figure.whole and word in _SHARES):
            near = stems[i + 1: i + NEAR_AFTER + 1]
            if figure.stems & set(near):
                return True
    return False
