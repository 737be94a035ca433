"""Answers as Slack Block Kit messages: pure functions from an Answer to blocks and fallback text.

Slack shows `blocks` and uses `text` for notifications and clients that cannot render
blocks, so both say the same thing. Everything taken from the documents is escaped (&, <, >
only: Slack's rules) and cut to Block Kit's limits with an ellipsis, because Slack rejects
the whole message (invalid_blocks) when one text object or the block count is too large.
The phrase of a quote that answers (a citation's answer_span) is in bold.
An abstention states plainly that the documents don't cover the question; the closest
passages may follow, labelled as related reading so nobody mistakes them for its sources.
With the service's public URL (QA_PUBLIC_URL), each source's title links to the source page
that shows its exact span; without one, Slack cannot reach the service and nothing links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..models import Answer, Citation, Document, ScoredPassage
from ..widget.source import source_url

MAX_TEXT = 3000  # characters in one text object
MAX_BLOCKS = 50  # blocks in one message
MAX_CONTEXT_ELEMENTS = 10  # elements in one context block
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_TEXT = 75
RELATED_PASSAGES = 3  # passages listed as related reading under an abstention
SNIPPET_CHARS = 280  # of each related passage
MAX_TITLE = 300  # characters of a source's title, so a link is never cut open by MAX_TEXT
ELLIPSIS = "…"

FEEDBACK_ACTIONS = {"feedback_up": "up", "feedback_down": "down"}
POST_ACTION = "post_to_channel"
FEEDBACK_BLOCK = "feedback"


@dataclass(frozen=True)
class Framing:
    """What surrounds an answer in one message.

    `question` with `asked_by` (a user id) shows "<@user> asked: ..." for a channel post;
    `question` alone shows "You asked: ..." (a reply only the asker sees); neither shows
    nothing (a thread reply sits right under its question). `post_button` offers to post an
    ephemeral answer to the channel.
    """

    question: str = ""
    asked_by: str = ""
    post_button: bool = False


def escape(text: str) -> str:
    """Slack's escaping for text it would otherwise read as markup (& first)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int = MAX_TEXT) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut.

    Never splits an escape such as "&amp;", which Slack would show as a stray "&am".
    """
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object; `text` must already be escaped."""
    return {"type": "mrkdwn", "text": truncate(text)}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(label, MAX_BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value[:MAX_BUTTON_VALUE],
    }
    if style:
        element["style"] = style
    return element


def quoted(text: str) -> str:
    """Escaped text shown as a block quote, every line marked."""
    return _block_quote(escape(text))


def _block_quote(escaped: str) -> str:
    return "\n".join(f">{line}" for line in escaped.splitlines() or [""])


def _bold_span(citation: Citation) -> tuple[int, int] | None:
    """Where in its quote the citation's answer span stands, when Slack can show it in bold: inside
    the quote, on one line, without a `*` of its own, and not glued to a letter (Slack bolds
    `*...*` only between word boundaries)."""
    span = citation.answer_span
    if span is None:
        return None
    start, end = span.start - citation.start, span.end - citation.start
    quote = citation.quote
    if not (0 <= start < end <= len(quote)) or quote[start:end] != span.text or span.text != span.text.strip():
        return None
    glued = (start > 0 and quote[start - 1].isalnum()) or (end < len(quote) and quote[end].isalnum())
    return None if glued or "*" in span.text or "\n" in span.text else (start, end)


def marked_answer(answer: Answer) -> str:
    """The answer as a block quote, escaped, with each citation's answer span in bold (`*...*`).

    When Block Kit's limit would cut a bold phrase open (a huge answer), the answer is quoted
    plain: an unclosed `*` would show as a stray asterisk.
    """
    pieces, bolds, at = [], [], 0
    for citation in answer.citations:
        found = answer.answer.find(citation.quote, at)
        bold = _bold_span(citation) if found >= 0 else None
        if bold:
            start, end = found + bold[0], found + bold[1]
            bolds.append(f"*{escape(answer.answer[start:end])}*")
            pieces += [escape(answer.answer[at:start]), bolds[-1]]
            at = end
    marked = _block_quote("".join(pieces) + escape(answer.answer[at:]))
    shown = truncate(marked)
    kept, at = len(shown) - len(ELLIPSIS), 0
    for bold in bolds if shown != marked else []:
        where = marked.find(bold, at)
        if where < kept < where + len(bold):
            return quoted(answer.answer)
        at = where + len(bold)
    return marked


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def linked(label: str, public_url: str, doc_id: str, start: int, end: int) -> str:
    """`label` (escaped here) as a link to the source page of doc_id[start:end], or as plain text without a public URL."""
    text = truncate(escape(label), MAX_TITLE)
    if not public_url:
        return text
    return f"<{escape(source_url(public_url, doc_id, start, end))}|{text}>"


