"""What kind of answer a question asks for, and whether a sentence holds that kind.

"How many...?" asks for a number, "When...?" for a date, "Who...?" and "Which charity...?"
for a name, "Why...?" for a reason, "Who wrote the story...?" for the byline naming its
writer, "What is it called?" for a name in quotes, "Which other industries...?" for
examples, "How soon...?" or "How long...?" for a time span ("within hours", "until
March"), "What does PAIN stand for?" for the words an acronym stands for, "Where is it
based?" for a place it is based in. A sentence that holds the kind asked for is likelier
to answer; one that lacks a number, date, name, time span, expansion or base is evidence
against it.
A reason is the exception: it is often given without a word that says so. So are a
writer and a title: the sentences that find the story asked about are not its byline,
which the answer adds from the story, and a name in quotes is put first when any
candidate gives one (answer/refusals.py). So are examples, often listed without "such as".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from functools import lru_cache

from ..text import fold, words
from .dates import DATE

TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "rev"}

# A capitalised word of a name: "Stevens", "O'Brien", "Butler-Slosh"
NAME_WORD = r"(?:[A-Z][a-z]+|[A-Z]['’][A-Z][a-z]+)(?:-[A-Z]?[a-z]+)*"
# Two or more of them, perhaps joined by "of"/"for": "Shaun Kelly", "Action for Children"
_NAME = rf"\b{NAME_WORD}(?:\s+(?:of\s+|for\s+)?{NAME_WORD})+"

# Words that put a number on something; "one" is left out, being as often a pronoun ("which one").
NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    "eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|"
    "billions?|half|third|quarter|dozens?|majority|minority"
)

# "which charity", "which directors' association", "what other groups": a name is asked for,
# of an institution or person of a kind (_INSTITUTION) or of any kind at all (_ANYONE)
_WHICH = r"^\W*(?:which|what) (?:[\w-]+['’]s? |other |TV |radio )?"
_INSTITUTION = (r"(charit(?:y|ies)|councils?|local authorit(?:y|ies)|agenc(?:y|ies)|associations?|companies|company|"
                r"newspapers?|universit(?:y|ies)|ministers?|journalists?|officials?|"
                r"channels?|broadcasters?|stations?|magazines?)")
_ANYONE = r"organi[sz]ations?|bod(?:y|ies)|groups?|people|person"
_KIND_OF_NAME = re.compile(rf"{_WHICH}{_INSTITUTION}\b", re.I)

_SPAN_UNIT = r"(?:hours?|days?|weeks?|months?|years?)\b"

# Bylines are written "By Lauren Higgs", at times glued to the page's last label ("LogoBy ..."),
# or "This post is provided by our Lead Consultant, Nick Lister".
BYLINE_WORDS = 16  # a byline is a short line; a longer sentence "chaired by Dame ..." reports, it signs nothing
# A question may open by joining the one before: "And when...?", "But why...?"
_OPENS = r"^\W*(?:(?:and|but|so)\s+)?"
_WHO = _OPENS + r"(?:(?:to|from|by|with|for) )?whom?"  # "who", "whom", "To whom", "And from whom"
_ASKS = {
    "author": re.compile(
        _OPENS + r"who\s+(?:wrote|authored|penned|reported|filed)\s+(?:the|this|that|a|an)\b.*?"
        r"\b(?:article|story|stories|piece|post|blog|column|news item|write-up)\b|"
        r"\bwho\s+(?:is|was|'s)\s+the\s+(?:author|writer|reporter|journalist)\s+(?:of|behind)\s+(?:the|this|that)\b.*?"
        r"\b(?:article|story|piece|post|blog|column|news item|write-up)\b|"
        r"\bby whom was\b.*\b(?:written|reported)\b|"
        + _OPENS + r"who\s+(?:wrote|reported|blogged)\s+(?:on|about)\b.*\bfor\s+(?:the\s+)?(?-i:[A-Z])",  # "... for the BBC"
        re.I,
    ),
    "title": re.compile(r"\b(?:called|titled|entitled)\W*$|\bwhat(?: is|'s| was)? the (?:title|name) of\b|"
                        r"\b(?:what|which) (?:title|name) (?:did|does|do|was|is|has|had)\b", re.I),  # "What title did it give..."
    "number": re.compile(r"\bhow (many|much|old)\b|\b(what|which) (number|percentage|proportion|share|fraction|amount|sum|age)\b|"
                         r"\bwhat (is|was|are|were) the (average|typical|total|median|mean)\b", re.I),
    "date": re.compile(_OPENS + r"when\b|\b(what|which)(?:['’]s| is| was| are| were)?(?: the)? "
                       r"(year|date|month|day|deadline|timetable|timescale)s?\b(?!-)|\bby when\b", re.I),
    "duration": re.compile(r"\bhow (?:soon|long|quickly)\b", re.I),
    "base": re.compile(_OPENS + r"where\b(?=.*\b(based|headquartered|located)\b)", re.I),
    "expansion": re.compile(r"\b(?:stands?|stood) for\b|\bshort for\b", re.I),
    "name": re.compile(rf"{_WHO}\b|\bwhose\b|{_WHICH}(?:{_INSTITUTION}|{_ANYONE})\b", re.I),
    # "which other industries", "what example did she give", "some examples of..."
    "examples": re.compile(r"\b(?:which|what)\s+other\s+[a-z]+s\b|\b(?:an?|some|any|what|which|other)\s+examples?\b|"
                           r"\bgive\s+(?:me\s+|us\s+)?examples?\b", re.I),
    "reason": re.compile(_OPENS + r"why\b|\bwhat (was|is) the reason\b|\bfor what reason\b|"
                         + _OPENS + r"how (?:was|were|is|are|did|does|do|could|can)\b.{0,80}\bable to\b|"
                         + _OPENS + r"what (?:allowed|enabled|made it possible)\b", re.I),
}
_HAS = {
    "number": re.compile(rf"\d|\b(?:{NUMBER_WORDS})\b", re.I),
    "date": DATE,  # a year or a day of a month dates something; it counts nothing ("by July 2012")
    "author": re.compile(rf"(?:\b[Bb]|(?<=[a-z])B)y\s+(?:(?:our|the|a)\s+)?(?:[\w'’-]+\s+){{0,3}}?(?:[\w'’-]+,\s+)?"
                         rf"{NAME_WORD}(?:\s+{NAME_WORD})+"),
    "title": re.compile(r"[‘'\"“][A-Z][^’'\"”]{2,60}[’'\"”]"),  # a capitalised phrase in quotes
    "name": re.compile(rf"(?<!^){_NAME}"),  # not a sentence's first words, which are capitalised anyway
    # "within hours", "for three years", "26 years", "until March": how soon or how long
    "duration": re.compile(rf"\b(?:within|after|for|in|over|under)\s+(?:a few\s+|a\s+|\d+\s+|\w+\s+)?{_SPAN_UNIT}|"
                           rf"\b\d+\s+{_SPAN_UNIT}|\b(?:until|till|by the end of)\b", re.I),
    # "a Midlands based organisation", "based in Birmingham": where someone is based
    "base": re.compile(r"\b[A-Z][a-z]+[\s-]based\b|\b(?:based|headquartered|located) (?:in|at|near|out of) (?:the )?[A-Z]"),
    "examples": re.compile(r"\b(?:such as|including|e\.g\.|for example|for instance)\b", re.I),  # what gives them
    "reason": re.compile(r"\b(because|since|as a result|due to|owing to|given|so that|in order to|reasons?|therefore|"
                         r"thus|stems? from|caused? by|led to|means that|why)\b", re.I),
}


# A reason is often given without a word that says so ("... there is sufficient existing
# legislation"), so a sentence without "because" or "given" is no evidence against it. Examples
# are often listed without "such as" ("directors of children's services, police, health and
# education").
_UNMARKED = {"reason", "examples"}
# Nor is a sentence without a byline, which still finds the story whose byline answers "Who
# wrote...?", nor one without a name in quotes, which finds the thing whose name answers
# "What is it called?". A byline or a title shows, though, where a sentence gives one.
_MAY_BE_IMPLICIT = _UNMARKED | {"author", "title"}
# "Who did the minister write to?" asks for whoever received the act, as often a group
# ("early years providers") as a named person: a sentence without a name may still answer.
# So does "whose views...?" ("the frontline").
_ASKS_OBJECT = re.compile(_WHO + r"\s+(?:did|does|do|will|would|should|can|could|has|"
                          r"have|had)\b|\bwhose\b", re.I)


def kind_is_required(kind: str, question: str) -> bool:
    """Whether a sentence without the kind asked for is evidence against it (then it loses score)."""
    return kind not in _MAY_BE_IMPLICIT and not (kind == "name" and _ASKS_OBJECT.match(question))


def kind_shows(kind: str) -> bool:
    """Whether a sentence giving the kind asked for shows it in its words (a figure, a date, a
    name...): a sentence lacking it then gives something else."""
    return kind not in _UNMARKED


def asked_type(question: str) -> str | None:
    """The kind of answer asked for (a key of _ASKS: 'number', 'date', 'name', 'reason'...) or None."""
    return next((kind for kind, pattern in _ASKS.items() if pattern.search(question)), None)


def institution_asked(question: str) -> str:
    """The kind of institution or office a question asks the name of ("Which university...?"
    asks "university"), or "" when it asks none: documents that never use the word name none."""
    match = _KIND_OF_NAME.search(question)
    return match.group(1).lower() if match else ""


def asking_words(kind: str, question: str) -> str:
    """The words that ask for the kind ("What year", "how many"): they say what is wanted, not
    what about. So does a word the question must hold further on ("based" in "Where is it
    based?"): a sentence "based on the evidence" matches nothing the question is about."""
    asking = []
    for match in _ASKS[kind].finditer(question):
        ahead = [match.group(i) for i in range(1, match.re.groups + 1) if match.group(i) and match.start(i) >= match.end()]
        asking += [match.group(), *ahead]
    return " ".join(asking)


# A run of capitalised words that does not open a sentence names something ("FA Cup",
# "London School of Economics", "Tri.x").
_NAMED = re.compile(r"(?<![.?!:;\"“‘(]\s)(?<=\s)[A-Z][\w'’.-]*\w(?:\s+[A-Z][\w'’.-]*\w)*")
TITLE_CASE_SHARE = 0.6  # more of a question's words capitalised than this: it is written in title case


def names_asked(question: str) -> list[re.Match[str]]:
    """The names a question uses, opening word aside; none in a question written in title
    case or capitals, where capitals say nothing."""
    words = question.split()
    if sum(w[:1].isupper() for w in words) > TITLE_CASE_SHARE * len(words):
        return []
    return list(_NAMED.finditer(question))


def names_in(text: str) -> list[str]:
    """The names in `text`, in order, its opening words included ("Action for Children backs...")."""
    return [match.group() for match in name_matches(text)]


def name_matches(text: str) -> Iterator[re.Match[str]]:
    """Where `names_in` finds each name."""
    return re.finditer(_NAME, text)


# Words an expansion may pass over, or take a small letter from: "Department for Education" (DfE)
_LINKING = frozenset({"of", "for", "and", "the", "a", "an", "in", "on", "to", "at", "by", "with", "from"})
_ACRONYM = re.compile(r"\b[a-z]*[A-Z][a-z]*[A-Z][A-Za-z]*\b")  # two capitals or more: "PAIN", "eCAF", "DfE", "LSCBs"
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")  # "Children’s" is one word


def spells_out(acronym: str, text: str) -> bool:
    """True when words of `text` in a row begin with the letters of `acronym`, in order:
    "electronic common assessment framework" spells eCAF, "Parents Against INjustice" PAIN
    (a word may give more than its first letter), "Local Safeguarding Children Boards" LSCBs.
    Small linking words may be passed over, and give only a small letter ("for" in DfE)."""
    tokens = [re.sub(r"['’]s$", "", t) for t in _WORD.findall(text)]
    return any(_spells(letters, tokens, start, 0) for letters in acronym_forms(acronym) for start in range(len(tokens)))


def acronym_forms(acronym: str) -> set[str]:
    """The acronym as written and without a plural "s" ("LSCBs", "LSCB")."""
    return {acronym, acronym.removesuffix("s")}


def _spells(letters: str, tokens: list[str], at: int, used: int) -> bool:
    if not letters:
        return used >= 2  # one word is the acronym itself, not what it stands for
    if at >= len(tokens):
        return False
    word = tokens[at].lower()
    if word in _LINKING:
        if not used:
            return False
        gives = letters[0].islower() and word[0] == letters[0] and _spells(letters[1:], tokens, at + 1, used + 1)
        return gives or _spells(letters, tokens, at + 1, used)
    return any(_spells(letters[n:], tokens, at + 1, used + 1)
               for n in range(1, min(len(word), len(letters)) + 1) if word[:n] == letters[:n].lower())


def initialisms(text: str) -> set[str]:
    """The acronyms the runs of capitalised words in `text` spell, in lower case, with their
    linking words passed over and counted: "Social Care Institute for Excellence" spells
    "scie" and "scife", "Department for Education" "de" and "dfe". Any run of two or more
    counts, so "Reviewer for the Social Care Institute" spells "sci" too."""
    spelt: set[str] = set()
    for phrase in re.split(r"[,;:.()!?\"“”‘]|\s[-–—]\s", text):
        tokens = _WORD.findall(phrase)
        for start, first in enumerate(tokens):
            if not first[0].isupper():
                continue
            passed = counted = first[0].lower()
            for word in tokens[start + 1:]:
                if not word[0].isupper() and word in _LINKING:
                    counted += word[0]
                elif word[0].isupper():
                    passed, counted = passed + word[0].lower(), counted + word[0].lower()
                    spelt |= {passed, counted}
                else:
                    break
    return spelt


def acronyms(text: str) -> list[str]:
    """The words of `text` written as acronyms ("PAIN", "eCAF", "DfE", "LSCBs")."""
    return _ACRONYM.findall(text)


# "on the Adriatic", "in Allston", "near modern Durrës": a place, when its name is one of the
# collection's names of one word ("in Social Services" names no place) that the question
# does not use ("Where is Tri.x based?" is not answered "at Tri.x")
_PLACE = re.compile(r"\b(?:in|at|near|out of|on|off|along|outside|within|across|from)\s+(?:the\s+)?"
                    rf"(?:(?:modern|present)(?:-day)?\s+)?({NAME_WORD})")
_ONE_NAME = re.compile(rf"\b({NAME_WORD})\b")


def holds_kind(kind: str, text: str, question: str, names: Collection[str] = frozenset()) -> bool:
    """True when the sentence holds the kind of thing `question` asks for; a name the question
    itself uses ("Which charity welcomed Munro's report?") is not an answer to it. Asked what
    an acronym stands for, a sentence holds the answer when it spells the acronym out.
    `names`, the collection's names of one word (IndexData.repeated_names), lets one word be
    a name or a place ("Rollo", "on the Adriatic")."""
    if kind == "base" and any(m.group(1).lower() in names - _letter_runs(question) for m in _PLACE.finditer(text)):
        return True
    if kind == "expansion":
        return any(spells_out(acronym, text) for acronym in acronyms(question))
    if kind == "number":
        text = DATE.sub(" ", text)
    if kind == "author":
        return len(text.split()) <= BYLINE_WORDS and bool(_HAS[kind].search(text))
    if kind != "name":
        return bool(_HAS[kind].search(text))
    asked = _words_of(question)
    return (any(not set(words(m.group())) - TITLES <= asked for m in _HAS[kind].finditer(text))
            or any(m.group(1).lower() in names - asked - TITLES for m in _ONE_NAME.finditer(text)))


@lru_cache(maxsize=256)  # the same question is checked against every candidate sentence
def _words_of(question: str) -> frozenset[str]:
    return frozenset(words(question))


@lru_cache(maxsize=256)
def _letter_runs(question: str) -> frozenset[str]:
    """The question's words as runs of letters: "Tri.x" uses "tri" too."""
    return frozenset(re.findall(r"[a-z]+", fold(question)))
