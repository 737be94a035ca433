"""Page furniture out, stories found: raw captured text to cleaned text with sections.

Web captures carry menus, sign-up prompts, comment prompts, partner-content labels,
repeated ledes and page dates. The rules below describe such furniture in general terms
(what a navigation line or a call to action looks like), never the content of one file,
so the next document a user adds is cleaned the same way.

Each kept line becomes one paragraph of the cleaned text, paragraphs joined by a blank
line; every offset in the index points into that text. A body read from a printed file
has its pages apart by a form feed ("\f", reading/pdf.py): cleaning notes where in the
cleaned text each page starts, so a citation can name the page its words are printed on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..models import CleanedText, Paragraph, Section
from ..question.dates import find_date

# Page chrome that no article sentence reads like, wherever it stands in a line.
_CHROME = re.compile(
    r"""
      \bsign[\s-]?up\b.{0,200}?\b(e-?mails?|newsletters?|bulletins?|updates|alerts)\b   # near: a long line is read once
    | \bcomments?\s+(are|is)\s+(now\s+)?closed\b
    | \b(add|leave|post|write)\s+a\s+(comment|reply)\b
    | ^(was|is|did)\s+(you\s+find\s+)?this\s+(article|post|blog|page|story)\s+(useful|helpful)
    | \bpartner\s+content\b
    | \b\d+\s+min(ute)?s?\s+read\b
    | ^(tag|category|categories|archives?)(\s+archives?)?\s*:
    | ^I\b[^.!?]*\b(this|your)\s+(site|website|blog|posts?|feeds?)\b   # a reader's comment on the site itself
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Labels that are chrome only as a short line of their own ("Subscribe now", "More from X").
_CHROME_LABEL = re.compile(
    r"""
      \b(subscribe|unsubscribe|newsletters?|sponsored|advertisement|advertorial)\b
    | ^(more|related|read\s+more|see\s+also|most\s+read|popular)\b
    | ^no\s+comments?\b
    | ^visit\s+(our|their|the|his|her)\s+(web\s?)?site\b
    | ^(share|tweet|print|email\s+this|follow\s+us)\b
    | ^(menu|home|search|skip\s+to|log\s?in|sign\s?in|register)\b
    | ^(previous|next)\s+(post|article|story)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
LABEL_MAX_WORDS = 8
_BULLET = re.compile(r"^[•·▪◦‣∙*\-–]\s")
_CLOSING_PUNCT = "\"'”’»)]"
_SENTENCE_END = ".!?;:"
_WORD = re.compile(r"[\w’'&£$%./-]+")

NAV_MAX_WORDS = 3  # a line this short with no sentence punctuation is a menu item or label
HEADING_MAX_WORDS = 14  # headlines are short; longer unpunctuated lines are captions or run-ons
NAV_BLOCK_MIN_LINES = 3  # this many short lines with no blank line between them are a menu
NAV_BLOCK_LINE_WORDS = 8
HEADLINE_OVERLAP = 0.5  # a heading sharing this much with the current story's title restates it


@dataclass(frozen=True)
class _Line:
    text: str
    block: int  # lines with no blank line between them share a block
    page: int  # 0 for the first page, or for a body without pages


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSING_PUNCT + " ")[-1:] in _SENTENCE_END


def _is_short_unpunctuated(text: str, max_words: int) -> bool:
    return len(_words(text)) <= max_words and not _ends_sentence(text) and not _BULLET.match(text)


def _is_date_only(text: str) -> bool:
    """A line that is just a date ('Thu, 28 March 2024') dates the page, not the story."""
    found = find_date(text)
    return found is not None and len(_words(text)) <= 5 and not _ends_sentence(text.rstrip("."))


def _fingerprint(text: str) -> str:
    """Compare paragraphs the way a reader would: quotes, case and spacing don't matter."""
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("’‘“”", "''\"\""))
    return " ".join(text.lower().split())


def _lines(body: str) -> list[_Line]:
    lines: list[_Line] = []
    block = page = 0
    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        page += raw.count("\f")
        text = raw.strip()
        if not text:
            block += 1
            continue
        lines.append(_Line(text=text, block=block, page=page))
    return lines


