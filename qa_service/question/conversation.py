"""Follow-up questions resolved with the conversation so far, without a language model.

A question that leans on the previous turn ("Who is their head of safeguarding?", "Why?",
"And when?") carries too little on its own to retrieve by. When it leans (a pronoun that
points back, an opening like "and"/"what about", or almost no content words), the previous
question and the sentences the previous answer quoted become its context: retrieval
searches with the question alone and with question and context together, and the composer
favours sentences near the ones already quoted over quoting them again.

A question embedded alone does not know what its "it" or "that role" stands for, and
embedded with its context it mostly matches the previous answer again. So a follow-up that
points back to a thing is also spelled out: the pointer is replaced by what the previous
answer gave when the previous question asked for the object of the verb it ended on ("What
would that person do?" after "Who did Munro say every council should appoint?" reads "What
would principal child and family social worker do?"), else by the words of the previous
question ("What did Munro say that role should do?" after "By when will the chief social
worker be in post?" reads "What did Munro say chief social worker post should do?"), or,
for "they"/"their" after a question asking who or which, by the name the previous answer
gave ("Who is their head of safeguarding?" after "Which charity welcomed the
report?" reads "Who is Action for Children head of safeguarding?"). Clumsy English, but its
embedding is about the right thing. People ("he", "she") are not spelled out: the previous
question's words name a topic, not who.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ..models import Turn
from ..text import STOPWORDS, tokenize, words
from .figures import Figure, figure_asked
from .kinds import asked_type, institution_asked, names_in
from .roles import Role, role_asked
from .voices import AskedView, asked_view
from .wording import question_inside

_POINTS_BACK = re.compile(
    r"\b(they|them|their|theirs|it|its|he|him|his|she|her|hers|these|those|there|then|the same|such|"
    r"(this|that) (charity|organisation|organization|body|group|council|report|review|person|man|woman|minister|"
    r"role|post|job|position|duty|plan|scheme|policy|law|guidance|decision|recommendation|proposal|change|move|"
    r"money|funding|figure|number|amount|total|rate|share|proportion|date|deadline|timetable|target|service|"
    r"programme|pilot|model|approach|case|inquiry|event|story|system|issue|problem|idea|one))\b",
    re.IGNORECASE,
)
# What can be spelled out: a thing or a group pointed back to (not "he", "she": see above);
# "those who are unsure" points nowhere.
_REFERS_BACK = re.compile(r"\b(?:(?:this|that|these|those) (?!who\b|which\b|that\b)[a-z]+|it|they|them|their)\b", re.I)
_GROUP = {"they", "them", "their"}
_OPENS_BACK = re.compile(r"^\W*(and|but|also|so|what about|how about|what else|anything else|why|how come)\b", re.I)
_TIME_BACK = re.compile(r"\b(in the meantime|meanwhile|instead|afterwards|after that|before that|at that time|at the time)\b", re.I)
_LATER = re.compile(r"\b(in the end|eventually|later|since then|afterwards|after that|subsequently|finally|ultimately)\b", re.I)
# "Who did X say every council should appoint?", "What did the government decide to scrap?":
# asking who or what through an auxiliary, and ending on a word that no article, possessive
# or preposition precedes (a verb, not "the duty" or "about them")
_ENDS_ON_VERB = re.compile(
    r"^\W*(?:who|whom|what|which)\b.*\b(?:did|does|do|will|would|should|must|can|could)\b.*?"
    r"\b(?!(?:the|a|an|this|that|these|those|its|their|his|her|our|my|your|of|about|on|in|for|with|at|by|from|"
    r"into|over|after|before)\s)[a-z][\w'’-]*\s+([a-z]{3,})\W*$",
    re.I,
)
_PHRASE_END = re.compile(r"[,;:.()\[\]!?\"“”]|\s[-–—]\s")  # where an object ends
_LEADS = {"a", "an", "the", "that"}  # words an object may open with that say nothing of it
MAX_OBJECT_WORDS = 8  # an object, not the rest of the sentence
_QUESTION_WORDS = {"who", "whom", "whose", "what", "which", "when", "where", "why", "how", "many", "much", "did", "does"}
_MARKER = re.compile(r"\s*\[\d+\]\s*")
MIN_STANDALONE_WORDS = 2  # a question with this few content words needs context to mean anything
MAX_CONTEXT_WORDS = 40  # a folded query stays about one question long, not a transcript
MAX_PARTS = 3  # more questions in one message are searched as one: each part costs an encoding and a search


@dataclass(frozen=True)
class ResolvedQuestion:
    """What retrieval and answering should use for one question in its conversation."""

    question: str
    query: str  # what retrieval searches with: the question, plus its context for a follow-up
    context: str = ""  # the previous question and answer a follow-up leans on ("" otherwise)
    prior_quotes: frozenset[str] = frozenset()  # sentences the previous answer quoted
    parts: tuple[str, ...] = ()  # the questions a two-part question asks, when it asks two
    spelled_out: str = ""  # a follow-up with what it points back to written out (see above), or ""

    @cached_property
    def kind(self) -> str | None:
        """The kind of answer a one-part question asks for ('number', 'date', 'name', 'reason'..., kinds.py)."""
        return None if self.parts else asked_type(self.question)

    @cached_property
    def figure(self) -> Figure | None:
        """The count or sum of money a one-part question asks for."""
        return None if self.parts else figure_asked(self.question)

    @cached_property
    def view(self) -> AskedView | None:
        """Whose view a one-part question asks for (voices.py)."""
        return None if self.parts else asked_view(self.question)

    @cached_property
    def institution(self) -> str:
        """The kind of institution a one-part question asks the name of ("university"), or ""."""
        return "" if self.parts else institution_asked(self.question)

    @cached_property
    def role(self) -> Role | None:
        """The role a one-part question asks the holder of; asked who wrote a story ("Who is
        the journalist behind...?"), its byline answers without naming the role."""
        return None if self.parts or self.kind == "author" else role_asked(self.question)

    @property
    def follow_up(self) -> bool:
        return bool(self.context)

    @property
    def stays_in_story(self) -> bool:
        """Whether a follow-up goes on with the stories its previous answer quoted ("And what's
        the government doing about it?"). Not when it asks what happened later ("So was that
        made a legal duty in the end?"), which a later source may tell, nor who ("Who was
        disappointed by that decision?"): another actor tends to speak in another source."""
        return bool(self.prior_quotes) and self.kind != "name" and not _LATER.search(self.question)

    def part(self, index: int) -> ResolvedQuestion:
        """Part `index` of a two-part question, asked as a follow-up of the whole question.

        A part leans on the rest of the question the way a follow-up leans on the previous
        turn: "Which charity" in "Which charity and which directors' association welcomed
        Munro's work?" means nothing alone. So the whole question, which retrieved its
        passages, is its context: its own words weigh fully, the others' as context words do.
        """
        return ResolvedQuestion(self.parts[index], self.question, context=self.question)

    @property
    def _embedded(self) -> list[tuple[str, bool]]:
        """Each text embedded, and whether a sentence's meaning is judged against it.

        All but the last, for a question asking someone's view, are searched: a follow-up
        alone, with its context and spelled out, or a question and its parts. The question,
        each of its parts and its spelled-out form judge meaning; its context does not, as
        the previous answer would always match it best; nor does a two-part question whole.
        A question asking someone's view judges it without them (voices.py); searched
        without them, it would find what anyone says."""
        unvoiced = [(self.view.unvoiced, True)] if self.view else []
        if self.follow_up:
            searched = [(self.question, not unvoiced), (self.query, False)]
            return searched + ([(self.spelled_out, True)] if self.spelled_out else []) + unvoiced
        if self.parts:
            return [(self.question, False), *((part, True) for part in self.parts)]
        return [(self.question, not unvoiced), *unvoiced]

    @property
    def embedded_texts(self) -> list[str]:
        """What is embedded, in the order of the vectors made of it: the texts searched, then
        the question without whose view it asks for, if it asks one."""
        return [text for text, _ in self._embedded]

    @property
    def search_texts(self) -> list[str]:
        """What is searched: `embedded_texts` but the question without whose view it asks."""
        return self.embedded_texts[: len(self._embedded) - bool(self.view)]

    @property
    def meaning_rows(self) -> list[int]:
        """Which of `embedded_texts` a sentence's meaning is judged against (the best match counts)."""
        return [row for row, (_, judges) in enumerate(self._embedded) if judges]


def content_words(question: str) -> list[str]:
    """Words that say what the question is about (not stop words, not question words)."""
    return [w for w in words(question) if w not in STOPWORDS and w not in _QUESTION_WORDS]


def leans_on_history(question: str) -> bool:
    """True when a question cannot stand alone and needs the previous turn."""
    points_back = _POINTS_BACK.search(question) or _OPENS_BACK.match(question) or _TIME_BACK.search(question)
    return bool(points_back) or len(content_words(question)) <= MIN_STANDALONE_WORDS


_SECOND_QUESTION = re.compile(
    r"(?:,\s*(?:and\s+|but\s+)?|\s+-\s+(?:and\s+|but\s+)?|\?\s+(?:and\s+|but\s+)?|\s+and\s+)"
    r"(?=(?:(?:by|to|for|from|in|on|at|with|since|until|till|after|before)\s+)?"
    r"(?:what|which|who|whom|whose|when|where|why|how)\b"
    r"|(?:did|does|do|is|are|was|were|has|have|will|would|can|could)\s+"
    r"(?:it|they|he|she|there|this|that|these|those|the|any|(?-i:[A-Z])[\w'’.-]*|\w+s)\b)",
    re.I,
)
_ASKS = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how)\b|^(?:is|are|was|were|do|does|did|can|could|will|would|"
    r"should|has|have|had)\b",
    re.I,
)


