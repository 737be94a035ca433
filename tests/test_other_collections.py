"""The engine on a collection it was never shaped on: a Wikipedia article (SQuAD 2.0's
Normans, evaluate/squad/), where years have three digits, names one word, and places are
seas and rivers. Questions written here, not SQuAD's; every refusal rule must hold on it
as it does on docs/ (issue 23, "general rules only")."""

from __future__ import annotations

import pytest

from qa_service.engine import Engine


@pytest.mark.parametrize(("question", "printed"), [
    ("In what year did the Duchy of Normandy begin as a fiefdom?", "911"),
    ("When did William conquer England at Hastings?", "1066"),
    ("In which decade did Hervé serve the Byzantines?", "1050s"),
])
def test_a_year_of_any_century_answers_when(wiki_engine: Engine, question: str, printed: str) -> None:
    answer = wiki_engine.ask(question)
    assert not answer.abstained, answer.answer
    assert printed in answer.answer


@pytest.mark.parametrize(("question", "name"), [
    ("Who was the Norman that led Franks into the Euphrates valley?", "Oursel"),
    ("Who was the son of Robert who landed in Valona?", "Bohemond"),
])
def test_a_name_of_one_word_holds_a_role(wiki_engine: Engine, question: str, name: str) -> None:
    answer = wiki_engine.ask(question)
    assert not answer.abstained, answer.answer
    assert name in answer.answer


def test_a_name_written_without_its_accent_is_known(wiki_engine: Engine) -> None:
    answer = wiki_engine.ask("Which abbey did William of Volpiano and John of Ravenna lead at Fecamp?")
    assert "They never mention" not in answer.answer
    assert not answer.abstained, answer.answer


def test_a_name_the_article_never_uses_is_still_refused(wiki_engine: Engine) -> None:
    answer = wiki_engine.ask("When did the Normans conquer Portugal?")
    assert answer.abstained and "Portugal" in answer.answer
