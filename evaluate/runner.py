"""Running gold items through a system, turn by turn, as a real client would.

Every system answers in the JSON contract of `POST /api/ask` (see ../shared/DESIGN.md):
the in-process engine through `qa_service.serialize.answer_to_json`, a running service
over HTTP. One parser (`parse_reply`) reads both, so the evaluation scores exactly what
clients receive and the in-process and HTTP paths cannot drift apart.

Conversations send as history the previous questions with the system's *own* previous
answers, never the gold ones: a follow-up is only as good as the turn before it.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from tqdm import tqdm

from qa_service.models import Turn

from .errors import ServiceError
from .gold import GoldItem, GoldTurn

ASK_PATH = "/api/ask"


@dataclass(frozen=True)
class AnswerSpan:
    """The words of a citation that answer the question (an optional field of the contract)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CitedQuote:
    """A citation as the evaluation needs it: which document, which words, and where.

    `start`/`end` index the document's cleaned text (None when a reply leaves them out);
    `answer_span` is there only when the reply's citations carry one.
    """

    n: int
    doc_id: str
    quote: str
    title: str = ""
    section: str = ""
    start: int | None = None
    end: int | None = None
    answer_span: AnswerSpan | None = None


@dataclass(frozen=True)
class RetrievedPassage:
    """A passage the system ranked for the question, best first in `Reply.passages`."""

    doc_id: str
    start: int
    end: int
    text: str
    score: float

    @property
    def key(self) -> str:
        """Identifies the span across systems and transports (passage ids are not in the contract)."""
        return f"{self.doc_id}:{self.start}-{self.end}"


@dataclass(frozen=True)
class Reply:
    """What a system answered to one turn."""

    answer: str
    abstained: bool
    citations: tuple[CitedQuote, ...]
    passages: tuple[RetrievedPassage, ...]
    confidence: float | None


@dataclass(frozen=True)
class TurnRun:
    """One gold turn asked to one system, with its reply and the wall time of the ask."""

    item_id: str
    turn_index: int
    gold: GoldTurn
    system: str
    reply: Reply
    latency_ms: float

    @property
    def category(self) -> str:
        return self.item_id.split("-", 1)[0]


class System(Protocol):
    """Anything that answers a question in a conversation with the JSON answer contract."""

    name: str

    def ask(self, question: str, history: Sequence[Turn]) -> Mapping[str, Any]: ...


