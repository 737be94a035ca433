"""Which scored sentences the answer quotes, and the lines they need beside them.

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
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Sentence
from ..question.conversation import ResolvedQuestion
from ..question.kinds import kind_shows
from ..question.voices import view_words
from ..search.index_data import IndexData
from ..text import tokenize, unsaid
from .scoring import Candidate, word_share
from .settings import ComposerSettings


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
    return (word_share(weights, unsaid(candidate.tokens, covered)) > 0 and gives_kind
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
                   + settings.coverage_weight * word_share(weights, unsaid(c.tokens, seen)))
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
