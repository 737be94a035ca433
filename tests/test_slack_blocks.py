"""Answers as Block Kit: what each part says, Slack's escaping, and Block Kit's limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from block_kit import check_block_kit, texts_of

from qa_service.engine import Engine
from qa_service.models import Answer, AnswerSpan, Citation, Document, Passage, ScoredPassage, Section
from qa_service.slack.blocks import (
    ELLIPSIS,
    MAX_BLOCKS,
    MAX_TEXT,
    Framing,
    answer_blocks,
    answer_text,
    escape,
    truncate,
)

TURN = "0123456789abcdef"


def citation(n: int, quote: str = "A quoted sentence.", title: str = "A title", **changes: Any) -> Citation:
    fields = {"n": n, "doc_id": f"doc{n}", "title": title, "source": "The Source", "date": "2011-12-19",
              "section": "A story", "quote": quote, "start": 10 * n, "end": 10 * n + len(quote)}
    return Citation(**{**fields, **changes})


def answered(*citations: Citation, ordered_by_date: bool = False) -> Answer:
    text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(answer=text, abstained=False, citations=citations, passages=(), confidence=0.9, query=text,
                  ordered_by_date=ordered_by_date)


def abstained(*passages: ScoredPassage) -> Answer:
    return Answer(answer="The documents don't answer this question.", abstained=True, citations=(),
                  passages=passages, confidence=0.1, query="q")


def passage(doc_id: str, text: str) -> ScoredPassage:
    return ScoredPassage(Passage(passage_id=1, doc_id=doc_id, start=0, end=len(text), text=text,
                                 sentence_ids=(1,)), score=0.5)


def document(doc_id: str, title: str) -> Document:
    return Document(doc_id=doc_id, title=title, source="Paper", date="2011", author="", url="", text="",
                    sections=(Section(title, "", 0, 0),), content_hash="h")


# --- escaping and truncation ---------------------------------------------------------------------


def test_escape_covers_exactly_slacks_three_characters() -> None:
    assert escape("Tom & Jerry <b> -> 'x' \"y\" *z*") == "Tom &amp; Jerry &lt;b&gt; -&gt; 'x' \"y\" *z*"
    assert escape("&amp;") == "&amp;amp;"  # text that looks escaped is still escaped: it is text


def test_truncate_keeps_short_text_and_cuts_long_text_with_an_ellipsis() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("word " * 1000, 100)
    assert len(cut) <= 100 and cut.endswith(ELLIPSIS)


@pytest.mark.parametrize("limit", range(5, 16))
def test_truncate_never_splits_an_escape(limit: int) -> None:
    cut = truncate(escape("a&b&c&d&e&f&g"), limit)
    assert len(cut) <= limit
    body = cut.removesuffix(ELLIPSIS)
    assert body.count("&") == body.count("&amp;")  # every & starts a whole entity


# --- an answer -----------------------------------------------------------------------------------


def test_an_answer_quotes_its_sentences_with_markers_and_names_each_source() -> None:
    answer = answered(citation(1, "First sentence."), citation(2, "Second sentence.", title="Other"))
    blocks = answer_blocks(answer, {}, TURN)
    check_block_kit(blocks)
    assert blocks[0] == {"type": "section",
                         "text": {"type": "mrkdwn", "text": ">First sentence. [1] Second sentence. [2]"}}
    sources = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert sources == [
        "*[1]* A title · The Source · 2011-12-19 · A story · `doc1` chars 10–25",
        "*[2]* Other · The Source · 2011-12-19 · A story · `doc2` chars 20–36",
    ]
    assert blocks[-1]["type"] == "actions"
    assert [(e["action_id"], e["value"]) for e in blocks[-1]["elements"]] == [
        ("feedback_up", TURN), ("feedback_down", TURN)]


def test_a_pdf_s_citation_names_its_page() -> None:
    answer = answered(citation(1, "First sentence.", page=12), citation(2, "Second sentence."))
    sources = [b["elements"][0]["text"] for b in answer_blocks(answer, {}, TURN) if b["type"] == "context"]
    assert sources[0] == "*[1]* A title · The Source · 2011-12-19 · A story · p. 12 · `doc1` chars 10–25"
    assert "p. " not in sources[1]


def test_markup_from_the_documents_is_escaped_everywhere() -> None:
    answer = answered(citation(1, "Costs <£5m> & rising.", title="A&E <news>", source="R&D"))
    blocks = answer_blocks(answer, {}, TURN)
    shown = " ".join(texts_of(blocks))
    assert "<£5m>" not in shown and "&lt;£5m&gt; &amp; rising" in shown
    assert "A&amp;E &lt;news&gt;" in shown and "R&amp;D" in shown
    assert "&lt;£5m&gt; &amp; rising" in answer_text(answer)


def test_the_date_order_note_appears_only_when_the_quotes_are_ordered_by_date() -> None:
    note = "oldest first"
    assert any(note in t for t in texts_of(answer_blocks(answered(citation(1), ordered_by_date=True), {}, TURN)))
    assert not any(note in t for t in texts_of(answer_blocks(answered(citation(1)), {}, TURN)))


def test_a_section_named_like_its_document_is_not_repeated() -> None:
    blocks = answer_blocks(answered(citation(1, section="A title")), {}, TURN)
    assert blocks[1]["elements"][0]["text"].count("A title") == 1


def test_framing_names_the_asker_and_offers_posting_only_when_asked() -> None:
    answer = answered(citation(1))
    ephemeral = answer_blocks(answer, {}, TURN, Framing(question="Who <leads>?", post_button=True))
    assert ephemeral[0]["elements"][0]["text"] == "You asked: *Who &lt;leads&gt;?*"
    assert ephemeral[-1]["elements"][-1]["action_id"] == "post_to_channel"
    posted = answer_blocks(answer, {}, TURN, Framing(question="Who?", asked_by="U123"))
    assert posted[0]["elements"][0]["text"] == "<@U123> asked: *Who?*"
    assert "post_to_channel" not in {e["action_id"] for e in posted[-1]["elements"]}
    assert answer_text(answer, Framing(question="Who?", asked_by="U123")).startswith("<@U123> asked: Who?\n")


def test_fallback_text_is_the_answer_and_its_sources() -> None:
    answer = answered(citation(1, "First."), citation(2, "Second."))
    assert answer_text(answer) == "First. [1] Second. [2]\n[1] A title (The Source)\n[2] A title (The Source)"


# --- an abstention --------------------------------------------------------------------------------


def test_an_abstention_says_so_plainly_and_labels_passages_as_related_reading() -> None:
    answer = abstained(passage("d1", "Close but not it."), passage("gone", "Another <one>."))
    blocks = answer_blocks(answer, {"d1": document("d1", "Doc One")}, TURN)
    check_block_kit(blocks)
    shown = texts_of(blocks)
    assert shown[0] == "The documents don't answer this question."
    assert not shown[0].startswith(">")  # not quoted as if it came from the documents
    assert "Related reading" in shown[1] and "do not answer" in shown[1]
    assert "*Doc One*" in shown[2] and "Close but not it." in shown[2]
    assert "`gone`" in shown[3] and "Another &lt;one&gt;." in shown[3]  # an unknown document falls back to its id
    assert not any("[1]" in t or "chars" in t for t in shown)
    assert answer_text(answer) == "The documents don't answer this question."


def test_an_abstention_without_passages_has_no_related_reading() -> None:
    shown = texts_of(answer_blocks(abstained(), {}, TURN))
    assert not any("Related reading" in t for t in shown)


def test_only_the_closest_passages_are_listed() -> None:
    answer = abstained(*(passage(f"d{i}", f"Passage {i}.") for i in range(10)))
    shown = texts_of(answer_blocks(answer, {}, TURN))
    assert any("Passage 2." in t for t in shown) and not any("Passage 3." in t for t in shown)


# --- links to the source page ---------------------------------------------------------------------

PUBLIC = "https://qa.example.org/base"
LINK = re.compile(r"<([^|<>]+)\|([^<>]*)>")  # Slack's <url|label>


def test_without_a_public_url_nothing_links() -> None:
    shown = texts_of(answer_blocks(answered(citation(1)), {}, TURN))
    assert not any(LINK.search(t) for t in shown)


def test_with_a_public_url_each_source_links_to_its_exact_span() -> None:
    answer = answered(citation(1, "First."), citation(2, "Second & <more>.", title="R&D <news>", doc_id="a/b c"))
    sources = [b["elements"][0]["text"] for b in answer_blocks(answer, {}, TURN, public_url=PUBLIC)
               if b["type"] == "context"]
    first, second = (LINK.search(line) for line in sources)
    assert first and first.group(1) == f"{PUBLIC}/source/doc1?start=10&amp;end=16#quote"
    assert first.group(2) == "A title"
    assert sources[0].startswith("*[1]* <") and "`doc1` chars 10–16" in sources[0]
    assert second and second.group(1) == f"{PUBLIC}/source/a%2Fb%20c?start=20&amp;end=36#quote"  # one path segment
    assert second.group(2) == "R&amp;D &lt;news&gt;"  # the label escaped, the link intact


def test_with_a_public_url_related_reading_links_to_each_passage() -> None:
    answer = abstained(ScoredPassage(Passage(passage_id=1, doc_id="d1", start=40, end=57, text="Close but not it.",
                                             sentence_ids=(1,)), score=0.5))
    shown = texts_of(answer_blocks(answer, {"d1": document("d1", "Doc One")}, TURN, public_url=PUBLIC))
    assert f"*<{PUBLIC}/source/d1?start=40&amp;end=57#quote|Doc One>*" in shown[2]


def test_a_huge_title_is_cut_inside_its_link_so_the_link_stays_whole() -> None:
    blocks = answer_blocks(answered(citation(1, title="T" * 4000)), {}, TURN, public_url=PUBLIC)
    check_block_kit(blocks)
    link = LINK.search(texts_of(blocks)[1])
    assert link and link.group(2).endswith(ELLIPSIS) and link.group(1).startswith(PUBLIC)


# --- Block Kit's limits ----------------------------------------------------------------------------


def test_a_huge_answer_is_cut_to_block_kits_limits_and_keeps_its_buttons() -> None:
    many = tuple(citation(n, "Long & <long> sentence. " * 200, title="T" * 4000) for n in range(1, 121))
    blocks = answer_blocks(answered(*many), {}, TURN, Framing(question="q" * 5000, post_button=True))
    check_block_kit(blocks)
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions" and len(blocks[-1]["elements"]) == 3
    assert texts_of(blocks)[1].endswith(ELLIPSIS)  # the quoted answer itself
    assert any("more sources" in t for t in texts_of(blocks))
    assert len(answer_text(answered(*many))) <= MAX_TEXT


def test_a_real_answer_fits_and_cites_the_document_that_holds_it(engine: Engine) -> None:
    answer = engine.ask("Who is the head of safeguarding at Action for Children?")
    assert not answer.abstained
    blocks = answer_blocks(answer, engine.documents, TURN)
    check_block_kit(blocks)
    shown = " ".join(texts_of(blocks))
    assert "003_7bfe52c2e0f08c40" in shown
    assert engine.documents["003_7bfe52c2e0f08c40"].title in shown
    for c in answer.citations:
        assert f"[{c.n}]" in texts_of(blocks)[0]


# --- the answer span -----------------------------------------------------------------------------


def spanned(quote: str, phrase: str, start: int = 40) -> Citation:
    """A citation of `quote` at `start` with `phrase` (found in it) as its answer span."""
    at = start + quote.index(phrase)
    return citation(1, quote, start=start, end=start + len(quote), answer_span=AnswerSpan(at, at + len(phrase), phrase))


def test_the_answer_span_is_bold_inside_the_quote_and_escaped() -> None:
    answer = answered(spanned("In 1066, <b>William</b> & his army won.", "<b>William</b>"),
                      citation(2, "Later <b> & more.", answer_span=None))
    blocks = answer_blocks(answer, {}, TURN)
    check_block_kit(blocks)
    assert blocks[0]["text"]["text"] == (">In 1066, *&lt;b&gt;William&lt;/b&gt;* &amp; his army won. [1] "
                                         "Later &lt;b&gt; &amp; more. [2]")
    assert "*" not in answer_text(answer)  # the plain fallback stays plain


def test_a_span_slack_cannot_bold_is_shown_plain() -> None:
    glued = spanned("Costs rose 5x in 2011.", "5")  # "*5*x": Slack bolds only between word boundaries
    starred = spanned("It said *twice* in 2011.", "*twice*")
    for cited in (glued, starred):
        assert answer_blocks(answered(cited), {}, TURN)[0]["text"]["text"] == f">{escape(cited.quote)} [1]"


def test_a_huge_answer_never_cuts_its_bold_open() -> None:
    quote = "Long & <long> sentence. " * 200 + "Finally in 1066."
    cut = answer_blocks(answered(spanned(quote, "1066")), {}, TURN)[0]["text"]["text"]
    assert len(cut) <= MAX_TEXT and cut.endswith(ELLIPSIS) and "*" not in cut
    early = answer_blocks(answered(spanned("In 1066 " + quote, "1066")), {}, TURN)[0]["text"]["text"]
    assert len(early) <= MAX_TEXT and early.startswith(">In *1066* ")


def test_a_real_answer_marks_its_span_in_bold(engine: Engine) -> None:
    answer = engine.ask("Who is the head of safeguarding at Action for Children?")
    [marked] = [c for c in answer.citations if c.answer_span]
    text = answer_blocks(answer, engine.documents, TURN)[0]["text"]["text"]
    assert f"*{escape(marked.answer_span.text)}*" in text
    assert text.replace("*", "") == ">" + escape(answer.answer)  # nothing but the bold added
