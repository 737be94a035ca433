"""The check every kind of refusal shares, for the tests of each kind."""

from __future__ import annotations

from qa_service.answer.composing import ABSTAIN_TEXT
from qa_service.models import Answer


def assert_refused(answer: Answer, reason: str) -> None:
    """An abstention that says why, quotes nothing and still lists the closest passages as related reading."""
    assert answer.abstained and answer.citations == ()
    assert answer.answer == f"{ABSTAIN_TEXT} {reason}"
    assert answer.passages, "related reading is still listed"
