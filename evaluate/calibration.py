"""Choosing the engine's abstention threshold from the gold set.

The engine abstains when its best sentence scores below a threshold. Calibration asks the
full (hybrid) system every gold turn with abstention switched off, records each turn's
confidence and whether the answer it would give is correct, then replays every useful
threshold on those records: a turn abstains at threshold t exactly when its confidence is
below t, or when the engine refused it even with the threshold off (its question names
something no document mentions, asks for a count no retrieved sentence gives, or for the
holder of a role no retrieved sentence names anyone in, or a number or date only poorly
matching sentences hold). The pick maximises abstention recall while keeping false
abstention within a budget; among the thresholds that then score the gold set exactly
alike, the highest wins: it costs no gold answer and refuses the most off-topic questions.

Approximation: in conversations the history holds the answers given with abstention off.
With a real threshold a turn that would now abstain sends the refusal instead, which can
change how the next turn is resolved. Re-running with the chosen threshold (the normal
evaluation does) shows the real figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_service.files import write_atomically

from .charts import pyplot, to_png
from .metrics import Judgement

MAX_FALSE_ABSTENTION = 0.05


@dataclass(frozen=True)
class Observation:
    """One turn seen with abstention off."""

    confidence: float
    answerable: bool
    correct: bool  # for an answerable turn: the answer it gives, if it answers, is right
    refused: bool = False  # abstained even with the threshold off, so abstains at every threshold

    def abstains(self, threshold: float) -> bool:
        return self.refused or self.confidence < threshold


@dataclass(frozen=True)
class SweepRow:
    """The figures the gold set would show at one threshold."""

    threshold: float
    abstention_recall: float | None
    false_abstention: float | None
    answer_accuracy: float | None
    overall: float | None = None  # turns handled right: answerable answered correctly, unanswerable refused


def observations(judgements: Iterable[Judgement]) -> list[Observation]:
    """Observations from judgements of a run with abstention off (every reply must have a confidence)."""
    found = []
    for j in judgements:
        if j.run.reply.confidence is None:
            raise ValueError(f"{j.query_id}: the reply has no confidence, so it cannot be calibrated")
        found.append(Observation(j.run.reply.confidence, j.answerable, j.correct, j.run.reply.abstained))
    return found


def candidate_thresholds(confidences: Iterable[float]) -> list[float]:
    """Every threshold that gives a different outcome: one below all, one between each pair of
    neighbouring confidences (halfway, so rounding of the reported confidence can't flip a
    turn) and one above all."""
    values = sorted(set(confidences))
    if not values:
        return []
    middles = [(low + high) / 2 for low, high in zip(values, values[1:], strict=False)]
    return [values[0] - 0.01, *middles, values[-1] + 0.01]


def at_threshold(observed: Sequence[Observation], threshold: float) -> SweepRow:
    """What the gold set would score if turns with confidence below `threshold` abstained."""
    answerable = [o for o in observed if o.answerable]
    unanswerable = [o for o in observed if not o.answerable]

    def share(hits: int, total: int) -> float | None:
        return hits / total if total else None

    return SweepRow(
        threshold=threshold,
        abstention_recall=share(sum(o.abstains(threshold) for o in unanswerable), len(unanswerable)),
        false_abstention=share(sum(o.abstains(threshold) for o in answerable), len(answerable)),
        answer_accuracy=share(sum(o.correct and not o.abstains(threshold) for o in answerable), len(answerable)),
        overall=share(sum(o.abstains(threshold) if not o.answerable else o.correct and not o.abstains(threshold)
                          for o in observed), len(observed)),
    )


def sweep(observed: Sequence[Observation], thresholds: Iterable[float]) -> list[SweepRow]:
    return [at_threshold(observed, t) for t in thresholds]


def choose(rows: Sequence[SweepRow], max_false_abstention: float = MAX_FALSE_ABSTENTION) -> SweepRow:
    """The row with the highest abstention recall whose false abstention is within budget,
    the lowest such threshold first; then the highest threshold above it that gives the
    very same figures. ValueError when no row is within budget.

    Every threshold in that run scores the gold set alike. The highest refuses the most of
    what a gold set holds too few of to place the threshold by: off-topic questions, whose
    scores spread wider than its handful shows ("Can you recommend a good book?" scores
    above every off-topic gold question), while no gold answer is lost.
    """
    allowed = [r for r in rows if (r.false_abstention or 0.0) <= max_false_abstention]
    if not allowed:
        raise ValueError(f"no threshold keeps false abstention at or below {max_false_abstention}")
    best = min(allowed, key=lambda r: (-(r.abstention_recall or 0.0), r.threshold))
    ordered = sorted(rows, key=lambda r: r.threshold)
    last = ordered.index(best)
    while last + 1 < len(ordered) and _figures(ordered[last + 1]) == _figures(best):
        last += 1
    return ordered[last]


def _figures(row: SweepRow) -> tuple[float | None, ...]:
    return row.abstention_recall, row.false_abstention, row.answer_accuracy


def table_rows(rows: Sequence[SweepRow], chosen: SweepRow, count: int = 12) -> list[SweepRow]:
    """A short, evenly spread selection of the sweep for printing, always including the choice."""
    if len(rows) <= count:
        return list(rows)
    step = (len(rows) - 1) / (count - 1)
    picked = {rows[round(i * step)] for i in range(count)} | {chosen}
    return sorted(picked, key=lambda r: r.threshold)


CALIBRATION_CURVES = (
    ("abstention_recall", "abstention recall"),
    ("false_abstention", "false abstention"),
    ("answer_accuracy", "answer accuracy"),
)


def plot(rows: Sequence[SweepRow], chosen: SweepRow, path: Path, max_false_abstention: float) -> None:
    """Save the three curves against the threshold, with the budget and the choice marked."""
    png = sweep_png(rows, CALIBRATION_CURVES, [(chosen.threshold, f"chosen {chosen.threshold:.4f}", "--")],
                    "Abstention threshold sweep (hybrid, gold set)", "share of turns",
                    budget=(max_false_abstention, "false abstention budget"))
    write_atomically(path, lambda temporary: temporary.write_bytes(png))


def sweep_png(
    rows: Sequence[SweepRow],
    curves: Sequence[tuple[str, str]],
    marks: Sequence[tuple[float, str, str]],
    title: str,
    ylabel: str,
    budget: tuple[float, str] | None = None,
) -> bytes:
    """A PNG of sweep curves against the threshold: `curves` are (SweepRow field, label),
    `marks` vertical lines (threshold, label, line style), `budget` a dotted level."""
    plt = pyplot()
    xs = [r.threshold for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    for name, label in curves:
        ax.step(xs, [getattr(r, name) or 0.0 for r in rows], where="post", label=label)
    if budget is not None:
        ax.axhline(budget[0], color="grey", linestyle=":", linewidth=1, label=budget[1])
    for threshold, label, style in marks:
        ax.axvline(threshold, color="black", linestyle=style, linewidth=1, label=label)
    ax.set_xlabel("abstention threshold (best sentence score)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="center left", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return to_png(fig)