def split_parts(question: str) -> tuple[str, ...]:
    """The questions of "What did X say, and what did Y say?", or () for a single question.

    Each part is searched on its own as well, so an answer can quote one sentence for each.
    A piece that asks nothing is context, and every part is asked with it: in "In July 2011
    the government accepted the recommendations - how many, and which one did it drop?"
    the parts are "... recommendations how many" and "... recommendations which one did it
    drop". A lead-in clause before a single question ("Under the new plans, which...")
    leaves one part, so the question is not split at all; so does a message asking more
    than MAX_PARTS questions at once.
    """
    pieces = [p.strip(" ,-?") for p in _SECOND_QUESTION.split(question)]
    pieces = [p for p in pieces if p]
    context = " ".join(p for p in pieces if not _ASKS.search(p))
    asks = [p for p in pieces if _ASKS.search(p)]
    if not 2 <= len(asks) <= MAX_PARTS:
        return ()
    parts = tuple(f"{context} {ask}" if context else ask for ask in asks)
    return parts if all(content_words(p) for p in parts) else ()


def spell_out(question: str, previous: str, previous_quotes: Sequence[str]) -> str:
    """`question` with the first thing it points back to written out, or "" when it points to none.

    The pointer becomes what the previous answer gave for a question ending on its verb
    (`object_given`); else, for "they", "them" or "their" after a question asking who or
    which, the first name the previous answer gave that the previous question did not use;
    else the content words of the previous question.
    """
    match = _REFERS_BACK.search(question)
    if not match:
        return ""
    referent = object_given(previous, previous_quotes[0]) if previous_quotes else ""
    if not referent and match.group().lower() in _GROUP and asked_type(previous) == "name":
        used = set(words(previous))
        named = [name for quote in previous_quotes for name in names_in(quote) if not set(words(name)) <= used]
        referent = named[0] if named else ""
    referent = referent or " ".join(content_words(previous))
    return f"{question[:match.start()]}{referent}{question[match.end():]}" if referent else ""


