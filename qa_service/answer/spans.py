"""The phrase of a quoted sentence that answers the question: a date, a number, a name, a place.

Asked "When did the Normans first gain their identity?", the answer quotes a whole sentence;
"the 10th century" inside it is what the reader looks for, and the clients mark it. Only what
the question asks for can be such a phrase: a date for "When...?" or "What year...?", a
number with what it counts for "How many...?" or "How much...?" ("30,000 men", "£2.6
million", "over half"), a time span for "How long...?", a run of capitalised words for
"Who...?" or "Which charity...?" ("Rollo", "Sweyn Forkbeard"), and a place for "Where...?"
or "In what country...?" (a name after "in", "at", "from"...). Reasons, views, examples and
other answers are whole sentences: nothing is marked.

A phrase made of the question's own words never answers it ("When did Rollo die?" does not
mark Rollo, nor "How many years after 1066...?" 1066), nor does a name sharing a word with a
name the question uses ("Who commissioned the Tapestry?" is not "Bayeux Tapestry"). Of the
phrases left, one is marked only when it is clearly the one: the only phrase of the kind
asked, or the one standing closest to the question's words in the sentence, by at least
CLEARER words more than any other ("under their leader Rollo" answers "Who was the Norse
leader?"). The question's names say what it is about, its other words what it asks of it, so
closeness counts to those others when it has any ("his rival Conrad of Montferrat" answers
"Who was Guy's rival?"). Asked who, a name after "in", "at" or "from" is a place rather than
a person; asked how many of something, the number counting it is the one. Otherwise nothing
is marked: a wrong mark misleads more than a missing one.

Only the first citation that holds a phrase of the kind asked can be marked: the citations
come best first, so a later sentence holding a date too is less likely to answer, and when
the best one is ambiguous, none is marked rather than another sentence's. On SQuAD articles
the engine was never shaped on, about four marks in five hold a gold answer.

The phrase never leaves the sentence: offsets are into the sentence's text, and `mark_answers`
turns them into offsets into the document text through the citation's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..models import AnswerSpan, Citation
from ..question.conversation import ResolvedQuestion
from ..question.dates import DATE, MONTH, WEEKDAY
from ..question.figures import figure_asked
from ..question.kinds import NUMBER_WORDS, TITLES, asking_words, names_asked
from ..question.quotes import introduces
from ..text import STOPWORDS, tokenize, words

# What each kind of kinds.py asks for, as a phrase; a kind not listed (a reason, examples, a
# view) is answered by whole sentences. Questions of no kind may still ask where, or which century.
_PHRASE_OF_KIND = {"date": "date", "number": "number", "duration": "duration", "name": "name", "author": "name",
                   "base": "place"}
_PLACE_NOUNS = (r"countr(?:y|ies)|cit(?:y|ies)|towns?|villages?|regions?|continents?|islands?|rivers?|count(?:y|ies)|"
                r"provinces?|states?|kingdoms?|nations?|empires?|seas?|oceans?|mountains?|lakes?")
_ASKS_WHERE = re.compile(r"^\W*(?:(?:and|but|so)\s+)?(?:(?:from|to|in|at|near)\s+)?where\b", re.I)
_ASKS_REGION = re.compile(rf"\b(?:what|which)\s+(?:[a-z]+\s+)?(?:{_PLACE_NOUNS})\b", re.I)
_ASKS_PERIOD = re.compile(r"\b(?:what|which)\s+(?:century|centuries|decade|decades|era)\b", re.I)
# "Who did the Dutch fight?" asks for whoever the act is done to: named after the words asking.
_ASKS_OBJECT = re.compile(r"^\W*(?:(?:and|but|so)\s+)?(?:(?:to|from|by|with|for)\s+)?whom?\s+"
                          r"(?:did|does|do|will|would|should|can|could|has|have|had)\b", re.I)
_ASKS_SHARE = re.compile(r"\b(?:percentage|per ?cent|proportion)\b", re.I)

_QUALIFIER = (r"(?:(?:over|more than|less than|fewer than|about|around|approximately|almost|nearly|some|up to|at least|"
              r"at most|roughly|just over|just under|an estimated|as many as|only)\s+)")
_MULTIPLE = r"(?:\s?(?:million|billion|thousand|hundred|bn|m|k)\b)"
_FIGURE = (rf"(?:[£$€]\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|per cent|percent))?{_MULTIPLE}?|"
           rf"\b(?:a|one|two|three)\s+(?:half|third|quarter|dozen)\b|"
           rf"\b(?:one[- ](?=(?:{NUMBER_WORDS})\b))?(?:one|{NUMBER_WORDS})(?:[- ](?:{NUMBER_WORDS}))*\b(?:\s?(?:%|per cent|percent))?")
_RATE = r"(?:\s+(?:a|per)\s+(?:year|annum|month|week|day|hour|head|capita)\b)"  # "two percent per year"
# "30,000", "one million", "three or four", "75,000 to 100,000", "1% to 3%"
_NUMBER = re.compile(rf"(?<![\w.,])(?:{_QUALIFIER})?(?:{_FIGURE})(?:\s*(?:-|–|to|or)\s*(?:{_FIGURE}))?(?![\w%]){_RATE}?", re.I)
_COUNTED = re.compile(r"\s+((?:of\s+)?(?:the\s+)?)([a-z][a-z-]*)")  # the word a number counts: "30,000 men"
_TIME_UNITS = frozenset({"second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
                         "month", "months", "year", "years", "decade", "decades", "century", "centuries"})
_DURATION_WORDS = re.compile(r"\b(?:within|for|over|after|in)\s+(?:a\s+few\s+|several\s+|many\s+)?"
                             r"(?:hours|days|weeks|months|years|decades|centuries)\b", re.I)

# A word of a name: "Rollo", "O'Brien", "Saint-Clair-sur-Epte", "II", "W."; names may be joined by
# "of", "de", "la"... ("William of Montreuil", "Gadifer de la Salle", "Ralph the Timid").
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w'’.-]*\w|[A-Z])"
_JOINER = r"(?:of|for|de|la|le|du|des|da|di|del|della|von|van|der|den|al|el|bin|ibn|the|y|and)"
_NAME = re.compile(rf"(?<![\w'’-]){_NAME_WORD}(?:\s+(?:{_JOINER}\s+){{0,2}}{_NAME_WORD})*(?![\w'’-])")
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|from|to|into|across|throughout|within|towards?|outside|inside|off|"
                           r"around|via)((?:\s+[a-z][\w-]*){0,4}?)\s*$", re.I)
_PLACE_BETWEEN = frozenset({"the", "a", "an", "of"})  # "in the city of Deabolis", "at the banks of the river ..."
_POINT = r"(?:north|south|east|west)(?:ern)?"
_COMPASS = re.compile(rf"\b(?:(?:far|south|north)[- ])?(?:{_POINT}|central)(?:[- ]{_POINT})? $")  # "southern", "far eastern"
_CALENDAR = re.compile(rf"^(?:{MONTH}|{WEEKDAY}|Christmas|Easter)$")
_OPENERS = STOPWORDS | {"however", "although", "though", "after", "before", "since", "while", "during", "despite",
                        "meanwhile", "later", "soon", "today", "yesterday", "according", "following", "unlike",
                        "like", "thus", "hence", "also", "many", "most", "several", "one", "another"}
# A capitalised run before a small word that is not a verb qualifies it, naming nothing:
# "Norse raiders", "the Roman Catholic priest", "the Greek mathematician"; "Rollo agreed" names.
_PAST = frozenset({"became", "began", "brought", "built", "came", "fled", "fought", "found", "gave", "went", "held",
                   "kept", "knew", "led", "left", "lost", "made", "met", "ran", "rose", "said", "saw", "sent", "sold",
                   "spent", "stood", "took", "told", "won", "wrote", "remains", "taught", "thought"})
NEAR = 6  # words between a phrase and the question's words, at most, for closeness to choose it
CLEARER = 2  # words closer than any other phrase it must stand; closer by one is no clear choice


@dataclass(frozen=True)
class _Phrase:
    start: int
    end: int
    text: str
    place: bool = False  # a name after "in", "at", "from"...: a place rather than a person
    counts: bool = False  # a number standing before what the question counts


def phrase_asked(question: str, kind: str | None) -> str | None:
    """What phrase answers the question: 'date', 'number', 'duration', 'name', 'place' (asked
    where: a name after "in", "at"...), 'region' (asked which country or city: any name), or
    None when whole sentences do (a reason, a view, examples...)."""
    if kind in _PHRASE_OF_KIND:
        return _PHRASE_OF_KIND[kind]
    if kind is not None:
        return None
    if _ASKS_WHERE.search(question):
        return "place"
    if _ASKS_REGION.search(question):
        return "region"
    return "date" if _ASKS_PERIOD.search(question) else None


def answer_phrase(question: str, kind: str | None, sentence: str) -> tuple[int, int] | None:
    """Where in `sentence` the phrase answering `question` stands (start, end), or None when no
    phrase is clearly the one. `kind` is what kinds.asked_type read the question as."""
    return _choose(_candidates(question, kind, sentence), sentence, question, kind)


def _candidates(question: str, kind: str | None, sentence: str) -> list[_Phrase]:
    """The phrases of `sentence` of the kind the question asks for, none of them its own words."""
    asked = phrase_asked(question, kind)
    if asked is None:
        return []
    candidates = [p for p in _phrases(asked, sentence, question) if not _about(asked, p.text, question)]
    if asked in ("name", "place", "region"):
        candidates = [_without_asked_words(p, question) for p in candidates]
    if asked == "name":  # a name after "in", "at"... is a place, and asked who, no answer
        candidates = [p for p in candidates if not p.place]
    if asked == "region" and any(p.place for p in candidates):  # "which country": where it is said to be
        candidates = [p for p in candidates if p.place]
    if asked == "number" and any(p.counts for p in candidates):
        candidates = [p for p in candidates if p.counts]
    if asked == "number" and _ASKS_SHARE.search(question):
        candidates = [p for p in candidates if re.search(r"%|per ?cent|half|third|quarter", p.text, re.I)]
    return candidates


def _choose(candidates: list[_Phrase], sentence: str, question: str, kind: str | None) -> tuple[int, int] | None:
    chosen = _closest(candidates, sentence, _focus_stems(question, kind), after=bool(_ASKS_OBJECT.search(question)))
    return (chosen.start, chosen.end) if chosen else None


def _about(asked: str, text: str, question: str) -> bool:
    """Whether a phrase is what the question is about rather than its answer: every word of it
    is the question's, or for a name, a word of a name the question uses ("Who commissioned
    the Tapestry?" is not answered by "Bayeux Tapestry"; "Who is the patron saint...?" may be
    by "Saint Nicolas", and "Which directors' association...?" by "Association of Directors of
    Children's Services")."""
    own = [w for w in words(text) if w not in STOPWORDS and w not in TITLES]
    asked_words, asked_stems = set(words(question)), set(tokenize(question))
    if not own or all(w in asked_words or set(tokenize(w)) & asked_stems for w in own):
        return True
    named = {w for match in names_asked(question) for w in words(match.group())}
    return asked in ("name", "place", "region") and any(w in named for w in own)


