"""Whose view a question asks for, and whose words each sentence is in.

"What does Nick Lister think is really behind the decision?" asks for a view on the
decision; "Nick Lister" says whose. Embedded whole, the question is mostly about the
person: all-MiniLM-L6-v2 ranks the lines about Nick Lister ("This post is provided by our
Lead Consultant, Nick Lister") far above his view, which never names him. So a sentence's
meaning is judged against the question with the person said as "they" ("What does they
think is really behind the decision?"), and whose view it is is judged apart: by the
sentence's voice, the person whose words it is in.

News copy says whose words a sentence is in once and then leans on it: "Professor Monro
said that..." is followed by "'I believe...,' she said." and by a paragraph quoting her
that names nobody. A sentence's voice is read, in order, from
  - an attribution after a quote or comma ("..., she explained.", "..., the charities say"),
  - for a sentence not opening a quote, its subject before a verb of saying ("Marion Davis,
    past president of ..., said", "The charity Action for Children has welcomed"), or the
    owner a line introducing a list names ("Munro’s recommendations include plans to:"),
  - for "she", "he" or "they", the nearest voice named in the sentences before,
  - for a sentence saying nothing of it, the sentence before, when it goes on the same
    quote, paragraph or list,
  - else the story's own: its writer, publisher and byline (a blog post is its author's).
A voice also holds all the documents call whoever it names (`people`), and the names in it
match a question's one slip away: 003 writes "Professor Monro".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Sentence
from ..text import tokenize
from .kinds import name_matches
from .quotes import introduces
from .spelling import MIN_LETTERS, slips

# Verbs of saying, thinking and proposing a question asks someone's view with.
_VIEW = (r"(?:think|thinks|thought|say|says|said|believe|believes|believed|reckon|reckons|reckoned|suspect|"
         r"suspects|suspected|feel|feels|felt|argue|argues|argued|claim|claims|claimed|warn|warns|warned|"
         r"fear|fears|feared|hope|hopes|hoped|want|wants|wanted|suggest|suggests|suggested|"
         r"propose|proposes|proposed|make of|see it|view)")
# Who: one to three words, not a pronoun (whose view a follow-up asks is its context's),
# nor a date or figure ("the July 2011 response" says which content, not whose view). A
# document may be who ("the review"), its owner's voice (`people`), and so may its owner
# ("Munro's review"). "The government" is left out: every story speaks of what it decided,
# and "When does the government want them in place?" asks what, not in whose words (let in,
# it lost a gold follow-up and gained nothing).
_FUNCTION = (r"(?:they|he|she|it|you|we|i|people|anyone|anybody|someone|everyone|their|his|her|its|our|"
             r"what|which|who|whom|whose|when|where|why|how|and|but|or|so|in|on|at|to|by|with|from|that|this|"
             r"is|are|was|were|do|does|did|has|have|had|will|would|can|could|should)")
_WHO_WORD = rf"(?!{_FUNCTION}\b)[\w&'’-]+(?:\.[\w&'’-]+)*"
_DOCUMENT = r"(?:review|reviews|response|report|reports|update|statement|article|blog|post|guidance)"
_WHO = rf"(?:the\s+)?(?:{_WHO_WORD}\s+){{0,2}}?(?!government\b){_WHO_WORD}"
_REFLEXIVE = r"(?P<self>(?:\s+(?:herself|himself|themselves|itself|really|actually|still|now|also|personally))*)"
_ASKED = [
    # whose document it is: "What did Munro's progress report say..." reads "What did their progress report say..."
    re.compile(rf"(?:\b(?:do|does|did|would|will)\s+|^\W*)(?P<who>{_WHO})(?P<self>['’]s)"
               rf"(?=\s+(?:[\w-]+\s+){{0,2}}?{_DOCUMENT}\s+{_VIEW}\b)", re.I),
    re.compile(rf"\b(?:do|does|did|would|will)\s+(?P<who>{_WHO}){_REFLEXIVE}\s+{_VIEW}\b", re.I),
    re.compile(rf"^\W*(?P<who>{_WHO}){_REFLEXIVE}\s+{_VIEW}\b", re.I),
    re.compile(rf"\baccording to\s+(?P<who>{_WHO}){_REFLEXIVE}(?=\s*[,?!]|\s*\.?\s*$)", re.I),
    re.compile(rf"\b(?P<who>{_WHO})['’]s?(?P<self>)\s+(?=(?:take|view|views|verdict|opinion|position|reaction)\b)",
               re.I),
]
_VIEW_WORD = re.compile(rf"\b{_VIEW}\b", re.I)
_STAND_IN = ["their", "they", "they", "them", "their"]
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class AskedView:
    """Whose view a question asks for, and the question with them said as "they"."""

    who: str
    unvoiced: str


def asked_view(question: str) -> AskedView | None:
    """Whose view `question` asks for ("What does Nick Lister think...", "..., according to
    the charities?", "What's Action for Children's take on..."), or None."""
    for pattern, stand_in in zip(_ASKED, _STAND_IN):
        match = pattern.search(question)
        if match and not _DIGIT.search(match.group("who")):
            rest = question[match.end("self"):]
            return AskedView(match.group("who"), f"{question[:match.start('who')]}{stand_in}{rest}")
    return None


def view_words(question: str) -> frozenset[str]:
    """The tokens of the verbs a question asks a view with ("say" of "What did Munro say...")."""
    return frozenset(token for match in _VIEW_WORD.finditer(question) for token in tokenize(match.group()))


# Verbs that say whose words follow: "said", "has welcomed", "went on to point out".
_SAYING = (r"(?:(?:has|have|had|is|are|was|were)\s+)?(?:also\s+|went on to\s+)?"
           r"(?:said|says|say|told|tells|stated|states|claimed|claims|argued|argues|warned|warns|warning|added|"
           r"explained|commented|announced|believes|believe|wrote|writes|published|welcomed|outlined|insisted|"
           r"urged|noted|point(?:ed|s)? out)\b")
# not 'She said a "culture change" was underway ... but outlined': a verb opens no one's name
_AFTER_QUOTE = re.compile(rf"(?:,|(?<=[\w.,!?])[”\"’])\s*(?P<who>(?!{_FUNCTION}\b)(?:[\w’'.-]+\s+){{0,9}}?[\w’'.-]+)\s+{_SAYING}",
                          re.I)
_SUBJECT = re.compile(rf"^(?!(?:it|there|this|that)\b)(?P<who>[^“”\"‘;:]{{1,120}}?)(?<!\bto)\s+{_SAYING}", re.I)
_OPENS_QUOTE = re.compile(r"^\s*[\"“‘']")
_POSSESSOR = re.compile(r"^(?P<who>(?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*)['’]s\b")  # "Munro’s recommendations include:"
_PRONOUN = re.compile(r"(?:^|\s)(?:she|he|they|it)$", re.I)
_OWNS = re.compile(r"\b(?P<owner>[A-Z][a-z]+)['’]s\s+(?P<owned>[a-z]+)")
MAX_SUBJECT_WORDS = 15  # "Marion Davis, past president of the Association of Directors of Children's Services"
LOOK_BACK = 4  # sentences a "she said" may point back over to its name
MAX_NAME_WORDS = 4  # a person's name, with a title and a sentence's capitalised first word: "Today Professor Eileen Munro"


def _attributed(sentence: Sentence) -> str:
    """Who the sentence itself says is speaking ("she" included), or ""."""
    match = _AFTER_QUOTE.search(sentence.text)
    if not match and not _OPENS_QUOTE.match(sentence.text):
        match = _SUBJECT.match(sentence.text) or (introduces(sentence.text) and _POSSESSOR.match(sentence.text))
    if not match or len(match.group("who").split()) > MAX_SUBJECT_WORDS:
        return ""
    return match.group("who").strip(" ,–—-")


def _own_voices(sentences: Sequence[Sentence], story_of: Sequence[int],
                story_voices: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """The tokens of who each sentence is in the words of, as the text says it."""
    voices: list[frozenset[str]] = []
    names: list[bool] = []  # per sentence: it names whose words it is in itself ("Munro claimed")
    listed: list[bool] = []  # per sentence: an item of a list after a line ending with a colon
    for sentence in sentences:
        who = _attributed(sentence)
        named = bool(who) and not _PRONOUN.search(who)
        before = [s for s in sentences[max(0, sentence.sentence_id - LOOK_BACK):sentence.sentence_id]
                  if story_of[s.sentence_id] == story_of[sentence.sentence_id]]
        previous = before[-1] if before else None
        listing = bool(previous and not who and (introduces(previous.text) or listed[previous.sentence_id]))
        voice: frozenset[str] = frozenset()
        if named:
            voice = frozenset(tokenize(who))
        elif who:  # "she said": the nearest sentence before naming whose words it is in
            voice = next((voices[s.sentence_id] for s in reversed(before) if names[s.sentence_id]), frozenset())
        elif previous and (listing or _OPENS_QUOTE.match(sentence.text) or previous.paragraph == sentence.paragraph):
            voice = voices[previous.sentence_id]  # a list, a quote or a paragraph goes on in the same words
        if not voice and not sentence.heading:
            voice = story_voices[story_of[sentence.sentence_id]]
        voices.append(voice)
        names.append(named)
        listed.append(listing)
    return voices


def people(sentences: Sequence[Sentence]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Who the documents name, as (tokens naming them, tokens of all they are called).

    A name is also called by the word before it ("The charity Action for Children", "French
    journalist Florence Bellone"), and a person's name by its surname alone: "Ms Bellone
    states" is in the words of the journalist Florence Bellone. A person's name is a few
    words, without "of" or "for", whose last the documents never write in small letters.
    What someone owns speaks for them: "Munro’s review" and "the Munro Review" make Munro
    the review's voice, so "What did the review say...?" asks hers.
    """
    lower = {word for sentence in sentences for word in re.findall(r"\b[a-z][\w'’-]*", sentence.text)}
    table: list[tuple[frozenset[str], frozenset[str]]] = []
    for sentence in sentences:
        for match in name_matches(sentence.text):
            name = match.group().split()
            tokens = tokenize(match.group())
            before = re.search(r"([a-z]+)\s+$", sentence.text[:match.start()])
            called = frozenset(tokens + tokenize(before.group(1) if before else ""))
            table.append((frozenset(tokens), called))
            if 2 <= len(name) <= MAX_NAME_WORDS and not {"of", "for"} & set(name):
                if name[-1].lower() not in lower:
                    table.append((frozenset(tokens[-1:]), called))
                else:  # "the Munro Review": a thing named for its owner
                    table.append((frozenset(tokenize(" ".join(name[:-1]))), frozenset(tokens)))
        for match in _OWNS.finditer(sentence.text):  # "Munro’s review", not "Children’s minister"
            if match.group("owner").lower() not in lower:
                owner = tokenize(match.group("owner"))
                table.append((frozenset(owner), frozenset(owner + tokenize(match.group("owned")))))
    return table


def sentence_voices(sentences: Sequence[Sentence], story_of: Sequence[int],
                    story_voices: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """For each sentence, the tokens of who it is in the words of (the rules in the module
    docstring) and of all the documents call them (`people`); `story_voices` are the tokens of
    each story's writer, publisher and byline (`Story.voice`), `story_of` each sentence's story."""
    known = people(sentences)
    return [voice.union(*(called for named, called in known if named <= voice)) if voice else voice
            for voice in _own_voices(sentences, story_of, story_voices)]


def asker_words(who: str) -> tuple[str, ...]:
    """The tokens a voice must hold to be `who`'s: their names ("Action for Children"), or all
    their words when they are named by none ("the minister")."""
    capitals = [w for w in re.findall(r"[\w'’.-]+", who) if w[0].isupper()]
    return tuple(tokenize(" ".join(capitals) if capitals else who))


def _same(word: str, other: str) -> bool:
    """One name, or one a slip from the other ("Monro" for "Munro", as one document has it)."""
    return word == other or (len(word) >= MIN_LETTERS and other in slips(word))


def voiced_by(words: Sequence[str], voice: frozenset[str]) -> bool:
    """Whether a sentence in `voice` is in the words of whoever `words` (`asker_words`) name."""
    return bool(words) and all(any(_same(word, token) for token in voice) for word in words)
