"""Figures over repetitions: each is reported as its median with the lowest and highest run.

A benchmark is repeated (at least five times for the headline figures) because this machine
is shared: one slow repetition shows up as a wide range rather than as a wrong median.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy computes it."""
    return float(np.percentile(values, q))


@dataclass(frozen=True)
class Spread:
    """One figure measured once per repetition: median, lowest and highest."""

    median: float
    low: float
    high: float
    repetitions: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            raise ValueError("a spread needs at least one value")
        return cls(round(statistics.median(values), 3), round(min(values), 3), round(max(values), 3), len(values))

    def text(self, places: int = 1) -> str:
        """'12.3 (11.9-13.0)': median, then the range across repetitions."""
        if self.repetitions == 1:
            return f"{self.median:.{places}f}"
        return f"{self.median:.{places}f} ({self.low:.{places}f}-{self.high:.{places}f})"


@dataclass(frozen=True)
class Percentiles:
    """p50, p95 and p99 of a latency, each computed per repetition and then spread across them."""

    p50: Spread
    p95: Spread
    p99: Spread

    @classmethod
    def over(cls, repetitions: Sequence[Sequence[float]]) -> Percentiles:
        return cls(*(Spread.of([percentile(run, q) for run in repetitions]) for q in (50, 95, 99)))
