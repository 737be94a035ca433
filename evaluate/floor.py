"""The quality floor: figures the full system must not fall below, ratcheted up over time.

A floor file holds, for the gated metrics (entries with a `better` direction of a metric
table: the gold set's METRICS by default, or the SQuAD evaluation's SQUAD_METRICS), a
minimum for those where higher is better and a maximum for those where lower is better.
Latency is never gated: it measures the machine as much as the code. A metric with a
fixed `bound` (the median answer length: at most 60 words) is gated at that bound and
never ratcheted, since a shorter answer than that is not a better one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import FloorError
from .metrics import METRICS, MetricInfo, Summary

MARGINS = {"share": 0.01, "words": 2.0}  # slack under a fresh measurement, so noise doesn't fail CI
Floor = dict[str, dict[str, float]]


def gated(metrics: Sequence[MetricInfo] = METRICS) -> dict[str, MetricInfo]:
    """The metrics of a table that a floor may hold, by name."""
    return {m.name: m for m in metrics if m.better}


def make_floor(summary: Summary, metrics: Sequence[MetricInfo] = METRICS) -> Floor:
    """A floor just under (or, for lower-is-better metrics, just over) the measured figures."""
    minimum: dict[str, float] = {}
    maximum: dict[str, float] = {}
    for name, metric in gated(metrics).items():
        value = summary.get(name)
        if value is None:
            continue
        margin = MARGINS[metric.unit]
        if metric.bound is not None:
            (minimum if metric.better == "higher" else maximum)[name] = metric.bound
        elif metric.better == "higher":
            minimum[name] = max(0.0, math.floor(round(value * 100, 6)) / 100 - margin)
        else:
            maximum[name] = math.ceil(round(value * 100, 6)) / 100 + margin
    return {
        "minimum": {k: round(v, 4) for k, v in minimum.items()},
        "maximum": {k: round(v, 4) for k, v in maximum.items()},
    }


def ratchet(old: Floor, new: Floor, metrics: Sequence[MetricInfo] = METRICS) -> Floor:
    """The stricter of two floors, metric by metric: a floor only ever moves up (a fixed bound stays put).

    A metric the old floor gates and the new run did not measure keeps its old floor.
    """
    table = gated(metrics)

    def fixed(name: str) -> bool:
        return table[name].bound is not None

    minimum = {k: v if fixed(k) else max(v, old.get("minimum", {}).get(k, v)) for k, v in new["minimum"].items()}
    maximum = {k: v if fixed(k) else min(v, old.get("maximum", {}).get(k, v)) for k, v in new["maximum"].items()}
    for bound, kept in (("minimum", minimum), ("maximum", maximum)):
        kept.update({k: v for k, v in old.get(bound, {}).items() if k not in kept})
    return {"minimum": minimum, "maximum": maximum}


def check_floor(summary: Summary, floor: Floor) -> list[str]:
    """One line per metric worse than its floor (a metric that could not be measured fails too)."""
    failures = []
    for bound, worse in (("minimum", lambda v, f: v < f), ("maximum", lambda v, f: v > f)):
        for name, limit in floor.get(bound, {}).items():
            value = summary.get(name)
            if value is None:
                failures.append(f"{name}: not measured (floor {bound} {limit})")
            elif worse(value, limit):
                word = "below its minimum" if bound == "minimum" else "above its maximum"
                failures.append(f"{name}: {value:g} is {word} {limit:g}")
    return failures


def parse_floor(data: Any, where: str, metrics: Sequence[MetricInfo] = METRICS) -> Floor:
    """A floor from JSON; FloorError when the shape or a metric name is wrong."""
    if not isinstance(data, dict) or not set(data) <= {"minimum", "maximum", "system", "note"}:
        raise FloorError(f"{where}: expected an object with 'minimum' and 'maximum'")
    table = gated(metrics)
    floor: Floor = {}
    for bound, direction in (("minimum", "higher"), ("maximum", "lower")):
        values = data.get(bound, {})
        if not isinstance(values, dict):
            raise FloorError(f"{where}: {bound!r} must be an object of metric: number")
        for name, value in values.items():
            if name not in table or table[name].better != direction:
                raise FloorError(f"{where}: {name!r} cannot have a {bound} (gated: {', '.join(table)})")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise FloorError(f"{where}: {bound}.{name} must be a number")
        floor[bound] = {k: float(v) for k, v in values.items()}
    return floor


def load_floor(path: Path, metrics: Sequence[MetricInfo] = METRICS) -> Floor:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FloorError(f"floor file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FloorError(f"cannot read floor file {path}: {exc}") from exc
    return parse_floor(data, str(path), metrics)


def floor_document(floor: Floor, system: str, command: str = "python -m evaluate floor") -> dict[str, Any]:
    """What a floor file holds: the floor and a note on how to refresh it (`command`)."""
    return {
        "system": system,
        "note": f"Refresh with `{command}` (only ever raises the floor; see evaluate/README.md).",
        **floor,
    }
