"""Weights and limits of sentence selection, and the abstention threshold that calibration
chose (evaluate/README.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class ComposerSettings:
    """Weights and limits of sentence selection; the threshold comes from calibration."""

    threshold: float = 0.40
    weight_meaning: float = 0.40
    weight_context: float = 0.30
    weight_words: float = 0.30
    context_word_weight: float = 0.3  # a follow-up's context words count this much of its own
    # ... and all together at most this many times all of its own: a long previous answer
    # does not drown the words the follow-up itself asks with ("Who chaired the inquiry?")
    context_word_cap: float = 2.0
    type_bonus: float = 0.04
    type_penalty: float = 0.12
    # asked someone's view (voices.py): a sentence in their words, and one in someone else's.
    # Bonuses from 0.04 to 0.12 answer about the same turns of the sets (evaluate/README.md)
    voice_bonus: float = 0.08
    voice_penalty: float = 0.03
    near_prior_bonus: float = 0.06  # follow-ups: within `near_prior` sentences of an earlier quote
    near_prior: int = 4  # sentences either side, about the paragraphs around; chosen on gold (evaluate/README.md)
    repeat_penalty: float = 0.15  # follow-ups: a sentence the previous answer already quoted
    # headings are labels; they answer only what nothing else does. So do lines introducing a
    # quote or list ("X said:"), unless asked who: then the speaker they name may be the answer,
    # and bylines ("This post is provided by..."), unless asked who wrote the story
    heading_penalty: float = 0.15
    other_story_penalty: float = 0.15  # a sentence outside the story a question names by its masthead (stories.py)
    # follow-ups: a sentence outside the stories the previous answer quoted. Small: a
    # conversation may move to another source ("What did the charity say?")
    story_change_penalty: float = 0.05
    coverage_weight: float = 0.3  # further sentences: worth of covering question words not yet covered
    candidate_passages: int = 8
    max_sentences: int = 3
    max_words: int = 60
    margin: float = 0.20  # how far below the best a further sentence may score
    # the same for a sentence from another document than the best's: the largest cut of
    # the gold set's off-source citations that cost no correct answer (evaluate/README.md)
    cross_document_margin: float = 0.12
    redundancy: float = 0.80  # cosine above which two sentences say the same thing
    min_words: int = 4


def load_composer_settings(path: Path = CALIBRATION_FILE) -> ComposerSettings:
    """Composer settings with the abstention threshold the evaluation calibrated, if any."""
    try:
        calibration = json.loads(path.read_text(encoding="utf-8"))
        return ComposerSettings(threshold=float(calibration["threshold"]))
    except (OSError, ValueError, KeyError, TypeError):
        return ComposerSettings()
