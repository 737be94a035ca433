"""The gold set as frozen data: read once at the edge, checked well enough to fail clearly.

tests/test_gold.py checks the content of evaluate/gold.jsonl in depth; this loader only
makes sure a file handed to the CLI has the shape the evaluation relies on, so that a
wrong path or a broken line is one clear message rather than a traceback mid-run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import GoldError

TURN_KEYS = frozenset({"question", "answer_groups", "docs", "evidence"})


@dataclass(frozen=True)
class GoldTurn:
    """One question of an item with what a correct answer must hold."""

    question: str
    answer_groups: tuple[tuple[str, ...], ...]  # () means the documents can't answer it
    docs: tuple[str, ...]
    evidence: str

    @property
    def answerable(self) -> bool:
        return bool(self.answer_groups)


@dataclass(frozen=True)
class GoldItem:
    """A single question or a conversation whose turns are asked in order."""

    id: str
    turns: tuple[GoldTurn, ...]

    @property
    def category(self) -> str:
        """The id's prefix before the first '-' (fact, why, multi, para, none, conv)."""
        return self.id.split("-", 1)[0]


def _strings(value: Any, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise GoldError(f"{where}: {what} must be a list of strings")
    return tuple(value)


def parse_turn(raw: Any, where: str) -> GoldTurn:
    """A turn from its JSON object; GoldError names the line and turn when it is malformed."""
    if not isinstance(raw, dict) or set(raw) != TURN_KEYS:
        raise GoldError(f"{where}: a turn must be an object with exactly the keys {', '.join(sorted(TURN_KEYS))}")
    if not isinstance(raw["question"], str) or not raw["question"].strip():
        raise GoldError(f"{where}: question must be a non-empty string")
    if not isinstance(raw["answer_groups"], list):
        raise GoldError(f"{where}: answer_groups must be a list of lists of strings")
    groups = tuple(_strings(g, where, "each answer group") for g in raw["answer_groups"])
    if not isinstance(raw["evidence"], str):
        raise GoldError(f"{where}: evidence must be a string")
    turn = GoldTurn(raw["question"], groups, _strings(raw["docs"], where, "docs"), raw["evidence"])
    if turn.answerable and not (turn.docs and turn.evidence):
        raise GoldError(f"{where}: an answerable turn needs docs and evidence")
    return turn


def parse_gold(text: str, name: str = "gold") -> tuple[GoldItem, ...]:
    """Items from JSON Lines text (blank lines skipped)."""
    items: list[GoldItem] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{where} is not JSON: {exc.msg}") from exc
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
            raise GoldError(f"{where}: each line must be an object with a string 'id'")
        if raw["id"] in seen:
            raise GoldError(f"{where}: duplicate id {raw['id']!r}")
        turns = raw.get("turns")
        if not isinstance(turns, list) or not turns:
            raise GoldError(f"{where}: 'turns' must be a non-empty list")
        seen.add(raw["id"])
        items.append(GoldItem(raw["id"], tuple(parse_turn(t, f"{where} turn {k}") for k, t in enumerate(turns))))
    if not items:
        raise GoldError(f"{name} holds no items")
    return tuple(items)


def load_gold(path: Path) -> tuple[GoldItem, ...]:
    """The gold items in `path`; GoldError when it can't be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise GoldError(f"gold file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"cannot read gold file {path}: {exc}") from exc
    return parse_gold(text, name=str(path))
