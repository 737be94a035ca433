"""A file in SQuAD 2.0's JSON format as frozen data, checked before any work is done.

`python -m evaluate --squad FILE` indexes the file's articles and asks its questions, which
takes minutes; a file that is wrong somewhere must fail at once, in one line naming the
article (and the question, where there is one), not as a traceback halfway through. So
this loader checks everything the evaluation later relies on: the shape of every article,
paragraph, question and answer, that no article is empty, that an answerable question has
answers, and that every answer is the very text its `answer_start` points at.

The format (https://rajpurkar.github.io/SQuAD-explorer/):

    {"version": "v2.0", "data": [{"title": "Normans", "paragraphs": [
        {"context": "...", "qas": [{"id": "...", "question": "...", "is_impossible": false,
                                    "answers": [{"text": "France", "answer_start": 159}]}]}]}]}

`is_impossible` may be left out (SQuAD 1.1 files), meaning answerable; `plausible_answers`
and any other key are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EvaluationError


class SquadError(EvaluationError):
    """The SQuAD file is missing, unreadable, or not in SQuAD 2.0's format (the message says where)."""


@dataclass(frozen=True)
class SquadAnswer:
    """One crowd-worker's answer: a span of its paragraph's context."""

    text: str
    start: int


@dataclass(frozen=True)
class SquadQuestion:
    """A question with its gold answers; `answers` is empty exactly when it is unanswerable."""

    id: str
    question: str
    answers: tuple[SquadAnswer, ...]
    article: str  # the article's title as the file writes it
    paragraph: int  # index of its paragraph within the article

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    @property
    def answer_texts(self) -> tuple[str, ...]:
        """The distinct gold answer texts, in the file's order."""
        return tuple(dict.fromkeys(a.text for a in self.answers))


@dataclass(frozen=True)
class SquadParagraph:
    context: str
    questions: tuple[SquadQuestion, ...]


@dataclass(frozen=True)
class SquadArticle:
    title: str
    paragraphs: tuple[SquadParagraph, ...]

    @property
    def questions(self) -> tuple[SquadQuestion, ...]:
        return tuple(q for p in self.paragraphs for q in p.questions)

    @property
    def display_title(self) -> str:
        """The title as a document shows it: Wikipedia's underscores read as spaces."""
        return self.title.replace("_", " ")


@dataclass(frozen=True)
class SquadSet:
    """The articles of one file (or the ones chosen with --article)."""

    name: str
    articles: tuple[SquadArticle, ...]

    @property
    def questions(self) -> tuple[SquadQuestion, ...]:
        return tuple(q for a in self.articles for q in a.questions)


def _article_label(index: int, title: object) -> str:
    return f"article {title!r}" if isinstance(title, str) and title.strip() else f"article {index + 1}"


