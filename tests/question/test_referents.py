"""Who a sentence opening with "He" or "She" is, embedded with it; the quoted text never changes."""

from __future__ import annotations

import numpy as np
import pytest

from qa_service.engine import Engine
from qa_service.models import Sentence
from qa_service.question.referents import embedding_text, referent


def _sentences(*lines: str | tuple[str, bool]) -> list[Sentence]:
    """Sentences of one document; a (text, True) pair is a heading."""
    made, start = [], 0
    for sid, line in enumerate(lines):
        text, heading = line if isinstance(line, tuple) else (line, False)
        made.append(Sentence(sid, "doc", start, start + len(text), text, paragraph=sid, heading=heading))
        start += len(text) + 1
    return made


@pytest.mark.parametrize(("lines", "who"), [
    (("Today Professor Jane Smith published her report.", "She said a change was underway."), "Today Professor Jane Smith"),
    (("Tim Brown spoke first.", "The room was full.", "He said it was late."), "Tim Brown"),  # the nearest that names anyone
    (("Tim Brown spoke first.", ("Another story", True), "He said it was late."), ""),  # a heading starts another story
    (("Tim Brown spoke.", "A.", "B.", "C.", "He left."), ""),  # named too far back
    (("Tim Brown spoke first.", "The minister, he said, was late."), ""),  # only an opening pronoun is resolved
    (("Tim Brown spoke first.", "Shelters opened."), ""),  # "She" is a word, not the start of one
    (("Nobody was named.", "She left."), ""),
])
def test_referent(lines: tuple, who: str) -> None:
    sentences = _sentences(*lines)
    assert referent(sentences, len(sentences) - 1) == who


def test_the_embedded_text_names_who_but_the_sentence_is_unchanged() -> None:
    sentences = _sentences("Tim Brown spoke first.", "He said it was late.")
    assert embedding_text(sentences, 1) == "He said it was late. (Tim Brown)"
    assert embedding_text(sentences, 0) == "Tim Brown spoke first."
    assert sentences[1].text == "He said it was late."


def test_the_index_embeds_a_she_sentence_as_about_the_person_named_before(engine: Engine) -> None:
    data = engine.data
    she = next(s for s in data.sentences if s.text.startswith('She said a "culture change"'))
    with_who = engine.embedder.encode([f"{she.text} (Today Professor Eileen Munro)"])[0]
    assert float(np.dot(data.sentence_vectors[she.sentence_id], with_who)) == pytest.approx(1.0, abs=1e-4)
    assert engine.documents[she.doc_id].text[she.start:she.end] == she.text  # citations quote the text as it is


def test_asked_what_munro_said_the_answer_finds_her_she_said_sentence(engine: Engine) -> None:
    """A question in no evaluation set, answered by a sentence that names Munro only as "She"."""
    answer = engine.ask("What did Munro say was happening to the culture of child protection?")
    assert "culture change" in answer.answer