def _navigation_blocks(lines: list[_Line]) -> set[int]:
    """Blocks that read as a list of links: several short unpunctuated lines stacked together."""
    by_block: dict[int, list[str]] = {}
    for line in lines:
        by_block.setdefault(line.block, []).append(line.text)
    return {
        block
        for block, texts in by_block.items()
        if len(texts) >= NAV_BLOCK_MIN_LINES
        and sum(_is_short_unpunctuated(t, NAV_BLOCK_LINE_WORDS) or is_furniture(t) for t in texts)
        >= 0.75 * len(texts)
    }


def is_furniture(text: str) -> bool:
    """True for a line that is page chrome rather than part of the article."""
    return (
        bool(_CHROME.search(text))
        or (len(_words(text)) <= LABEL_MAX_WORDS and bool(_CHROME_LABEL.search(text)))
        or _is_short_unpunctuated(text, NAV_MAX_WORDS)
        or _is_date_only(text)
    )


def _is_heading(text: str) -> bool:
    if _ends_sentence(text) or _BULLET.match(text) or len(_words(text)) > HEADING_MAX_WORDS:
        return False
    first = text.lstrip(_CLOSING_PUNCT + "‘“(")[:1]
    return first.isupper() or first.isdigit()


def _content_words(text: str) -> set[str]:
    return {w.lower()[:5] for w in _words(text) if len(w) > 3 and not any(c.isdigit() for c in w)}


def _restates(heading: str, title: str) -> bool:
    a, b = _content_words(heading), _content_words(title)
    return bool(a and b) and len(a & b) >= HEADLINE_OVERLAP * min(len(a), len(b))


def clean(body: str, default_title: str = "") -> CleanedText:
    """Cleaned text of a raw body, its paragraphs and its sections (stories).

    A section starts at a run of heading lines (short, unpunctuated, capitalised lines with
    only blank lines between them); its title is the first of them and its date the first
    date any of them gives. A heading that restates the current story's title continues
    that story, so a page that repeats its headline is still one story.
    """
    lines = _lines(body)
    nav_blocks = _navigation_blocks(lines)
    seen: set[str] = set()
    kept: list[_Line] = []
    for line in lines:
        if line.block in nav_blocks or is_furniture(line.text):
            continue
        key = _fingerprint(line.text)
        if key in seen:
            continue
        seen.add(key)
        kept.append(line)

    paragraphs: list[Paragraph] = []
    offset = 0
    for i, line in enumerate(kept):
        if i:
            offset += 2
        heading = _is_heading(line.text) or _fingerprint(line.text) == _fingerprint(default_title)
        paragraphs.append(Paragraph(start=offset, end=offset + len(line.text), heading=heading))
        offset += len(line.text)
    text = "\n\n".join(line.text for line in kept)
    return CleanedText(text=text, paragraphs=tuple(paragraphs), sections=_sections(text, paragraphs, default_title),
                       page_starts=_page_starts(body.count("\f"), kept, paragraphs, len(text)))


def _page_starts(breaks: int, kept: list[_Line], paragraphs: list[Paragraph], length: int) -> tuple[int, ...]:
    """Where each page starts in the cleaned text (first page at 0), none for a body without
    pages. A page left with no paragraph starts where the next one does, so the page of an
    offset is the number of starts at or before it."""
    if not breaks:
        return ()
    starts = [length] * (breaks + 1)
    for line, paragraph in zip(reversed(kept), reversed(paragraphs), strict=True):
        starts[line.page] = paragraph.start
    for page in range(breaks - 1, -1, -1):
        starts[page] = min(starts[page], starts[page + 1])
    starts[0] = 0
    return tuple(starts)


def _sections(text: str, paragraphs: list[Paragraph], default_title: str) -> tuple[Section, ...]:
    starts: list[tuple[int, str, str]] = []  # (offset, title, date)
    previous_heading = False
    for paragraph in paragraphs:
        line = text[paragraph.start:paragraph.end]
        if not paragraph.heading:
            previous_heading = False
            continue
        if previous_heading and starts:
            offset, title, date = starts[-1]
            starts[-1] = (offset, title, date or (find_date(line) or ""))
        elif not starts or not _restates(line, starts[-1][1]):
            starts.append((paragraph.start, line, find_date(line) or ""))
        previous_heading = True
    if not starts or starts[0][0] > 0:
        starts.insert(0, (0, default_title, ""))
    bounds = [s[0] for s in starts[1:]] + [len(text)]
    return tuple(Section(title=title, date=date, start=start, end=end) for (start, title, date), end in zip(starts, bounds, strict=False))
