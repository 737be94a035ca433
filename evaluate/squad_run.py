"""One SQuAD-format evaluation end to end: index the articles, ask every question, judge, sweep.

The engine (the service's, with its calibrated threshold) and the sentence baselines are
asked every question as a single turn, with no history, through the same runner as the gold
set (runner.run_systems); then the engine once more with abstention off, for the threshold
sweep. Everything is built in a temporary folder that is gone when the run returns.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .baselines import sentence_baselines
from .gold import GoldItem, GoldTurn
from .metrics import Summary
from .runner import EngineSystem, TurnRun, run_systems, without_threshold
from .squad_collection import SquadCollection, build_collection
from .squad_format import SquadSet
from .squad_metrics import SquadJudgement, by_article, judge_squad, summarize_squad
from .squad_sweep import SquadSweep, squad_sweep

if TYPE_CHECKING:
    from qa_service.search.embedding import Embedder

ENGINE = "engine"  # the full system (hybrid retrieval, the composer, the calibrated threshold)
RETRIEVER = "hybrid"  # the engine's retriever, as the service runs it
OPEN_ENGINE = "engine, abstention off"


@dataclass(frozen=True)
class SquadResult:
    """Everything a report shows of one run."""

    squad: SquadSet
    threshold: float  # the engine's threshold in use
    paragraphs: int
    fallbacks: int  # paragraphs cleaning changed, matched by their text instead of offsets
    judgements: Mapping[str, tuple[SquadJudgement, ...]]  # per system, engine first, in question order
    open_judgements: tuple[SquadJudgement, ...]  # the engine with abstention off

    @cached_property
    def summaries(self) -> dict[str, Summary]:
        return {name: summarize_squad(js) for name, js in self.judgements.items()}

    @cached_property
    def articles(self) -> dict[str, Summary]:
        """The engine's figures per article."""
        return by_article(self.judgements[ENGINE])

    @cached_property
    def sweep(self) -> SquadSweep:
        return squad_sweep(self.open_judgements, self.threshold)


def as_items(squad: SquadSet, doc_ids: Mapping[str, str]) -> tuple[GoldItem, ...]:
    """Each question as a one-turn gold item, so the gold set's runner asks it (ids are the questions')."""
    items = []
    for article in squad.articles:
        for paragraph in article.paragraphs:
            for q in paragraph.questions:
                gold = GoldTurn(q.question, (q.answer_texts,), (doc_ids[article.title],), paragraph.context) \
                    if q.answerable else GoldTurn(q.question, (), (), "")
                items.append(GoldItem(q.id, (gold,)))
    return tuple(items)


def new_embedder() -> Embedder:
    """The embedder the service would run (backend from the environment), shared by engine and baselines."""
    from qa_service.config import load_settings
    from qa_service.search.embedding import Embedder

    return Embedder.from_settings(load_settings())


def _judged(runs: list[TurnRun], squad: SquadSet, collection: SquadCollection) -> tuple[SquadJudgement, ...]:
    return tuple(judge_squad(run, q, collection.paragraphs[(q.article, q.paragraph)])
                 for run, q in zip(runs, squad.questions, strict=True))


def run_squad(squad: SquadSet, embedder: Embedder) -> SquadResult:
    """Index `squad` in a temporary folder and run the engine and the baselines over its questions."""
    with tempfile.TemporaryDirectory(prefix="qa-squad-") as folder:
        collection = build_collection(squad, Path(folder), embedder)
        engine = collection.engine
        items = as_items(squad, collection.doc_ids)
        systems = [EngineSystem(engine, RETRIEVER, ENGINE), *sentence_baselines(engine.data, embedder)]
        runs = run_systems(items, systems)
        runs |= run_systems(items, [EngineSystem(without_threshold(engine), RETRIEVER, OPEN_ENGINE)])
    judged = {name: _judged(system_runs, squad, collection) for name, system_runs in runs.items()}
    return SquadResult(
        squad=squad,
        threshold=float(engine.composer.threshold),
        paragraphs=len(collection.paragraphs),
        fallbacks=collection.fallbacks,
        judgements={name: js for name, js in judged.items() if name != OPEN_ENGINE},
        open_judgements=judged[OPEN_ENGINE],
    )
