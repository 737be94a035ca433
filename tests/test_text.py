"""The one tokenizer of retrieval and scoring: which words it takes as the same."""

from __future__ import annotations

import pytest

from qa_service.text import tokenize


@pytest.mark.parametrize("forms", [
    ("write", "wrote", "written", "writes"),  # irregular forms a stemmer alone keeps apart
    ("child", "children"),
    ("take", "took", "taken"),
    ("recommend", "recommends", "recommended"),
])
def test_forms_of_a_word_are_one_token(forms: tuple[str, ...]) -> None:
    assert len({tuple(tokenize(form)) for form in forms}) == 1
    assert tokenize(forms[0])


@pytest.mark.parametrize(("text", "tokens"), [
    ("The Children’s Workforce got £79.9m", ["child", "workforc", "get", "£79.9m"]),
    ("Who is it for?", []),  # stop words only
])
def test_tokens(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens
