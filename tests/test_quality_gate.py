"""The quality gate: the full (hybrid) system on the whole gold set must stay at or above
evaluate/floor.json. Raise the floor with `python -m evaluate floor` after an improvement;
see evaluate/README.md, "## Quality gate"."""

from __future__ import annotations

from evaluate.cli import DEFAULT_FLOOR, DEFAULT_GOLD, FULL_SYSTEM
from evaluate.floor import check_floor, load_floor
from evaluate.gold import load_gold
from evaluate.metrics import judge, summarize
from evaluate.runner import EngineSystem, run_system


def test_hybrid_system_is_not_below_the_floor(engine):
    floor = load_floor(DEFAULT_FLOOR)
    runs = run_system(load_gold(DEFAULT_GOLD), EngineSystem(engine, FULL_SYSTEM))
    summary = summarize([judge(r) for r in runs])
    failures = check_floor(summary, floor)
    assert not failures, "below evaluate/floor.json:\n" + "\n".join(failures) + f"\nmeasured: {summary}"
