"""The quality gates: the full system must stay at or above its floors.

- The hybrid system on the whole gold set, against evaluate/floor.json.
- The engine on a second collection it was never shaped on, SQuAD 2.0's Normans article
  (evaluate/squad/), indexed in a temporary folder, against evaluate/squad_floor.json.

Raise a floor with `python -m evaluate floor` (or `floor --squad evaluate/squad/normans-dev-v2.0.json`)
after an improvement; see evaluate/README.md, "## Quality gate" and "Your own SQuAD-format file".
"""

from __future__ import annotations

from evaluate.cli import DEFAULT_FLOOR, DEFAULT_GOLD, DEFAULT_SQUAD_FLOOR, FULL_SYSTEM, SQUAD_GATE
from evaluate.floor import check_floor, load_floor
from evaluate.gold import load_gold
from evaluate.metrics import judge, summarize
from evaluate.runner import EngineSystem, run_system
from evaluate.squad_format import load_squad
from evaluate.squad_metrics import SQUAD_METRICS
from evaluate.squad_run import ENGINE, run_squad


def test_hybrid_system_is_not_below_the_floor(engine):
    floor = load_floor(DEFAULT_FLOOR)
    runs = run_system(load_gold(DEFAULT_GOLD), EngineSystem(engine, FULL_SYSTEM))
    summary = summarize([judge(r) for r in runs])
    failures = check_floor(summary, floor)
    assert not failures, "below evaluate/floor.json:\n" + "\n".join(failures) + f"\nmeasured: {summary}"


def test_engine_on_the_squad_collection_is_not_below_its_floor(embedder):
    floor = load_floor(DEFAULT_SQUAD_FLOOR, SQUAD_METRICS)
    summary = run_squad(load_squad(SQUAD_GATE), embedder).summaries[ENGINE]
    failures = check_floor(summary, floor)
    assert not failures, "below evaluate/squad_floor.json:\n" + "\n".join(failures) + f"\nmeasured: {summary}"
