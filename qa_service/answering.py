"""From retrieved passages to an extractive answer: 1-3 quoted sentences, or an abstention.

Every sentence of the retrieved passages is scored against the question on three signals
that each catch what the others miss: meaning (cosine of the sentence embedding), context
(cosine of the passage around it, which sees what a pronoun like "she" stands for) and
words (the share of the question's rarer words the sentence contains, counting for a
sentence of a quote the line that names its speaker). A question that asks for a number,
a date, a name or a reason expects that kind of thing in its answer (kinds.py): a
sentence with one scores higher, and one without a number, date or name lower; asked how
many of something, only a count of that thing counts ("26 years", figures.py). A question
that names a story by its masthead ("According to the Tri.x blog...") is about that story:
sentences of other stories score lower (stories.py). In a follow-up, the passages around
the sentences already quoted are read too, since a conversation tends to go on where it
was; sentences near the quoted ones gain, sentences of other stories lose a little (unless
the follow-up names a story, or asks who or what happened later: conversation.py), and
the quoted ones themselves lose a little, so the conversation moves on.

The best sentence answers; up to two more join it when they score nearly as well, say
something different and keep the answer short; among those, covering question words the
answer lacks counts in a sentence's favour. They may join even when the best sentence
holds every question word: that sentence is often a story's opening, naming the topic but
not the answer, and requiring new words lost more correct answers than it saved off-topic
quotes (evaluate/README.md). A sentence from another document than the best one's must score
closer still: quoting a second source mixes stories, so it needs stronger evidence. Asked
why, a sentence that points back for its reason ("That is why...", "This has allowed...")
brings the sentence before it; asked who, a sentence from a quote brings the line naming
its speaker (quotes.py); asked who wrote a story, the answer opens with the story's byline;
asked what something is called, with a sentence giving a name in quotes. A question asking
two or three things at once ("Who wrote it, and when?") is answered part by part: each
part, scored as a question of its own with its own kind, gets a different sentence, and a
second one close behind when the first lacks the name, number or date the part asks for.

When even the best sentence scores below the calibrated threshold, the documents are
taken not to hold the answer. So are they when the question names something (a
capitalised word such as "Scotland") that no document mentions at all: however well a
sentence matches the rest of the question, it is about something else, and the reply
says which name was missing; likewise when it asks which university, newspaper,
company... and no document uses that word (kinds.py). And so are they when the question
asks for a count or a sum of money that no retrieved sentence gives (figures.py), for a
number, a date or where something is based that only sentences matching the question much
worse than the best one hold, or for who holds a role that no retrieved sentence, nor the
speaker of a quote it belongs to, names anyone in (roles.py).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .answer_spans import mark_answers
from .conversation import ResolvedQuestion
from .figures import Figure, gives_figure
from .indexing import IndexData
from .kinds import TITLES, acronyms, asking_words, holds_kind, kind_is_required, kind_shows, names_asked, spells_out
from .models import Answer, Citation, ScoredPassage, Sentence
from .quotes import introduces, introduction
from .roles import names_holder
from .stories import named_stories
from .text import root, tokenize, unsaid
from .voices import asker_words, view_words, voiced_by

ABSTAIN_TEXT = "The documents don't answer this question."
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class ComposerSettings:
    """Weights and limits of sentence selection; the threshold comes from calibration."""

    threshold: float = 0.40
    weight_meaning: float = 0.40
    weight_context: float = 0.30
    weight_words: float = 0.30
    context_word_weight: float = 0.3  # a follow-up's context words count this much of its own
    # ... and all together at most this many times all of its own: a long previous answer
    # does not drown the words the follow-up itself asks with ("Who chaired the inquiry?")
    context_word_cap: float = 2.0
    type_bonus: float = 0.04
    type_penalty: float = 0.12
    # asked someone's view (voices.py): a sentence in their words, and one in someone else's.
    # Bonuses from 0.04 to 0.12 answer about the same turns of the sets (evaluate/README.md)
    voice_bonus: float = 0.08
    voice_penalty: float = 0.03
    near_prior_bonus: float = 0.06  # follow-ups: within `near_prior` sentences of an earlier quote
    near_prior: int = 4  # sentences either side, about the paragraphs around; chosen on gold (evaluate/README.md)
    repeat_penalty: float = 0.15  # follow-ups: a sentence the previous answer already quoted
    # headings are labels; they answer only what nothing else does. So do lines introducing a
    # quote or list ("X said:"), unless asked who: then the speaker they name may be the answer,
    # and bylines ("This post is provided by..."), unless asked who wrote the story
    heading_penalty: float = 0.15
    other_story_penalty: float = 0.15  # a sentence outside the story a question names by its masthead (stories.py)
    # follow-ups: a sentence outside the stories the previous answer quoted. Small: a
    # conversation may move to another source ("What did the charity say?")
    story_change_penalty: float = 0.05
    coverage_weight: float = 0.3  # further sentences: worth of covering question words not yet covered
    candidate_passages: int = 8
    max_sentences: int = 3
    max_words: int = 60
    margin: float = 0.20  # how far below the best a further sentence may score
    # the same for a sentence from another document than the best's: the largest cut of
    # the gold set's off-source citations that cost no correct answer (evaluate/README.md)
    cross_document_margin: float = 0.12
    redundancy: float = 0.80  # cosine above which two sentences say the same thing
    min_words: int = 4


def load_composer_settings(path: Path = CALIBRATION_FILE) -> ComposerSettings:
    """Composer settings with the abstention threshold the evaluation calibrated, if any."""
    try:
        calibration = json.loads(path.read_text(encoding="utf-8"))
        return ComposerSettings(threshold=float(calibration["threshold"]))
    except (OSError, ValueError, KeyError, TypeError):
        return ComposerSettings()


# A name in a question is unknown when one of its words is in no document. Acronyms alone
# do not count (a reader may abbreviate what the text spells out), nor do titles before
# names, nor adjectives of nationality ("British", "Scottish", "Canadian"): a reader may say
# "British" where the text says "UK". Those are told by their endings, so a place that ends
# the same way ("Japan") is let through too: the rule errs towards answering, and the
# threshold still applies.
_JOINS_NAMES = re.compile(r"(?:\s+(?:of|for|and|the|de))+\s+")
_NAMING_WORD = re.compile(r"[A-Z][a-z][\w'’.-]*\w")
_NATIONALITY = re.compile(r"(ish|ian|ese|an|ch|i)$")


def unknown_names(question: str, data: IndexData) -> list[str]:
    """Names in the question with a word that no sentence of any document contains.

    Neighbouring unknown names joined by "of", "for"... are one name ("London School of
    Economics"), so the reply names it as the reader wrote it.
    """
    unknown = [match for match in names_asked(question)
               if any(_unknown_word(word, data) for word in _NAMING_WORD.findall(match.group()))]
    names: list[tuple[int, int]] = []
    for match in unknown:
        if names and _JOINS_NAMES.fullmatch(question[names[-1][1]:match.start()]):
            names[-1] = (names[-1][0], match.end())
        else:
            names.append(match.span())
    return [re.sub(r"['’]s$", "", question[start:end]) for start, end in names]


def _unknown_word(word: str, data: IndexData) -> bool:
    tokens = tokenize(word)
    acronym = sum(c.isupper() for c in word) > 1  # "DfE", "LSCBs": a reader's shorthand for what the text spells out
    known = acronym or word.lower() in TITLES or _NATIONALITY.search(word) or any(
        t in data.idf or root(t) in data.roots for t in tokens)  # "Canada" where the text says "Canadian"
    return bool(tokens) and not known


@dataclass(frozen=True)
class Candidate:
    """A sentence that might answer, with the signals behind its score."""

    sentence: Sentence
    vector: np.ndarray
    meaning: float
    context: float
    words: float
    tokens: frozenset[str]
    score: float
    holds_kind: bool  # holds the kind of thing the question asks for (kinds.py)
    voiced: bool  # in the words of whoever the question asks the view of (voices.py)
    speaker: Sentence | None  # the line naming who says it, for a sentence of a quote (quotes.py)

    @property
    def word_count(self) -> int:
        return len(self.sentence.text.split())


def question_weights(resolved: ResolvedQuestion, data: IndexData, settings: ComposerSettings) -> dict[str, float]:
    """IDF weight of each question word (unseen words weigh most); context words weigh less."""
    own = {t: data.idf.get(t, data.missing_idf) for t in tokenize(resolved.question)}
    context = {t: data.idf.get(t, data.missing_idf) for t in tokenize(resolved.context) if t not in own}
    scale = settings.context_word_weight
    if own and context:  # "Why?" has no words of its own: then its context is all it has
        scale = min(scale, settings.context_word_cap * sum(own.values()) / sum(context.values()))
    return {**{t: scale * w for t, w in context.items()}, **own}


def _share(weights: dict[str, float], tokens: frozenset[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in tokens) / total if total else 0.0


def counted_figure(resolved: ResolvedQuestion, data: IndexData) -> Figure | None:
    """The count or sum asked for (figures.py), when the documents use the question's word
    for what is counted: a paraphrase ("proposals" for "recommendations") says nothing of
    which sentences count it, so any number may answer."""
    figure = resolved.figure
    return figure if figure and all(stem in data.idf for stem in figure.stems) else None


def sentence_words(data: IndexData, sentence_id: int, asked_acronyms: list[str]) -> frozenset[str]:
    """A sentence's content tokens, with each acronym of the question it spells out:
    "Parents Against Injustice" holds PAIN all the same."""
    tokens = data.sentence_tokens(sentence_id)
    spelt = [acronym for acronym in asked_acronyms if spells_out(acronym, data.sentences[sentence_id].text)]
    return tokens | frozenset(tokenize(" ".join(spelt))) if spelt else tokens


def score_sentences(
    resolved: ResolvedQuestion,
    vectors: np.ndarray,
    passages: list[ScoredPassage],
    data: IndexData,
    settings: ComposerSettings,
    weights: dict[str, float],
    meaning_rows: list[int] | None = None,
) -> list[Candidate]:
    """Every sentence of the top passages that could answer, best first.

    `vectors` embed the question's search texts: the question, then its parts, or for a
    follow-up the question with its context (and spelled out, conversation.py). A
    sentence's meaning is judged against the best match of `meaning_rows` (by default
    `resolved.meaning_rows`: the question, its parts or its spelled-out form, never its
    context: the previous answer would always win again; one part of a two-part
    question when it is scored on its own); its passages are judged against all of them,
    which is how "why?" finds the reason next to the last answer. Passages overlap, so a
    sentence may stand in two: its context is their average, so a sentence does not borrow
    the match of a neighbour it merely shares a passage with (a story's headline, say).
    """
    top = [hit.passage for hit in passages[: settings.candidate_passages]]
    if not top:
        return []
    prior = {s.sentence_id for s in data.sentences_near(resolved.prior_quotes, settings.near_prior)}
    top += data.passages_with(prior)  # a conversation goes on where it was
    sentence_ids = {sid for passage in top for sid in passage.sentence_ids}
    around = data.passages_with(sentence_ids)  # every passage holding a candidate, retrieved or not
    passage_meaning = (data.passage_vectors.vectors([p.passage_id for p in around]) @ vectors.T).mean(axis=1)
    cosines: dict[int, list[float]] = {}
    for passage, cosine in zip(around, passage_meaning.tolist()):
        for sid in passage.sentence_ids:
            cosines.setdefault(sid, []).append(cosine)
    context = {sid: sum(cosines[sid]) / len(cosines[sid]) for sid in sorted(sentence_ids)}
    meaning_vectors = vectors[resolved.meaning_rows if meaning_rows is None else meaning_rows]  # the best match counts
    # a two-part question may ask about two stories, and name only one
    named = frozenset() if resolved.parts else named_stories(resolved.question, data.stories)
    other_story_penalty = settings.other_story_penalty
    if not named and resolved.stays_in_story:  # a follow-up naming no story goes on with those just quoted
        named = frozenset(data.story_of(s.sentence_id) for s in data.sentences_near(resolved.prior_quotes, 0))
        other_story_penalty = settings.story_change_penalty
    kind = resolved.kind
    asked_acronyms = acronyms(resolved.question)
    counted = counted_figure(resolved, data) if kind == "number" else None
    view = resolved.view
    asker, asker_names = (frozenset(tokenize(view.who)), asker_words(view.who)) if view else (frozenset(), ())
    candidates = []
    for sid, ctx in context.items():
        sentence = data.sentences[sid]
        if len(sentence.text.split()) < settings.min_words:
            continue
        vector = data.sentence_vectors[sid]
        meaning = float((meaning_vectors @ vector).max())
        tokens = sentence_words(data, sid, asked_acronyms)
        speaker = introduction(data.sentences, sid)
        if speaker:  # a quoted sentence is in the words of whoever its quote's first line names
            tokens |= data.sentence_tokens(speaker.sentence_id)
        voiced = voiced_by(asker_names, data.voices[sid])
        if voiced:  # in the words of whoever the question asks the view of: it holds their name
            tokens |= asker
        share = _share(weights, tokens)
        score = settings.weight_meaning * meaning + settings.weight_context * ctx + settings.weight_words * share
        # asked "how many years after Cleveland", a sentence must count years ("26 years"), not children
        holds = (gives_figure(sentence.text, counted) if counted
                 else kind is not None and holds_kind(kind, sentence.text, resolved.question, data.repeated_names))
        if holds:
            score += settings.type_bonus
        elif kind is not None and kind_is_required(kind, resolved.question):
            score -= settings.type_penalty
        if voiced:
            score += settings.voice_bonus
        elif view and data.voices[sid]:
            score -= settings.voice_penalty
        if sid in prior:
            score += settings.near_prior_bonus
        if sentence.text in resolved.prior_quotes:
            score -= settings.repeat_penalty
        if sentence.heading or (kind != "name" and introduces(sentence.text)) or (kind != "author" and sid in data.bylines):
            score -= settings.heading_penalty
        if named and data.story_of(sid) not in named:
            score -= other_story_penalty
        candidates.append(Candidate(sentence, vector, meaning, ctx, share, tokens, score, holds, voiced, speaker))
    return sorted(candidates, key=lambda c: (-c.score, c.sentence.sentence_id))


def ranked_passages(passages: list[ScoredPassage], candidates: list[Candidate]) -> tuple[ScoredPassage, ...]:
    """The retrieved passages, each ranked and scored by the best sentence it adds to those
    listed above it (the confidence scale).

    Retrieval ranks a passage by its words and its embedding as a whole; scoring judges
    each sentence on more (its own meaning, the kind of thing asked for, the story named,
    the conversation so far). Ranked by their best sentence, the passage holding what the
    answer quotes comes first, and a reader looking for more, or for related reading after
    a refusal, starts there: on the gold set the first passage holds the answer in 0.79 of
    questions instead of 0.68 (evaluate/README.md). Passages overlap, so the next one
    holding that same sentence would show it again: it is ranked by what it adds, and a
    passage with something else to show comes first. A passage adding no sentence long
    enough to score keeps its retrieval order after the others, scored 0.
    """
    best = {candidate.sentence.sentence_id: candidate.score for candidate in candidates}
    left, shown, ranked = list(passages), set[int](), []
    while left:
        adds = [max((best[sid] for sid in hit.passage.sentence_ids if sid in best and sid not in shown), default=None)
                for hit in left]
        scored = {i: score for i, score in enumerate(adds) if score is not None}
        if not scored:
            break
        first = max(scored, key=scored.__getitem__)  # the first of equals: retrieval's order
        ranked.append(ScoredPassage(left[first].passage, scored[first]))
        shown.update(left.pop(first).passage.sentence_ids)
    return (*ranked, *(ScoredPassage(hit.passage, 0.0) for hit in left))


def with_title_first(candidates: list[Candidate], question: str) -> list[Candidate]:
    """`candidates`, led by the best one giving a name in quotes ("‘A child-centred system’")
    that shares a word with the question, when any does.

    Asked what something is called, the sentence naming it tends to refer to it by a
    pronoun ("Its response, ‘A child-centred system’, sets out...") and so matches the
    question far worse than a story's opening sentence about the same thing.
    """
    own = set(tokenize(question))
    titled = next((c for c in candidates if c.holds_kind and c.tokens & own), None)
    return [titled, *(c for c in candidates if c is not titled)] if titled else candidates


def says_the_same(a: Candidate, b: Candidate, settings: ComposerSettings) -> bool:
    """True for one sentence twice, or two whose embeddings are closer than `settings.redundancy`."""
    return a.sentence == b.sentence or float(a.vector @ b.vector) > settings.redundancy


def adds_from_elsewhere(candidate: Candidate, lead: Candidate, covered: set[str], weights: dict[str, float],
                        kind: str | None) -> bool:
    """Whether a sentence from a document the answer does not quote yet adds to it: it holds
    question words (`weights`: the question's own) the answer does not hold yet, and gives
    what the best sentence gives of what is asked (a kind of answer that shows in words, the
    view of whoever is asked about).

    Close in score, a sentence from another story is most often talk around the same subject:
    "On 13 December 2011, Tim Loughton... gave an update" beside the sentence naming the
    response asked about. Over the seven evaluation sets, three in four such additions cited
    a document the answer is not in (evaluate/README.md).
    """
    gives_kind = candidate.holds_kind or not lead.holds_kind or kind is None or not kind_shows(kind)
    return (_share(weights, unsaid(candidate.tokens, covered)) > 0 and gives_kind
            and (candidate.voiced or not lead.voiced))


def own_weights(resolved: ResolvedQuestion, weights: dict[str, float]) -> dict[str, float]:
    """The weights of the question's own words, or all of them when it has none ("Why?").

    A follow-up's context words find what it is about; a sentence holding one adds only
    what the previous answer said ("child" after an answer about children's services). Nor
    does a sentence holding the verb a view is asked with ("What did Munro say...?" and
    "She said...") add anything: whose view it is, the voice tells.
    """
    own = set(tokenize(resolved.question)) - (view_words(resolved.question) if resolved.view else frozenset())
    return {t: w for t, w in weights.items() if t in own} or weights


def select(candidates: list[Candidate], weights: dict[str, float], settings: ComposerSettings,
           kind: str | None = None, own: dict[str, float] | None = None) -> list[Candidate]:
    """The best sentence, then up to two close seconds that say something new, preferring
    those adding question words; `kind` is the kind of answer asked for (kinds.py), `own`
    weighs the words the question asks with itself (`own_weights`; by default all of them)."""
    if not candidates:
        return []
    own = weights if own is None else own
    lead = candidates[0]
    chosen = [lead]
    covered = set(lead.tokens)
    quoted = {lead.sentence.doc_id}
    words = lead.word_count
    floors = {True: lead.score - settings.margin, False: lead.score - settings.cross_document_margin}
    while len(chosen) < settings.max_sentences:
        eligible = [
            c for c in candidates
            if c not in chosen
            and c.score >= floors[c.sentence.doc_id == lead.sentence.doc_id]
            and words + c.word_count <= settings.max_words
            and not any(says_the_same(c, other, settings) for other in chosen)
            and (c.sentence.doc_id in quoted or adds_from_elsewhere(c, lead, covered, own, kind))
        ]
        if not eligible:
            break
        best = max(eligible, key=lambda c, seen=frozenset(covered): c.score
                   + settings.coverage_weight * _share(weights, unsaid(c.tokens, seen)))
        chosen.append(best)
        quoted.add(best.sentence.doc_id)
        covered |= best.tokens
        words += best.word_count
    return chosen


# "That is why I am recommending...", "This has allowed for...": the reason is the sentence before.
_REASON_BEFORE = re.compile(r"^\W*(?:(?:that|this|which)(?: is|['’]s) why|for (?:this|that|these|those) reasons?|"
                            r"because of (?:this|that)|as a result|hence|therefore|"
                            r"(?:this|that) (?:has |have |had )?(?:allowed|enabled|meant|led to|made it possible))\b", re.I)


def _preceded(chosen: list[Sentence], first: Callable[[Sentence], Sentence | None]) -> list[Sentence]:
    """`chosen`, each sentence preceded by the one `first` says must come before it (once)."""
    result = list(chosen)
    for sentence in chosen:
        before = first(sentence)
        if before and before not in result:
            result.insert(result.index(sentence), before)
    return result


def with_reasons_before(chosen: list[Sentence], data: IndexData) -> list[Sentence]:
    """`chosen`, each sentence that points back to its reason preceded by the sentence it points to.

    Asked why (or how something was able to happen), an answer quoting only "That is
    why..." or "This has allowed..." would restate the question; the reason is the
    sentence before it.
    """
    def reason(sentence: Sentence) -> Sentence | None:
        before = data.sentences[sentence.sentence_id - 1] if sentence.sentence_id > 0 else None
        if before and _REASON_BEFORE.match(sentence.text) and before.doc_id == sentence.doc_id and not before.heading:
            return before
        return None

    return _preceded(chosen, reason)


def with_speakers(chosen: list[Candidate]) -> list[Sentence]:
    """The chosen sentences, each sentence of a quote preceded by the line naming who said it
    (quotes.py), which scoring already found for every candidate.

    Asked who said something, an answer quoting the third paragraph of a quote alone
    would not name anyone.
    """
    speakers = {c.sentence.sentence_id: c.speaker for c in chosen}
    return _preceded([c.sentence for c in chosen], lambda sentence: speakers[sentence.sentence_id])


def with_byline(chosen: list[Sentence], data: IndexData) -> list[Sentence]:
    """`chosen`, led by the byline of the story its first sentence comes from, when that story has one.

    Asked who wrote a story, the sentences matching the question best are about its topic;
    the line naming the writer ("By Lauren Higgs ...", "This post is provided by ...
    Nick Lister") matches little of it, and may not even be in the retrieved passages.
    """
    byline = data.stories[data.story_of(chosen[0].sentence_id)].byline
    return [byline, *chosen] if byline and byline not in chosen else chosen


def _citation(n: int, sentence: Sentence, data: IndexData) -> Citation:
    document = data.documents[sentence.doc_id]
    section = document.section_at(sentence.start)
    return Citation(
        n=n,
        doc_id=document.doc_id,
        title=document.title,
        source=document.source,
        date=(section.date if section and section.date else document.date),
        section=section.title if section else "",
        quote=sentence.text,
        start=sentence.start,
        end=sentence.end,
    )


# Kinds whose absence from every well-matching sentence means the documents lack the answer
# (a name may be a group's, and a reason may go unsaid, so neither is judged this way).
_KIND_LACKING = {"number": "They give no such figure.", "date": "They give no such date.",
                 "base": "They don't say where."}
# How much of the best match of the question's words a sentence holding the number or date
# asked for must reach. Every answerable number and date question of the gold and holdout
# sets reaches 1.0 (the best-matching sentence holds it); their unanswerable ones score
# 0.0-0.52 and one 0.73. Answerable questions paraphrased harder ("When did the minister
# brief MPs on progress?") score as low as 0.62, so the cut sits below them, nearer the
# unanswerable side: a wrong refusal costs more than a missed one (evaluate/README.md).
KIND_WORD_SHARE = 0.55


def _kind_share(resolved: ResolvedQuestion, candidates: list[Candidate], data: IndexData,
                weights: dict[str, float]) -> float:
    """The best word match among sentences holding the kind asked for, relative to the best overall.

    Words are matched without those that ask ("What year..."): "26 years after Cleveland"
    holds no date, however well "year" matches. Each sentence's own words are matched, not
    its speaker's: "half" in Shaun Kelly's quote is no figure about him. Any number counts
    here, not only a count of the thing asked about: "Some 26 years after Cleveland" answers
    "How many years had passed since Cleveland when PAIN held its event?" though it matches
    its words far worse than a sentence about PAIN counting children does.
    The best overall is among sentences the conversation has not quoted yet: a follow-up's
    words include the previous answer's, which its own sentences match by construction
    ("And when does the government want them in place?" after the sentence about them).
    """
    kind = resolved.kind
    asking = set(tokenize(asking_words(kind, resolved.question)))
    weights = {t: w for t, w in weights.items() if t not in asking}
    asked_acronyms = acronyms(resolved.question)
    shares = [(_share(weights, sentence_words(data, c.sentence.sentence_id, asked_acronyms)),
               holds_kind(kind, c.sentence.text, resolved.question, data.repeated_names), c.sentence.text in resolved.prior_quotes)
              for c in candidates]
    best = max((share for share, _, quoted in shares if not quoted), default=0.0)
    holding = max((share for share, holds, _ in shares if holds), default=0.0)
    return holding / best if best > 0 else 1.0


def _missing(resolved: ResolvedQuestion, candidates: list[Candidate], data: IndexData, weights: dict[str, float]) -> str:
    """What the question asks about that the documents lack, said in a sentence, or "" when nothing is.

    A figure counts as lacking only when the documents do use the question's word for
    what is counted; otherwise the question may be paraphrasing them. A number, a date or a
    base ("based in Birmingham") counts as lacking when the sentences that hold one match
    much less of the question's wording than the sentence that matches it best: the
    documents speak of the thing asked about but never put a number or date on it, or say
    where it is. A role's holder counts as lacking when no sentence names someone beside
    the role's head noun, nor does the line introducing a quote a sentence belongs to
    (quotes.py): "Shaun Kelly, Head of Safeguarding ... said:" speaks for paragraphs after it.
    """
    unknown = unknown_names(resolved.question, data)
    if unknown:
        return f"They never mention {' or '.join(unknown)}."
    if resolved.institution and not any(t in data.idf for t in tokenize(resolved.institution)):
        return f"They never mention any {resolved.institution}."
    counted = counted_figure(resolved, data)
    if counted and not any(gives_figure(c.sentence.text, counted) for c in candidates):
        return "They give no such figure."
    if resolved.kind in _KIND_LACKING and candidates and _kind_share(resolved, candidates, data, weights) < KIND_WORD_SHARE:
        return _KIND_LACKING[resolved.kind]
    role = resolved.role
    if role:
        said = [c.sentence for c in candidates] + [c.speaker for c in candidates if c.speaker]
        if not any(names_holder(sentence.text, role, resolved.question, data.proper_words) for sentence in said):
            return "They name no one in that role."
    return ""


def with_lines_needed(kind: str | None, picked: list[Candidate], data: IndexData) -> list[Sentence]:
    """The picked sentences, with the lines the kind of answer asked for needs beside them:
    the reason a "that is why" points back to, the speaker of a quote, a story's byline."""
    chosen = [c.sentence for c in picked]
    if kind == "reason":
        return with_reasons_before(chosen, data)
    if kind == "name":
        return with_speakers(picked)
    if kind == "author":
        return with_byline(chosen, data)
    return chosen


def _holding_second(part: ResolvedQuestion, candidates: list[Candidate], pick: Candidate,
                    taken: list[Candidate], settings: ComposerSettings) -> Candidate | None:
    """For a part whose `pick` lacks the kind it asks for, the best of its candidates close
    behind that holds it and says nothing `taken` says, or None.

    "Which charities warned about children placed far from home, and...?" picks "Charities
    are warning that thousands of children placed in care far from home...", which restates
    the question; the names ("Charities – including Barnardo’s, the Who Cares Trust and
    Voice") come next. A one-part question gets such a second through `select`.
    """
    if part.kind is None or pick.holds_kind or not kind_is_required(part.kind, part.question):
        return None
    return next((c for c in candidates if c.holds_kind and c.score >= pick.score - settings.margin
                 and not any(says_the_same(c, other, settings) for other in taken)), None)


PART_CHOICES = 6  # the best few sentences of each part are weighed against each other's


def answer_parts(
    resolved: ResolvedQuestion,
    vectors: np.ndarray,
    passages: list[ScoredPassage],
    data: IndexData,
    settings: ComposerSettings,
) -> list[list[Sentence]]:
    """One answering sentence per part of a two-part question (with the lines its kind needs),
    or [] when the parts cannot have one each.

    Picked for the whole question, the best sentences tend to answer one part twice, or
    neither (a story's opening sentence touches both). Each part is scored as its own
    question, with its own kind ("By when...", "which solicitor..."), and the parts get
    different sentences, not saying the same thing, that together score best: a sentence
    best for both parts goes to the one the other sentences serve worse.
    """
    parts = []
    for index, row in enumerate(resolved.meaning_rows):
        part = resolved.part(index)
        weights = question_weights(part, data, settings)
        candidates = score_sentences(part, vectors, passages, data, settings, weights, meaning_rows=[row])
        if part.kind == "title":
            candidates = with_title_first(candidates, part.question)
        parts.append((part, candidates[:PART_CHOICES]))
    sets = [
        combination for combination in itertools.product(*(candidates for _, candidates in parts))
        if not any(says_the_same(a, b, settings) for a, b in itertools.combinations(combination, 2))
    ]
    if not sets:
        return []
    best = max(sets, key=lambda combination: sum(c.score for c in combination))
    picked = [[c] for c in best]
    words = sum(c.word_count for c in best)
    for (part, candidates), chosen in zip(parts, picked):
        second = _holding_second(part, candidates, chosen[0], [c for group in picked for c in group], settings)
        if second and words + second.word_count <= settings.max_words:
            chosen.append(second)
            words += second.word_count
    return [with_lines_needed(part.kind, chosen, data) for (part, _), chosen in zip(parts, picked)]


def compose(
    resolved: ResolvedQuestion,
    vectors: np.ndarray,
    passages: list[ScoredPassage],
    data: IndexData,
    settings: ComposerSettings,
) -> Answer:
    """The answer to one (resolved) question from its retrieved passages."""
    weights = question_weights(resolved, data, settings)
    candidates = score_sentences(resolved, vectors, passages, data, settings, weights)
    confidence = round(candidates[0].score, 4) if candidates else 0.0
    # a follow-up's best sentence may stand in a passage read around the last answer, not
    # retrieved: it is listed all the same, being where the answer comes from
    listed = {hit.passage.passage_id for hit in passages}
    homes = data.passages_with([candidates[0].sentence.sentence_id]) if candidates else []
    unlisted = [ScoredPassage(p, 0.0) for p in homes if p.passage_id not in listed]
    ranked = ranked_passages([*passages, *unlisted], candidates)
    missing = _missing(resolved, candidates, data, weights)
    if missing or confidence < settings.threshold:
        text = f"{ABSTAIN_TEXT} {missing}" if missing else ABSTAIN_TEXT
        return Answer(text, True, (), ranked, confidence, resolved.query)
    parts = answer_parts(resolved, vectors, passages, data, settings) if resolved.parts else []
    if parts:  # a speaker's line or a byline may serve two parts: quoted once
        chosen = list(dict.fromkeys(sentence for picked in parts for sentence in picked))
    else:
        if resolved.kind == "title":
            candidates = with_title_first(candidates, resolved.question)
        picked = select(candidates, weights, settings, resolved.kind, own_weights(resolved, weights))
        chosen = with_lines_needed(resolved.kind, picked, data)
    citations = mark_answers([_citation(0, sentence, data) for sentence in chosen], resolved)
    dated = all(c.date for c in citations) and len({c.date for c in citations}) > 1
    if dated:  # how the story moved: oldest first, with the dates shown by every client
        citations.sort(key=lambda c: c.date)
    else:  # the best sentence's document first, reading order within a document
        lead = citations[0].doc_id
        citations.sort(key=lambda c: (c.doc_id != lead, c.doc_id, c.start))
    numbered = tuple(replace(c, n=i) for i, c in enumerate(citations, start=1))
    text = " ".join(f"{c.quote} [{c.n}]" for c in numbered)
    return Answer(text, False, numbered, ranked, confidence, resolved.query, ordered_by_date=dated)