def _field(raw: Mapping[str, Any], key: str, kind: type, where: str, what: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SquadError(f"{where} has no {key!r} {what}")
    return value


def _answer(raw: Any, context: str, where: str) -> SquadAnswer:
    if not isinstance(raw, Mapping):
        raise SquadError(f"{where}: every answer must be an object with 'text' and 'answer_start'")
    text = _field(raw, "text", str, where + ": an answer", "string")
    start = _field(raw, "answer_start", int, where + ": an answer", "integer")
    if not text.strip():
        raise SquadError(f"{where}: an answer's text is empty")
    if start < 0 or start + len(text) > len(context):
        raise SquadError(f"{where}: answer {text!r} at answer_start {start} runs outside its paragraph "
                         f"({len(context)} characters)")
    found = context[start:start + len(text)]
    if found != text:
        raise SquadError(f"{where}: answer {text!r} is not the text at answer_start {start} of its paragraph "
                         f"(which reads {found!r})")
    return SquadAnswer(text, start)


def _question(raw: Any, article: str, paragraph: int, number: int, context: str, label: str) -> SquadQuestion:
    where = f"{label} paragraph {paragraph + 1} question {number + 1}"
    if not isinstance(raw, Mapping):
        raise SquadError(f"{where} is not an object")
    qid = raw.get("id")
    if not isinstance(qid, str) or not qid.strip():
        raise SquadError(f"{where} has no 'id' string")
    where = f"{label} question {qid if qid.isprintable() else repr(qid)}"  # the message stays one line
    question = _field(raw, "question", str, where, "string")
    if not question.strip():
        raise SquadError(f"{where}: the question is empty")
    answers = _field(raw, "answers", list, where, "list")
    impossible = raw.get("is_impossible", False)
    if not isinstance(impossible, bool):
        raise SquadError(f"{where}: 'is_impossible' must be true or false")
    if impossible:
        return SquadQuestion(qid, question, (), article, paragraph)
    if not answers:
        raise SquadError(f"{where} is answerable (is_impossible is false) but has no answers")
    return SquadQuestion(qid, question, tuple(_answer(a, context, where) for a in answers), article, paragraph)


def _paragraph(raw: Any, article: str, index: int, label: str) -> SquadParagraph:
    where = f"{label} paragraph {index + 1}"
    if not isinstance(raw, Mapping):
        raise SquadError(f"{where} is not an object")
    context = _field(raw, "context", str, where, "string")
    qas = _field(raw, "qas", list, where, "list")
    if not context.strip():
        raise SquadError(f"{where} has an empty context")
    return SquadParagraph(context, tuple(_question(q, article, index, k, context, label) for k, q in enumerate(qas)))


def _article(raw: Any, index: int) -> SquadArticle:
    if not isinstance(raw, Mapping):
        raise SquadError(f"article {index + 1} is not an object")
    label = _article_label(index, raw.get("title"))
    title = _field(raw, "title", str, label, "string")
    if not title.strip():
        raise SquadError(f"{label} has an empty 'title'")
    paragraphs = _field(raw, "paragraphs", list, label, "list")
    if not paragraphs:
        raise SquadError(f"{label} has no paragraphs")
    return SquadArticle(title, tuple(_paragraph(p, title, k, label) for k, p in enumerate(paragraphs)))


def parse_squad(data: Any, name: str) -> SquadSet:
    """A SquadSet from parsed JSON; SquadError naming the article and question where it is wrong."""
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise SquadError(f"{name}: expected an object with a 'data' list of articles (SQuAD 2.0 format)")
    try:
        articles = tuple(_article(raw, k) for k, raw in enumerate(data["data"]))
    except SquadError as exc:
        raise SquadError(f"{name}: {exc}") from exc
    if not articles:
        raise SquadError(f"{name}: the 'data' list holds no articles")
    seen: dict[str, str] = {}
    for article in articles:
        for question in article.questions:
            if question.id in seen:
                raise SquadError(f"{name}: article {article.title!r} question {question.id} repeats an id "
                                 f"already used in article {seen[question.id]!r}")
            seen[question.id] = article.title
    titles = [a.display_title for a in articles]
    repeated = sorted({t for t in titles if titles.count(t) > 1})
    if repeated:
        raise SquadError(f"{name}: article {repeated[0]!r} appears more than once")
    if not seen:
        raise SquadError(f"{name}: no article holds a question")
    return SquadSet(name, articles)


def load_squad(path: Path) -> SquadSet:
    """The SQuAD file at `path`, checked whole; SquadError (one line) when it is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SquadError(f"SQuAD file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise SquadError(f"{path} is a folder, not a SQuAD file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SquadError(f"cannot read SQuAD file {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SquadError(f"{path} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    return parse_squad(data, path.name)


def select_articles(squad: SquadSet, titles: Sequence[str]) -> SquadSet:
    """Only the articles named (as the file writes the title, or with spaces for '_'), in file order.

    SquadError listing the titles there are when one is not in the file.
    """
    if not titles:
        return squad
    wanted = {t.strip().replace("_", " ") for t in titles}
    known = {a.display_title for a in squad.articles}
    unknown = sorted(wanted - known)
    if unknown:
        available = ", ".join(a.title for a in squad.articles)
        raise SquadError(f"{squad.name} has no article {unknown[0]!r}; it has: {available}")
    chosen = SquadSet(squad.name, tuple(a for a in squad.articles if a.display_title in wanted))
    if not chosen.questions:
        raise SquadError(f"{squad.name}: article {chosen.articles[0].title!r} holds no question")
    return chosen
