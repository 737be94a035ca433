"""Thumbs-down answers as candidate gold items, for a person to review into evaluate/gold.jsonl.

Each candidate is one line in the gold format (so `load_gold` reads the file as it is) with
the truth left empty: `answer_groups`, `docs` and `evidence` are the reviewer's to fill from
the documents, never guessed from the answer that was judged wrong. A rating of a follow-up
becomes a conversation: the earlier questions first, in order, then the rated one, because
the gold runner asks them in that order and a follow-up means nothing without them. What
the service said sits beside it under `feedback` (the rated answer, its citations, the
earlier answers, who rated it and when), which the gold loader ignores; a reviewer deletes
it when promoting the item.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from qa_service.feedback import Feedback

ID_PREFIX = "feedback"  # the gold id's category (see GoldItem.category)


def _turn_to_review(question: str) -> dict[str, Any]:
    return {"question": question, "answer_groups": [], "docs": [], "evidence": ""}


def candidate_item(rated: Feedback) -> dict[str, Any]:
    """One thumbs-down rating as a gold item awaiting review, earlier turns first."""
    return {
        "id": f"{ID_PREFIX}-{rated.id}",
        "turns": [_turn_to_review(q) for q in (*(t.question for t in rated.history), rated.question)],
        "feedback": {
            "answer": rated.answer,
            "citations": list(rated.citations),
            "history": [asdict(turn) for turn in rated.history],
            "rating": rated.rating,
            "client": rated.client,
            "created_at": rated.created_at,
            "comment": rated.comment,
        },
    }


def candidate_lines(ratings: Iterable[Feedback]) -> str:
    """JSON Lines for the thumbs-down ratings among `ratings`, oldest first ("" when there are none)."""
    return "".join(
        json.dumps(candidate_item(r), ensure_ascii=False) + "\n" for r in ratings if r.rating == "down"
    )
