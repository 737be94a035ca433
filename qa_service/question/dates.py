"""Dates as the text gives them: where a sentence holds one (`DATE`, any century: "911",
"the 1050s", "19 March 2011"), and a full date turned into an ISO string that sorts in
time order (`find_date`).

`find_date` reads only the common written forms of news pages ('Tuesday, 10 May 2011',
'May 10, 2011', '27/02/2011', '2011-05-10'); slashed dates are read day first, as in
British and most non-US pages. Anything else is left alone rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date

_ORDINAL = (r"\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
            r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
            r"twenty-first")
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ERA = r"(?:\s?(?:AD|BC|BCE|CE)\b)"
_YEAR = rf"(?:1\d{{3}}|20\d\d){_ERA}?(?:\s*[-–—/]\s*(?:1\d{{3}}|20\d\d|\d\d)(?!\d)|\s+(?:to|and)\s+(?:1\d{{3}}|20\d\d))?"
_DAY_MONTH = rf"(?:{WEEKDAY},?\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)"
_SEASON = rf"(?:(?:early|late|mid)[- ])?(?:{MONTH}|[Ss]pring|[Ss]ummer|[Aa]utumn|[Ww]inter|Christmas|Easter)"
# a number of three digits is a year when a preposition of time puts it in time: "in 911", "by 1066"
_IN_TIME = "|".join(rf"(?<=\b[{word[0]}{word[0].upper()}]{word[1:]} )"
                    for word in ("in", "by", "since", "until", "till", "after", "before", "around", "circa", "during", "year"))
_PART = r"(?:(?:early|late|mid)[- ]|(?:first|second|latter) half of (?:the )?)"
# A date as written, in any century; longest forms first: "19 March 2011" is one date, not a day and a year.
DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d\d)\b|\b(?:1\d{3}|20\d\d)-\d\d-\d\d\b|"  # "27/02/2011", "2011-02-27"
    rf"\b{_DAY_MONTH}(?:\s*[-–—]\s*{_DAY_MONTH})?,?\s+{_YEAR}(?!\d)|"  # "19 March 2011", "24 August – 3 October 1572"
    rf"\b{_SEASON}(?:\s+of)?\s+{_YEAR}(?!\d)|"  # "Christmas 2011", "April 1191", "the winter of 1973–74"
    rf"\b(?:between\s+)?{_YEAR}(?!\d)|"
    rf"\b(?:the\s+)?{_PART}?(?:the\s+)?(?:{_ORDINAL})(?:\s*(?:,|and|or|to|-|–)\s*(?:the\s+)?(?:{_ORDINAL}))*"
    rf"[- ]centur(?:y|ies){_ERA}?|"  # "the 10th century", "the first half of the 10th century"
    rf"\b(?:the\s+)?(?:(?:early|late|mid)[- ])?\d{{1,3}}0s\b|"  # "the 1050s", "the 880s"
    rf"\b\d{{1,4}}{_ERA}|\b(?:AD|A\.D\.)\s?\d{{1,4}}\b|(?:{_IN_TIME})\d{{3}}\b(?!\s*(?:%|per\b|of\b))|"  # "300 BC", "in 911"
    rf"\b{_DAY_MONTH}\b|\b{_SEASON}\b|\b{WEEKDAY}\b|"
    rf"\b(?:today|tonight|tomorrow|yesterday)\b|\b(?:this|next|last)(?: coming)? (?:year|week|weekend|month)\b",
)

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_PATTERNS = (
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b"),
    re.compile(r"\b(?P<day>\d{1,2})[/.](?P<mnum>\d{1,2})[/.](?P<year>(?:19|20)\d\d)\b"),
)


def find_date(text: str) -> str | None:
    """The first full date written in `text`, as YYYY-MM-DD, or None."""
    found: list[tuple[int, str]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            parts = match.groupdict()
            month = _MONTHS[parts["month"].lower()] if parts.get("month") else int(parts["mnum"])
            try:
                value = date(int(parts["year"]), month, int(parts["day"]))
            except ValueError:
                continue
            found.append((match.start(), value.isoformat()))
    return min(found)[1] if found else None
