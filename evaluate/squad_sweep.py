"""SQuAD 2.0's HasAns / NoAns split over abstention thresholds, from one run with abstention off.

The engine is asked every question once with its threshold at minus infinity and each
reply's `confidence` is kept; a question then abstains at threshold t when its confidence
is below t, or at every threshold when the engine refused it even so (for another reason
than its score: see runner.without_threshold). The questions are single turns, with no
history, so unlike calibration on conversations this replay is exact: the row at the
threshold in use gives what the normal run measures.

Per threshold: HasAns containment (answerable questions answered with text holding a gold
answer), NoAns abstention, false abstention, and overall = (HasAns correct + NoAns
abstained) / all questions, SQuAD 2.0's overall score with containment for exact match.
The same replay as calibration (calibration.at_threshold), scored by containment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .calibration import Observation, SweepRow, at_threshold, candidate_thresholds, sweep
from .squad_metrics import SquadJudgement

GRID_STEP = 0.05


@dataclass(frozen=True)
class SquadSweep:
    """The sweep at a printable grid of thresholds, and at every threshold that changes an outcome."""

    rows: tuple[SweepRow, ...]  # the grid, the threshold in use and the best one included, ascending
    curve: tuple[SweepRow, ...]  # every outcome-changing threshold, for the plot
    in_use: SweepRow
    best: SweepRow  # highest overall; of equals, the lowest threshold (it answers the most)


def observations(judgements: Sequence[SquadJudgement]) -> list[Observation]:
    """One observation per question of a run with abstention off; ValueError if a reply has no confidence."""
    found = []
    for j in judgements:
        confidence = j.run.reply.confidence
        if confidence is None:
            raise ValueError(f"question {j.question.id}: the reply has no confidence, so no threshold can be swept")
        found.append(Observation(confidence, j.question.answerable, j.contains, j.abstained))
    return found


def grid(confidences: Sequence[float], step: float = GRID_STEP) -> list[float]:
    """Multiples of `step` from just below the lowest confidence to just above the highest."""
    low = math.floor(min(confidences) / step)
    high = math.ceil(max(confidences) / step)
    return [round(k * step, 6) for k in range(low, high + 1)]


def best_row(rows: Sequence[SweepRow]) -> SweepRow:
    return min(rows, key=lambda r: (-(r.overall or 0.0), r.threshold))


def squad_sweep(judgements: Sequence[SquadJudgement], threshold_in_use: float) -> SquadSweep:
    """The sweep of a run with abstention off, marking `threshold_in_use` (the engine's calibrated one)."""
    observed = observations(judgements)
    confidences = [o.confidence for o in observed]
    curve = sweep(observed, candidate_thresholds(confidences))
    in_use = at_threshold(observed, threshold_in_use)
    best = best_row([*curve, in_use])
    rows = {r.threshold: r for r in sweep(observed, grid(confidences))} | {in_use.threshold: in_use, best.threshold: best}
    return SquadSweep(tuple(sorted(rows.values(), key=lambda r: r.threshold)), tuple(curve), in_use, best)