def object_given(question: str, quote: str) -> str:
    """What `quote` gives as the object of the verb `question` ends on, or "".

    "Who did Munro say every council should appoint?" asks for the object of "appoint",
    and an answer quoting "...every council should appoint a principal child and family
    social worker, ..." gives it right after the verb. That, not "munro say every council
    appoint", is what "that person" in the next question stands for. Only a question
    asking who or what through a verb it ends on ("did ... appoint?", "decide to scrap?")
    counts: one ending on a noun ("about the duty?") asks for nothing that follows it.
    """
    asked = _ENDS_ON_VERB.match(question)
    if not asked:
        return ""
    verb = tokenize(asked.group(1))
    found = [m for m in re.finditer(r"[\w'’-]+", quote) if tokenize(m.group()) == verb]
    if not found:
        return ""
    phrase = _PHRASE_END.split(quote[found[-1].end():], maxsplit=1)[0].split()[:MAX_OBJECT_WORDS]
    if phrase and phrase[0].lower() in _LEADS:
        phrase = phrase[1:]
    asked_words = set(words(question))
    return " ".join(phrase) if any(w.lower() not in STOPWORDS | asked_words for w in phrase) else ""


def quotes_of(answer: str) -> list[str]:
    """The sentences an answer quoted: the text between its [n] markers."""
    return [q.strip() for q in _MARKER.split(answer) if q.strip()]


def _trim(text: str, limit: int = MAX_CONTEXT_WORDS) -> str:
    return " ".join(text.split()[:limit])


def resolve(question: str, history: Sequence[Turn]) -> ResolvedQuestion:
    """Give `question` the context of the previous turn when it leans on it; history is oldest first.

    A previous turn that itself leaned on the one before carries that topic forward, so a
    third "And when?" still knows what the first question was about. Questions are taken
    without the greetings and requests around them ("Hi, can you tell me who...").
    """
    question = question_inside(question)
    topic = ""
    for turn in history:
        asked = question_inside(turn.question)
        topic = _trim(f"{topic} {asked}") if topic and leans_on_history(asked) else asked
    if not history or not leans_on_history(question):
        return ResolvedQuestion(question, question, parts=split_parts(question))
    quotes = quotes_of(history[-1].answer)
    context = _trim(f"{topic} {' '.join(quotes)}", 2 * MAX_CONTEXT_WORDS)
    spelled_out = spell_out(question, question_inside(history[-1].question), quotes)
    return ResolvedQuestion(question, f"{question} {context}", context, frozenset(quotes), spelled_out=spelled_out)
