"""Dates as pages write them, read into ISO strings."""

from __future__ import annotations

import pytest

from qa_service.question.dates import DATE, find_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Lauren Higgs Tuesday, 10 May 2011", "2011-05-10"),
        ("Published May 10, 2011 at noon", "2011-05-10"),
        ("BBC News 27/02/2011 Story", "2011-02-27"),
        ("updated 2011-12-13", "2011-12-13"),
        ("on the 3rd of nothing in 2011", None),
        ("31/02/2011 is not a day", None),
    ],
)
def test_find_date_reads_common_forms(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


def test_find_date_returns_the_first_date_in_the_text() -> None:
    assert find_date("Updated 2012-01-05, first published 10 May 2011") == "2012-01-05"
    assert find_date("First published 10 May 2011, updated 2012-01-05") == "2011-05-10"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("In 911 Rollo took Rouen.", ["911"]),
        ("Until 950 the duchy grew.", ["950"]),
        ("It fell in 300 BC.", ["300 BC"]),
        ("They settled in the 880s.", ["the 880s"]),
        ("The review reported on 10 May 2011.", ["10 May 2011"]),
        ("the winter of 1973–74", ["winter of 1973–74"]),
        ("It may rain in spring.", ["spring"]),  # "may" is no month in lower case
        ("a force of 300 men", []),  # a number no preposition of time puts in time counts
    ],
)
def test_date_finds_dates_as_written_in_any_century(text: str, found: list[str]) -> None:
    assert [m.group() for m in DATE.finditer(text)] == found
