"""The one tokenizer of retrieval and scoring: which words it takes as the same."""

from __future__ import annotations

import pytest

from qa_service.text import root, tokenize, unsaid


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


@pytest.mark.parametrize(("said", "word", "is_said"), [
    ("a practising social worker", "practice", True),  # British verb and noun: two stems
    ("an early intervention duty", "intervene", True),
    ("an early intervention duty", "councils", False),
    ("the principal social worker", "principle", True),  # the cost: six letters join a few words apart
    ("a statutory duty", "status", False),
])
def test_a_word_is_said_in_any_of_its_forms(said: str, word: str, is_said: bool) -> None:
    token, said_tokens = frozenset(tokenize(word)), set(tokenize(said))
    assert len(token) == 1 and not token & said_tokens  # the tokenizer alone takes the word for new
    assert (not unsaid(token, said_tokens)) is is_said


@pytest.mark.parametrize(("written", "typed"), [
    ("Maizière", "Maiziere"), ("Fécamp", "Fecamp"), ("Jumièges", "Jumieges"), ("Æthelred", "Aethelred"),
    ("Straße", "Strasse"), ("ﬁnance", "finance"),
])
def test_accents_and_ligatures_fold_to_what_readers_type(written: str, typed: str) -> None:
    assert tokenize(written) == tokenize(typed) and len(tokenize(written)) == 1


@pytest.mark.parametrize(("token", "cut"), [("canada", "canad"), ("palestin", "palest"), ("rom", "")])
def test_a_root_is_shared_by_a_word_and_its_relatives(token: str, cut: str) -> None:
    assert root(token) == cut