def _without_asked_words(phrase: _Phrase, question: str) -> _Phrase:
    """A name without the question's own words at its edges: asked which organisation Nick is
    "an accredited reviewer for", "Reviewer for the Social Care Institute for Excellence" answers
    with "Social Care Institute for Excellence"."""
    asked = set(words(question))
    spans = [m.span() for m in re.finditer(r"\S+", phrase.text)]
    kept = [i for i, (s, e) in enumerate(spans)
            if not phrase.text[s:e].islower() and not set(words(phrase.text[s:e])) <= asked]
    if not kept:
        return phrase
    start, end = phrase.start + spans[kept[0]][0], phrase.start + spans[kept[-1]][1]
    return replace(phrase, start=start, end=end, text=phrase.text[start - phrase.start:end - phrase.start])


def _phrases(asked: str, sentence: str, question: str) -> list[_Phrase]:
    if asked == "date":
        return [_Phrase(m.start(), m.end(), m.group()) for m in DATE.finditer(sentence)]
    if asked in ("number", "duration"):
        return _numbers(asked, sentence, question)
    return [p for p in _names(sentence) if asked != "place" or p.place]


def _numbers(asked: str, sentence: str, question: str) -> list[_Phrase]:
    """Numbers with the word they count ("30,000 men", "26 years", "£2.6 million", "over half"),
    dates aside: "in 1066" counts nothing. Asked how long, only spans of time count."""
    dates = [m.span() for m in DATE.finditer(sentence) if any(c.isdigit() for c in m.group())]
    figure = figure_asked(question)
    counted = figure.stems if figure else frozenset()
    whole = bool(figure and figure.whole)  # asked how many work there, "over half" of them answers nothing
    found = []
    for match in _NUMBER.finditer(sentence):
        start, end = match.span()
        if any(s < end and start < e for s, e in dates):
            continue
        after = _COUNTED.match(sentence, end)
        noun = after.group(2) if after else ""
        with_noun = bool(noun) and noun not in STOPWORDS and not noun.endswith("ly")
        if asked == "duration" and noun not in _TIME_UNITS:
            continue
        counts = bool(counted) and with_noun and bool(set(tokenize(noun)) & counted)
        if match.group().lower() == "one" and not counts:  # "one of them": a pronoun as often as a count
            continue
        if whole and re.search(r"%|per ?cent|half|third|quarter|majority|minority", match.group(), re.I):
            continue
        if with_noun and after and not after.group(1):  # "30,000 men", not "half of social workers"
            end = after.end()
        found.append(_Phrase(start, end, sentence[start:end], counts=counts))
    if asked == "duration":
        found += [_Phrase(m.start(), m.end(), m.group()) for m in _DURATION_WORDS.finditer(sentence)]
    return found


