"""Documents: the stored format round trip, and user files read or refused with a clear reason."""

from __future__ import annotations

import codecs
import random
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
        ("report.odt", b"PK some text", "unsupported file type .odt"),
    ],
)
def test_unusable_files_raise_document_error(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError, match=message) as caught:
        read_source_file(path)
    assert str(caught.value).startswith(name)


CAFE = "Café prices rise\n\nThe café on the quay said a “flat white” now costs €3.20, up from €2.90.\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (codecs.BOM_UTF8 + CAFE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF16_LE + CAFE.encode("utf-16-le"), "utf-16-le"),
    (codecs.BOM_UTF16_BE + CAFE.encode("utf-16-be"), "utf-16-be"),
    (codecs.BOM_UTF32_LE + CAFE.encode("utf-32-le"), "utf-32-le"),
    (codecs.BOM_UTF32_BE + CAFE.encode("utf-32-be"), "utf-32-be"),
    (CAFE.encode("cp1252"), "windows-1252"),
])
def test_text_in_the_encodings_people_have_is_read(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "Cafe Prices.txt"
    path.write_bytes(data)
    doc = read_source_file(path)
    assert doc.body == CAFE and doc.title == "Café prices rise"  # no byte order mark left in the title
    assert doc.encoding == encoding


@pytest.mark.parametrize(("text", "codec", "encoding"), [
    ("Café résumé\n\nThe naïve façade of the café was painted in déjà vu colours.\n", "latin-1", "windows-1252"),
    ("Le café du port\n\nLa crème brûlée coûte 3 € et le café « noir » 2 €. C’est très cher, dit-il.\n", "cp1252",
     "windows-1252"),
    ("Die Straße\n\nDie Straße führt über die Brücke, sagte der Bürgermeister am Dienstag.\n", "cp1252",
     "windows-1252"),
    ("Zażółć gęślą jaźń\n\nBurmistrz powiedział, że dzieci zostaną umieszczone blisko domu.\n", "cp1250",
     "windows-1250"),
    ("Отчёт совета\n\nСовет сообщил, что дети будут размещены рядом с домом после проверки служб.\n", "cp1251",
     "windows-1251"),
])
def test_a_legacy_encoding_is_told_from_the_bytes(tmp_path: Path, text: str, codec: str, encoding: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(text.encode(codec))
    doc = read_source_file(path)
    assert doc.body == text and doc.encoding == encoding
    again = parse_document("notes", render_document(doc))  # what docs/ stores: UTF-8 text
    assert again.body == text and again.encoding is None


def _random_bytes(size: int, alphabet: bytes) -> bytes:
    rng = random.Random(27)
    return bytes(rng.choice(alphabet) for _ in range(size))


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",  # an image
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"word/document.xml",  # a zip (an .odt renamed)
    b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00>\x00",  # an executable
    _random_bytes(4096, bytes(range(1, 256))),  # noise without a NUL byte
    _random_bytes(2000, b"abcdef \x01\x02\x1b\x1c"),  # letters among control characters
    "UTF-16 without its byte order mark".encode("utf-16-le"),
])
def test_binary_files_are_still_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as caught:
        read_source_file(path)
    assert str(caught.value) == "data.txt: looks like a binary file, not text"


def test_a_byte_order_mark_that_lies_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Harbour".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate at byte 16
    with pytest.raises(DocumentError, match=r"^odd.txt: not utf-16-le text \(byte 16\); re-save it as UTF-8$"):
        read_source_file(path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "Long Report.txt"
    path.write_bytes(b"Harbour dues\n\n" + b"word " * 1000)
    size = path.stat().st_size
    assert read_source_file(path, max_bytes=size).doc_id == "long-report"  # the limit itself is allowed
    with pytest.raises(DocumentError) as caught:
        read_source_file(path, max_bytes=size - 1)
    assert str(caught.value) == (f"Long Report.txt: {size:,} bytes, over the limit of {size - 1:,} bytes a document "
                                 "may have (QA_MAX_DOCUMENT_BYTES); split the file or raise the limit")
