"""The question inside what a chat user types.

People in a chat widget or Slack wrap their question: "Hi, can you tell me who chaired the
inquiry?", "I'd like to know when the guidance is due, please." The wrapping words carry
no meaning for the documents but weigh in every signal: "tell" and "know" in the word
match, a request instead of a question in the embedding, "Can you..." hiding the "who"
that says a name is wanted. So the engine answers the question inside; the user's own
words stay in the conversation as typed.
"""

from __future__ import annotations

import re

_GREETING = r"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?: there| all| team| bot)? ?[,!.:-]?"
_REQUEST = (
    r"(?:please|pls|ok(?:ay)?,?|quick question[:,]?|"
    r"(?:can|could|would|will) you (?:please )?(?:tell|show|remind) me(?: please)?|"
    r"(?:please )?(?:tell|remind) me(?! about\b)|"
    r"(?:do|does) (?:you|anyone|anybody) (?:happen to )?know|"
    r"i(?:['’]d| would) (?:like|love) to know|i (?:want|need|wanted|needed) to know|"
    r"i(?:['’]m| am) (?:wondering|curious)(?: about)?|i was wondering|any idea)"
)
# Both patterns read text whose spaces are single (see question_inside): each space they
# allow is at most one character, so no run of spaces can be split between them in many ways.
_LEAD_IN = re.compile(rf"^\W*(?:{_GREETING}(?!\w) ?)?(?:{_REQUEST} ?[,:]? )*", re.I)
_TAIL = re.compile(r"[,;]? ?\b(?:please|pls|thanks|thank you|thx|cheers)\b ?[.!]*(?=[?.!]*$)", re.I)


def question_inside(text: str) -> str:
    """`text` without a greeting or request around the question; `text` itself if nothing else is left.

    Runs of white space become single spaces first, which also keeps the matching linear
    in the length of what was typed.
    """
    typed = " ".join(text.split())
    inside = _TAIL.sub("", _LEAD_IN.sub("", typed, count=1)).strip()
    return inside if re.search(r"\w", inside) else typed
