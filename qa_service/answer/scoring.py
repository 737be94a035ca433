"""Every sentence of the retrieved passages, scored against the question.

Each is scored on three signals
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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import ScoredPassage, Sentence
from ..question.conversation import ResolvedQuestion
from ..question.figures import Figure, gives_figure
from ..question.kinds import acronyms, holds_kind, kind_is_required, spells_out
from ..question.quotes import introduces, introduction
from ..question.stories import named_stories
from ..question.voices import asker_words, voiced_by
from ..search.index_data import IndexData
from ..text import tokenize
from .settings import ComposerSettings


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


def word_share(weights: dict[str, float], tokens: frozenset[str]) -> float:
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
        share = word_share(weights, tokens)
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