def citation_line(citation: Citation, public_url: str = "") -> str:
    """One source of an answer: where the [n] quote came from, down to its characters."""
    story = citation.section if citation.section and citation.section != citation.title else ""
    title = linked(citation.title or citation.doc_id, public_url, citation.doc_id, citation.start, citation.end)
    return _join(
        f"*[{citation.n}]* {title}",
        escape(citation.source),
        escape(citation.date),
        escape(story),
        f"p. {citation.page}" if citation.page else "",
        f"`{escape(citation.doc_id)}` chars {citation.start}–{citation.end}",
    )


def related_line(scored: ScoredPassage, documents: Mapping[str, Document], public_url: str = "") -> str:
    """A passage that came closest, named by its document and quoted in part."""
    passage = scored.passage
    document = documents.get(passage.doc_id)
    title = linked(document.title if document else passage.doc_id, public_url, passage.doc_id, passage.start,
                   passage.end)
    source = document.source if document else ""
    snippet = truncate(" ".join(passage.text.split()), SNIPPET_CHARS)
    return _join(f"*{title}*", escape(source), f"`{escape(passage.doc_id)}`") + f"\n“{escape(snippet)}”"


def _framing_blocks(framing: Framing) -> list[dict[str, Any]]:
    if not framing.question:
        return []
    who = f"<@{framing.asked_by}> asked" if framing.asked_by else "You asked"
    return [context(f"{who}: *{escape(framing.question)}*")]


def _action_blocks(turn_id: str, framing: Framing) -> list[dict[str, Any]]:
    elements = [
        button("👍 Helpful", "feedback_up", turn_id),
        button("👎 Not helpful", "feedback_down", turn_id),
    ]
    if framing.post_button:
        elements.append(button("Post to channel", POST_ACTION, turn_id, style="primary"))
    return [{"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": elements}]


def _fit(head: list[dict], items: list[dict], tail: list[dict], noun: str) -> list[dict[str, Any]]:
    """head + as many `items` as fit under MAX_BLOCKS + tail, saying how many were left out."""
    room = MAX_BLOCKS - len(head) - len(tail)
    if len(items) > room:
        left = len(items) - (room - 1)
        items = [*items[: room - 1], context(f"…and {left} more {noun}")]
    return [*head, *items, *tail]


def answer_blocks(
    answer: Answer, documents: Mapping[str, Document], turn_id: str, framing: Framing = Framing(),
    public_url: str = "",
) -> list[dict[str, Any]]:
    """The Block Kit blocks of one reply, feedback buttons included (their value is `turn_id`).

    With `public_url` (the service's QA_PUBLIC_URL) every source links to its span's source page.
    """
    head = _framing_blocks(framing)
    tail = _action_blocks(turn_id, framing)
    if answer.abstained:
        head.append(section(escape(answer.answer)))
        related = [context(related_line(p, documents, public_url)) for p in answer.passages[:RELATED_PASSAGES]]
        if related:
            head.append(context("*Related reading* — the closest passages; they do not answer the question:"))
        return _fit(head, related, tail, "passages")
    head.append(section(marked_answer(answer)))
    if answer.ordered_by_date:
        head.append(context("Quotes are in date order, oldest first."))
    sources = [context(citation_line(c, public_url)) for c in answer.citations]
    return _fit(head, sources, tail, "sources")


def answer_text(answer: Answer, framing: Framing = Framing()) -> str:
    """The plain fallback of `answer_blocks`: notifications and clients without blocks show it."""
    lines = []
    if framing.question:
        who = f"<@{framing.asked_by}> asked" if framing.asked_by else "You asked"
        lines.append(f"{who}: {escape(framing.question)}")
    lines.append(escape(answer.answer))
    if not answer.abstained:
        lines.extend(f"[{c.n}] {escape(c.title or c.doc_id)} ({escape(c.source)})" for c in answer.citations)
    return truncate("\n".join(lines))


def notice_blocks(text: str) -> list[dict[str, Any]]:
    """A short message from the bot itself (not an answer), e.g. asking for a shorter question."""
    return [section(escape(text))]
