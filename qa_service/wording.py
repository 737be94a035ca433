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

_GREETING = r"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening))(?: there| all| team| bot)?\s*[,!.:-]?"
_REQUEST = (
    r"(?:please|pls|ok(?:ay)?,?|quick question[:,]?|"
    r"(?:can|could|would|will) you (?:please )?(?:tell|show|remind) me(?: please)?|"
    r"(?:please )?(?:tell|remind) me(?! about\b)|"
    r"(?:do|does) (?:you|anyone|anybody) (?:happen to )?know|"
    r"i(?:['’]d| would) (?:like|love) to know|i (?:want|need|wanted|needed) to know|"
    r"i(?:['’]m| am) (?:wondering|curious)(?: about)?|i was wondering|any idea)"
)
_LEAD_IN = re.compile(rf"^\W*(?:{_GREETING}(?!\w)\s*)?(?:{_REQUEST}\s*[,:]?\s+)*", re.I)
_TAIL = re.compile(r"\s*[,;]?\s*(?:please|pls|thanks|thank you|thx|cheers)\s*[.!]*\s*(?=[?.!]*$)", re.I)


def question_inside(text: str) -> str:
    """`text` without a greeting or request around the question; `text` itself if nothing else is left."""
    inside = _TAIL.sub("", _LEAD_IN.sub("", text.strip(), count=1)).strip()
    return inside if re.search(r"\w", inside) else text.strip()