def _names(sentence: str) -> list[_Phrase]:
    """Runs of capitalised words that name someone or something; not a sentence's opening word
    alone (capitalised anyway), nor a month, nor words qualifying the noun after them."""
    found = []
    for match in _NAME.finditer(sentence):
        tokens = [(match.start() + t.start(), match.start() + t.end()) for t in re.finditer(r"\S+", match.group())]
        if tokens and _opens(sentence[slice(*tokens[0])]) and not sentence[:tokens[0][0]].strip(" \"“‘'("):
            tokens = tokens[1:]  # "In 1066", "However": capitalised as a sentence's first word
        while tokens and (sentence[slice(*tokens[0])] in ("The", "A", "An") or _CALENDAR.match(sentence[slice(*tokens[0])])):
            tokens = tokens[1:]  # "The Normans"; "Who Cares Trust" keeps its "Who"
        while tokens and (sentence[slice(*tokens[-1])].islower() or sentence[slice(*tokens[-1])].lower() in TITLES
                          or _CALENDAR.match(sentence[slice(*tokens[-1])])):
            tokens = tokens[:-1]  # "... of the" before a small word
        if not tokens:
            continue
        start, end = tokens[0][0], tokens[-1][1]
        if len(tokens) == 1 and not sentence[:start].strip(" \"“‘'("):
            continue  # a sentence's first word is capitalised, name or not
        if re.search(r"\w['’]s?$", sentence[start:end]) or re.match(r"['’]", sentence[end:]):
            continue  # "John Calvin's adopted home": whose it is, not who
        based = bool(re.match(r"[- ]based\b", sentence[end:]))  # "a Midlands based organisation"
        follows = re.match(r" ([a-z][\w-]*)", sentence[end:])
        joined = any(sentence[slice(*t)].islower() for t in tokens)  # "Robert of Jumièges archbishop" names
        if follows and not joined and not based and follows.group(1) not in STOPWORDS and not follows.group(1).endswith("ed") \
                and follows.group(1) not in _PAST:
            continue  # "Norse raiders", "the Roman Catholic priest": they qualify a noun
        compass = _COMPASS.search(sentence[:start])
        if compass:  # "southern Italy", "far eastern Anatolia": part of the place's name
            start = compass.start()
        found.append(_Phrase(start, end, sentence[start:end], place=based or _after_place_word(sentence[:start])))
    return found