def _field(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise ServiceError(f"{where} has no {key!r} field")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ServiceError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
    return value


def _objects(data: Mapping[str, Any], key: str, name: str, build: Callable[[Mapping[str, Any], str], Any]) -> tuple:
    """`build(object, where)` for each object of the list in `data[key]`; `name` labels errors ("citation 2")."""
    built = []
    for k, raw in enumerate(_field(data, key, list, "the answer")):
        where = f"{name} {k}"
        if not isinstance(raw, Mapping):
            raise ServiceError(f"{where} is not an object")
        built.append(build(raw, where))
    return tuple(built)


def _offset(raw: Mapping[str, Any], key: str, where: str) -> int | None:
    return _field(raw, key, int, where) if key in raw else None


def _answer_span(raw: Mapping[str, Any], where: str) -> AnswerSpan | None:
    """The citation's optional `answer_span` object; ServiceError when it is there but malformed."""
    span = raw.get("answer_span")
    if span is None:
        return None
    if not isinstance(span, Mapping):
        raise ServiceError(f"{where}: 'answer_span' is not an object")
    where = f"{where} answer_span"
    return AnswerSpan(_field(span, "start", int, where), _field(span, "end", int, where), _field(span, "text", str, where))


def _cited_quote(raw: Mapping[str, Any], where: str) -> CitedQuote:
    return CitedQuote(
        n=_field(raw, "n", int, where),
        doc_id=_field(raw, "doc_id", str, where),
        quote=_field(raw, "quote", str, where),
        title=str(raw.get("title", "")),
        section=str(raw.get("section", "")),
        start=_offset(raw, "start", where),
        end=_offset(raw, "end", where),
        answer_span=_answer_span(raw, where),
    )


def _retrieved_passage(raw: Mapping[str, Any], where: str) -> RetrievedPassage:
    return RetrievedPassage(
        doc_id=_field(raw, "doc_id", str, where),
        start=_field(raw, "start", int, where),
        end=_field(raw, "end", int, where),
        text=_field(raw, "text", str, where),
        score=float(_field(raw, "score", (int, float), where)),
    )


def parse_reply(data: Any) -> Reply:
    """A Reply from a JSON answer; ServiceError when it doesn't follow the contract."""
    where = "the answer"
    if not isinstance(data, Mapping):
        raise ServiceError("the answer is not a JSON object")
    citations = _objects(data, "citations", "citation", _cited_quote)
    passages = _objects(data, "passages", "passage", _retrieved_passage)
    confidence = data.get("confidence")  # optional in the contract
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        confidence = None
    return Reply(
        answer=_field(data, "answer", str, where),
        abstained=_field(data, "abstained", bool, where),
        citations=citations,
        passages=passages,
        confidence=None if confidence is None else float(confidence),
    )


def without_threshold(engine: Any) -> Any:
    """The same loaded engine with abstention off (threshold at minus infinity), for sweeping thresholds.

    A reply that still abstains was refused for another reason than its score (the question
    names something no document mentions, asks for a figure none gives...), and would be
    refused at every threshold.
    """
    from qa_service.engine import Engine

    return Engine(engine.data, engine.embedder, replace(engine.composer, threshold=-math.inf))


class EngineSystem:
    """The in-process engine with one retriever; every system shares the same loaded engine."""

    def __init__(self, engine: Any, retriever: str, name: str | None = None) -> None:
        self.engine = engine
        self.retriever = retriever
        self.name = name or retriever

    def ask(self, question: str, history: Sequence[Turn]) -> Mapping[str, Any]:
        from qa_service.serialize import answer_to_json

        turns = [Turn(t.question, t.answer) for t in history]
        return answer_to_json(self.engine.ask(question, turns, self.retriever))


def ask_url(url: str) -> str:
    """The full `/api/ask` URL for a service URL; ValueError with the reason when it is not http(s)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--url must be an http:// or https:// URL such as http://127.0.0.1:8000, got {url!r}")
    base = url.rstrip("/")
    return base if parts.path.rstrip("/").endswith(ASK_PATH) else base + ASK_PATH


class HttpSystem:
    """A running service reached through `POST /api/ask`; keeps one connection alive."""

    def __init__(self, url: str, name: str = "service", timeout: float = 60.0) -> None:
        self.url = ask_url(url)
        self.name = name
        self.timeout = timeout
        self.session = requests.Session()

    def ask(self, question: str, history: Sequence[Turn]) -> Mapping[str, Any]:
        body = {"question": question, "history": [{"question": t.question, "answer": t.answer} for t in history]}
        try:
            response = self.session.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ServiceError(f"cannot reach the service at {self.url}: {type(exc).__name__}") from exc
        try:
            data = response.json()
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "no content type")
            raise ServiceError(
                f"the service at {self.url} answered non-JSON (HTTP {response.status_code}, {kind})"
            ) from exc
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            message = error.get("message", "") if isinstance(error, dict) else ""
            raise ServiceError(f"the service at {self.url} answered HTTP {response.status_code}: {message or data}")
        return data

    def close(self) -> None:
        self.session.close()


def run_system(
    items: Iterable[GoldItem], system: System, advance: Callable[[], object] = lambda: None
) -> list[TurnRun]:
    """Every turn of every item through `system`, in order; `advance` is called after each turn."""
    runs: list[TurnRun] = []
    for item in items:
        history: list[Turn] = []
        for index, turn in enumerate(item.turns):
            started = time.perf_counter()
            data = system.ask(turn.question, tuple(history))
            latency_ms = (time.perf_counter() - started) * 1000
            reply = parse_reply(data)
            runs.append(TurnRun(item.id, index, turn, system.name, reply, latency_ms))
            history.append(Turn(turn.question, reply.answer))
            advance()
    return runs


def run_systems(items: Sequence[GoldItem], systems: Sequence[System]) -> dict[str, list[TurnRun]]:
    """Every item through every system, each with its own progress bar (tqdm, on stderr).

    Each system first answers one untimed, unrecorded question, so the latency figures are the
    steady state a running service shows, not first-call set-up paid by whichever runs first.
    """
    turns = sum(len(item.turns) for item in items)
    runs: dict[str, list[TurnRun]] = {}
    for system in systems:
        system.ask(items[0].turns[0].question, ())  # warm-up, discarded
        with tqdm(total=turns, desc=f"{system.name:>8}", unit="turn", file=sys.stderr) as bar:
            runs[system.name] = run_system(items, system, bar.update)
    return runs
