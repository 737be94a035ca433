"""Documents: the stored format round trip, and user files read or refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.errors import DocumentError
from qa_service.reading.documents import RawDocument, parse_document, read_source_file, render_document


def test_header_round_trip() -> None:
    doc = RawDocument(doc_id="x", title="Munro: “early help”", source="BBC", date="2011-05-10", author="A. Writer",
                      url="https://example.org/a?b=1", body="First line.\n\nSecond: line # not a comment.\n")
    again = parse_document("x", render_document(doc))
    assert again == doc
    assert again.content_hash == doc.content_hash


def test_parse_document_without_header_names_the_problem() -> None:
    with pytest.raises(DocumentError, match="metadata header"):
        parse_document("plain", "Just some text without a header.\n")


def test_txt_file_becomes_a_document(tmp_path: Path) -> None:
    path = tmp_path / "Council Report.txt"
    path.write_text("Council report on care\r\n\r\nThe council published its report today.\r\n", encoding="utf-8")
    doc = read_source_file(path)
    assert doc.doc_id == "council-report"
    assert doc.title == "Council report on care"
    assert "The council published its report today." in doc.body and "\r" not in doc.body


def test_markdown_markup_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Early help plan\n\nThe **duty** was *dropped* by the [government](https://gov.uk) "
                    "in `2011`.\n\n- first point\n", encoding="utf-8")
    doc = read_source_file(path)
    assert doc.title == "Early help plan"
    assert "The duty was dropped by the government in 2011." in doc.body
    assert "•" in doc.body and not any(mark in doc.body for mark in ("#", "**", "](", "`"))


HTML = """<!doctype html><html><head><title>Councils face new care duty | Example News</title>
<meta property="og:title" content="Councils face new care duty"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Councils face new care duty</h1>
<p>Councils in England will have to find enough local homes for children in their care from April, the government said on Tuesday.</p>
<p>Charities have long warned that children placed hundreds of miles from home are more vulnerable to exploitation and abuse.</p>
<p>The minister said the change would be reviewed after a year, once councils had reported how many placements they had made.</p>
</article>
<footer><p>Copyright Example News. All rights reserved. Privacy policy. Cookie settings.</p></footer>
</body></html>"""


def test_html_article_body_and_title_are_extracted(tmp_path: Path) -> None:
    path = tmp_path / "care-duty.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_source_file(path)
    assert doc.title.startswith("Councils face new care duty")
    assert "more vulnerable to exploitation and abuse" in doc.body
    assert "reviewed after a year" in doc.body
    assert "Sport" not in doc.body and "Cookie settings" not in doc.body


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"  \n\n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin.txt", "Caf\u00e9 r\u00e9sum\u00e9 of the review".encode("latin-1"), "not UTF-8"),
        ("report.odt", b"PK some text", "unsupported file type .odt"),
    ],
)
def test_unusable_files_raise_document_error(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=message) as caught:
        read_source_file(path)
    assert str(caught.value).startswith(name)
