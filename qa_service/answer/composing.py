"""From retrieved passages to an extractive answer: 1-3 quoted sentences, or an abstention.

The stages: sentences are scored (scoring.py), refused when the documents lack what is asked
(refusals.py) or score below the calibrated threshold (settings.py), chosen (selection.py),
cited, and their answering phrase marked (spans.py).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from ..models import Answer, Citation, ScoredPassage, Sentence
from ..question.conversation import ResolvedQuestion
from ..question.kinds import kind_is_required
from ..search.index_data import IndexData
from .refusals import refusal_reason
from .scoring import Candidate, question_weights, ranked_passages, score_sentences
from .selection import own_weights, says_the_same, select, with_lines_needed, with_title_first
from .settings import ComposerSettings
from .spans import mark_answers

ABSTAIN_TEXT = "The documents don't answer this question."


def citation_of(n: int, sentence: Sentence, data: IndexData) -> Citation:
    """Citation number `n` of `sentence`: its document, the section it stands in, and its span."""
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
        page=document.page_at(sentence.start),
    )


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


def best_first(citations: list[Citation], chosen: list[Sentence]) -> list[Citation]:
    """`citations` (of `chosen`, best first) with each paragraph's sentences together in
    reading order, the paragraphs in the order of their best sentence.

    Within a paragraph a later sentence leans on an earlier one ("He said...", "It...");
    across paragraphs nothing does, and a reader who checks only the first citation should
    find the best one there.
    """
    place: dict[tuple[str, int], int] = {}
    for sentence in chosen:
        place.setdefault((sentence.doc_id, sentence.paragraph), len(place))
    order = sorted(zip(citations, chosen), key=lambda pair: (place[(pair[1].doc_id, pair[1].paragraph)], pair[1].start))
    return [citation for citation, _ in order]


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
    missing = refusal_reason(resolved, candidates, data, weights)
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
    citations = mark_answers([citation_of(0, sentence, data) for sentence in chosen], resolved)
    dated = all(c.date for c in citations) and len({c.date for c in citations}) > 1
    if dated:  # how the story moved: oldest first, with the dates shown by every client
        citations.sort(key=lambda c: c.date)
    else:
        citations = best_first(citations, chosen)
    numbered = tuple(replace(c, n=i) for i, c in enumerate(citations, start=1))
    text = " ".join(f"{c.quote} [{c.n}]" for c in numbered)
    return Answer(text, False, numbered, ranked, confidence, resolved.query, ordered_by_date=dated)