def _after_place_word(before: str) -> bool:
    """Whether a name follows "in", "at", "from"... with only an article or nouns between: "in the
    city of Deabolis" is a place; "forced from his kingdom by Sweyn Forkbeard" is not."""
    match = _PLACE_BEFORE.search(before)
    return bool(match) and all(w in _PLACE_BETWEEN or w not in STOPWORDS for w in match.group(1).split())


def _opens(word: str) -> bool:
    """A word capitalised for opening the sentence, naming nothing ("However", "In", "The")."""
    return word.lower() in _OPENERS or bool(_CALENDAR.match(word))


def _focus_stems(question: str, kind: str | None) -> frozenset[str]:
    """The question's words that say what it asks about, not what kind of thing it asks ("What
    year", "how many"). Its names aside, when it has other words: "Who was Guy's rival?" is
    answered next to "rival" ("his rival Conrad of Montferrat"), not next to Guy."""
    asking = set(tokenize(asking_words(kind, question))) if kind in _PHRASE_OF_KIND else set()
    focus = frozenset(tokenize(question)) - asking
    named = {t for match in names_asked(question) for t in tokenize(match.group())}
    return frozenset(focus - named) or focus


def _closest(candidates: list[_Phrase], sentence: str, focus: frozenset[str], after: bool = False) -> _Phrase | None:
    """The one candidate, or the one clearly closest to the question's words in the sentence
    (`after` them only, when the question asks for the object of its verb)."""
    if len({c.text for c in candidates}) <= 1:
        return candidates[0] if candidates else None
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", sentence)]
    shared = [i for i, (s, e) in enumerate(spans) if set(tokenize(sentence[s:e])) & focus]

    def gap(candidate: _Phrase) -> int:
        inside = [i for i, (s, e) in enumerate(spans) if s < candidate.end and candidate.start < e]
        first, last = inside[0], inside[-1]
        gaps = [first - i - 1 if i < first else i - last - 1 for i in shared if i < first or (i > last and not after)]
        return min(gaps, default=len(spans))

    best = min(candidates, key=gap)
    second = min(gap(c) for c in candidates if c.text != best.text)
    return best if gap(best) <= NEAR and gap(best) + CLEARER <= second else None


def mark_answers(citations: Sequence[Citation], resolved: ResolvedQuestion) -> list[Citation]:
    """`citations` with an `answer_span` on the first one holding the kind of phrase the
    question asks for (each part's, for a two-part question), when one phrase of it is clearly
    the answer. Give them best first: a later sentence holding a date or a name too is less
    likely to be the one answering. Asked who, the line introducing a quote ("Shaun Kelly,
    Head of Safeguarding at Action for Children said:") comes first: it names the speaker."""
    marked = list(citations)
    for question in [resolved.part(i) for i in range(len(resolved.parts))] or [resolved]:
        asks_name = phrase_asked(question.question, question.kind) == "name"
        for i in sorted(range(len(marked)), key=lambda i: not (asks_name and introduces(marked[i].quote))):
            citation = marked[i]
            candidates = [] if citation.answer_span else _candidates(question.question, question.kind, citation.quote)
            if candidates:
                found = _choose(candidates, citation.quote, question.question, question.kind)
                if found:
                    start, end = found
                    span = AnswerSpan(citation.start + start, citation.start + end, citation.quote[start:end])
                    marked[i] = replace(citation, answer_span=span)
                break
    return marked
