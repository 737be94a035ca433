"""Checks on the gold and holdout question-and-answer sets and on the answer matcher.

These tests look only at evaluate/gold.jsonl, the holdout sets (evaluate/holdout*.jsonl),
the documents in docs/ and evaluate/matching.py; they do not touch the question-answering
service. The holdout sets have the gold set's format but not its size rules.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluate.matching import is_correct, normalize  # noqa: E402

SET_NAMES = ("gold", "holdout", *(f"holdout{n}" for n in range(2, 9)))  # the gold set, then the held-out ones
GOLD = ROOT / "evaluate" / "gold.jsonl"
DOCS = ROOT / "docs"
TURN_KEYS = {"question", "answer_groups", "docs", "evidence"}


def doc_body(path: Path) -> str:
    """Return the text after the closing ``---`` of the YAML header."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0].strip() == "---", f"{path.name}: no front matter"
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[i + 1:])
    raise AssertionError(f"{path.name}: front matter not closed")


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    found = {p.stem: doc_body(p) for p in sorted(DOCS.glob("*.txt"))}
    assert found, "no documents in docs/"
    return found


def _parse(path: Path) -> list[dict]:
    parsed = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError as exc:  # pragma: no cover - failure path
            pytest.fail(f"{path.name} line {n} is not JSON: {exc}")
    return parsed


@pytest.fixture(scope="module", params=SET_NAMES)
def items(request: pytest.FixtureRequest) -> list[dict]:
    return _parse(ROOT / "evaluate" / f"{request.param}.jsonl")


@pytest.fixture(scope="module")
def gold_items() -> list[dict]:
    return _parse(GOLD)


def all_turns(items: list[dict]):
    for item in items:
        for k, turn in enumerate(item["turns"]):
            yield f"{item['id']}[{k}]", turn


def is_unanswerable(turn: dict) -> bool:
    return turn["answer_groups"] == []


# ---------------------------------------------------------------- gold set


def test_gold_parses_and_items_are_objects(items):
    assert items, "gold.jsonl is empty"
    for item in items:
        assert isinstance(item, dict)
        assert set(item) == {"id", "turns"}, item.get("id")
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item["turns"], list) and item["turns"], item["id"]


def test_ids_unique(items):
    ids = [item["id"] for item in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes}"


def test_turn_keys_and_types(items):
    for where, turn in all_turns(items):
        assert isinstance(turn, dict), where
        assert set(turn) == TURN_KEYS, f"{where}: keys {sorted(turn)}"
        assert isinstance(turn["question"], str) and turn["question"].strip(), where
        assert isinstance(turn["answer_groups"], list), where
        for group in turn["answer_groups"]:
            assert isinstance(group, list) and group, f"{where}: empty group"
            assert all(isinstance(s, str) and s.strip() for s in group), where
        assert isinstance(turn["docs"], list), where
        assert all(isinstance(d, str) for d in turn["docs"]), where
        assert isinstance(turn["evidence"], str), where


def test_at_least_80_items(gold_items):
    items = gold_items
    assert len(items) >= 80


def test_at_least_12_items_with_unanswerable_turn(gold_items):
    items = gold_items
    n = sum(any(is_unanswerable(t) for t in item["turns"]) for item in items)
    assert n >= 12


def test_at_least_10_multi_turn_items(gold_items):
    items = gold_items
    n = sum(len(item["turns"]) >= 2 for item in items)
    assert n >= 10


def test_unanswerable_turns_are_empty(items):
    for where, turn in all_turns(items):
        if is_unanswerable(turn) or not turn["docs"] or not turn["evidence"]:
            assert turn["answer_groups"] == [], where
            assert turn["docs"] == [], where
            assert turn["evidence"] == "", where


def test_doc_ids_exist(items, bodies):
    for where, turn in all_turns(items):
        for doc_id in turn["docs"]:
            assert doc_id in bodies, f"{where}: unknown doc {doc_id}"
            assert (DOCS / f"{doc_id}.txt").is_file(), where


def test_answer_strings_occur_in_docs(items, bodies):
    normed = {d: normalize(b) for d, b in bodies.items()}
    missing = []
    for where, turn in all_turns(items):
        for group in turn["answer_groups"]:
            for s in group:
                if not any(normalize(s) in normed.get(d, "") for d in turn["docs"]):
                    missing.append(f"{where}: {s!r}")
    assert not missing, "answer strings not found in their docs:\n" + "\n".join(missing)


def test_evidence_occurs_verbatim_in_docs(items, bodies):
    missing = []
    for where, turn in all_turns(items):
        if is_unanswerable(turn):
            continue
        if not any(turn["evidence"] in bodies.get(d, "") for d in turn["docs"]):
            missing.append(f"{where}: {turn['evidence'][:80]!r}")
    assert not missing, "evidence not found verbatim:\n" + "\n".join(missing)


# ---------------------------------------------------------------- matching


def test_normalize_quotes_case_whitespace():
    assert normalize("Children’s  MINISTER\n\t“Tim”") == 'children\'s minister "tim"'
    assert normalize("‘early help offer’") == "'early help offer'"
    assert normalize("  a\u00a0b  ") == "a b"


def test_normalize_nfkc():
    assert normalize("\ufb01nal") == "final"  # ligature fi


def test_is_correct_matches_curly_quotes_and_case():
    answer = "Children’s minister TIM LOUGHTON told parliament this week."
    assert is_correct(answer, [["children's minister"], ["Tim Loughton"]])


def test_is_correct_collapses_whitespace():
    assert is_correct("the   Sure Start\nchildren’s centres", [["Sure Start children's centres"]])


def test_is_correct_alternatives_within_group():
    answer = "The pilots will run until March 31st 2012."
    assert is_correct(answer, [["end of March next year", "March 31st 2012"]])


def test_is_correct_fails_when_a_group_has_no_match():
    answer = "Shaun Kelly, Head of Safeguarding at Action for Children said:"
    assert not is_correct(answer, [["Shaun Kelly"], ["Tim Loughton"]])
    assert not is_correct(answer, [["Lancashire", "Coventry"]])


def test_is_correct_unanswerable_needs_abstention():
    assert is_correct("", [])
    assert not is_correct("Some sentence from a document.", [])
