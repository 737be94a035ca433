"""PDF and Word files read as documents: real files made by real writers (reportlab, pypdf,
python-docx) and a real-world PDF from a Debian package, and every bad file refused with
its name and the reason."""

from __future__ import annotations

import datetime
from pathlib import Path

import docx
import pytest
from pdfs import HEAD, PAGES, WORDS, harbour_report, two_column_page
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from qa_service.errors import DocumentError
from qa_service.reading.documents import RawDocument, read_source_file
from qa_service.reading.pdf import LIGATURES, PAGE_BREAK
from qa_service.search.indexing import ChunkSettings, prepare_document

REAL_PDF = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")  # Debian package libtasn1-doc (.ci/run installs it)
def test_a_report_reads_as_paragraphs_without_its_print_furniture(tmp_path: Path) -> None:
    doc = read_source_file(harbour_report(tmp_path / "Harbour Report.pdf"))
    assert (doc.doc_id, doc.title, doc.author) == ("harbour-report", "Harbour dues and dredging", "The Harbour Board")
    assert doc.date == datetime.date.today().isoformat()  # reportlab stamps the creation date
    pages = doc.body.split(PAGE_BREAK)
    assert len(pages) == PAGES  # one form feed line between pages, for page numbers in citations
    for number, page in enumerate(pages, start=1):
        assert HEAD not in page and "Page " + str(number) + " of" not in page
        paragraphs = page.strip().split("\n\n")
        word = WORDS[number]
        assert paragraphs == [
            f"In part {word} the board explains why the dues for moorings rise by {number} per cent from April: the "
            f"{word} channel must be dredged, and the cost of dredging has doubled since the {word} contract was let.",
            f"The board's financial plan keeps {word} reserves at one year of spending for the protection of the "
            f"{word} harbour against storms and a fall in trade over the coming {word} years.",
            f"{word.capitalize()} boats pay no dues.",
        ]


def test_a_report_s_sentences_are_its_cleaned_text_at_their_offsets(tmp_path: Path) -> None:
    prepared = prepare_document(read_source_file(harbour_report(tmp_path / "report.pdf")), ChunkSettings())
    text = prepared.document.text
    assert "\f" not in text and HEAD not in text
    assert len(prepared.sentences) >= 3 * PAGES
    assert all(text[s.start:s.end] == s.text for s in prepared.sentences)


def _squeezed(text: str) -> str:
    """Text with what reading a printed line changes taken out (spaces, line-end hyphens, ligatures)."""
    return "".join(ch for ch in text.translate(LIGATURES) if not ch.isspace() and ch != "-")


def _check_every_sentence_s_page(path: Path) -> int:
    """Every sentence is the text at its offsets, and its page the one whose printed text holds it."""
    prepared = prepare_document(read_source_file(path), ChunkSettings())
    document = prepared.document
    printed = [_squeezed(page.extract_text()) for page in PdfReader(path).pages]
    assert len(document.page_starts) == len(printed)
    for sentence in prepared.sentences:
        assert document.text[sentence.start:sentence.end] == sentence.text
        page = document.page_at(sentence.start)
        assert _squeezed(sentence.text) in printed[page - 1], (page, sentence.text)
        start, end = document.page_span(page)
        assert start <= sentence.start and sentence.end <= end
    return len(prepared.sentences)


def test_every_sentence_of_a_report_knows_the_page_it_is_printed_on(tmp_path: Path) -> None:
    assert _check_every_sentence_s_page(harbour_report(tmp_path / "report.pdf")) >= 3 * PAGES


def test_every_sentence_of_a_real_world_pdf_knows_the_page_it_is_printed_on() -> None:
    if not REAL_PDF.is_file():
        pytest.fail(f"{REAL_PDF} is missing: apt-get install libtasn1-doc (.ci/run does)")
    assert _check_every_sentence_s_page(REAL_PDF) > 500


def test_a_document_without_pages_names_none() -> None:
    document = prepare_document(RawDocument(doc_id="d", title="T", source="", date="", author="", url="",
                                            body="T\n\nOne sentence here. Another one there.\n"),
                                ChunkSettings()).document
    assert document.page_starts == () and document.page_at(5) is None


def test_two_columns_read_one_after_the_other_and_a_table_row_by_row(tmp_path: Path) -> None:
    body = read_source_file(two_column_page(tmp_path / "ferry.pdf")).body
    sentences = [f"The {side} column's point {n} is that the ferry runs {n} times a day in winter."
                 for side in ("left", "right") for n in range(1, 4)]
    positions = [body.find(sentence) for sentence in sentences]
    assert -1 not in positions and positions == sorted(positions), body
    rows = [body.find(row) for row in ("Route Crossings", "North pier 12", "South pier 8")]
    assert -1 not in rows and rows == sorted(rows) and rows[0] > positions[-1], body


def test_a_date_the_pdf_writes_wrongly_is_left_out_and_the_text_kept(tmp_path: Path) -> None:
    path = harbour_report(tmp_path / "report.pdf")
    writer = PdfWriter(clone_from=str(path))
    writer.add_metadata({"/CreationDate": "D:garbage"})
    writer.write(str(path))
    doc = read_source_file(path)
    assert doc.date == "" and doc.title == "Harbour dues and dredging" and "dredging has doubled" in doc.body


def test_a_real_world_pdf_reads_in_order_with_its_running_heads_out() -> None:
    if not REAL_PDF.is_file():
        pytest.fail(f"{REAL_PDF} is missing: apt-get install libtasn1-doc (.ci/run does)")
    doc = read_source_file(REAL_PDF)
    assert doc.body.count("\f") == len(PdfReader(REAL_PDF).pages) - 1
    assert ("This version doesn’t handle the REAL type. It doesn’t support the AUTOMATIC TAGS option, and the "
            "EXPORT and IMPORT sections, either.") in doc.body.split("\n")
    assert all(not line.strip().isdigit() for line in doc.body.splitlines())  # bare page numbers are out


def _encrypted(path: Path) -> None:
    harbour_report(path)
    writer = PdfWriter(clone_from=str(path))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    writer.write(str(path))


def _truncated(path: Path) -> None:
    harbour_report(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _no_text(path: Path) -> None:
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)  # a scan is an image: no text layer
    pdf.showPage()
    pdf.save()


def _no_pages(path: Path) -> None:
    PdfWriter().write(str(path))


@pytest.mark.parametrize(("make", "reason"), [
    (_encrypted, "password-protected"),
    (_truncated, "not a readable PDF"),
    (_no_text, "no text layer"),
    (_no_pages, "no pages"),
    (lambda path: path.write_bytes(b""), "the file is empty"),
    (lambda path: path.write_text("Just some text named .pdf\n"), "not a readable PDF"),
])
def test_a_pdf_that_cannot_be_read_is_refused_with_its_name_and_why(tmp_path: Path, make, reason: str) -> None:
    path = tmp_path / "report.pdf"
    make(path)
    with pytest.raises(DocumentError) as raised:
        read_source_file(path)
    assert str(raised.value).startswith("report.pdf: ") and reason in str(raised.value)


def test_a_word_file_reads_in_order_with_its_tables_and_properties(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Kinship care procedure"
    document.core_properties.author = "Children's Services"
    document.core_properties.created = datetime.datetime(2024, 3, 5, 9, 30)
    document.add_heading("Kinship care procedure", level=1)
    document.add_paragraph("A kinship carer is paid a weekly allowance from the first week of the placement.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Age of child", "Weekly allowance"), ("0-4", "£150")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("Reviews take place every six months.")
    path = tmp_path / "Kinship.docx"
    document.save(str(path))
    doc = read_source_file(path)
    assert (doc.title, doc.author, doc.date) == ("Kinship care procedure", "Children's Services", "2024-03-05")
    assert doc.body.split("\n\n") == [
        "Kinship care procedure",
        "A kinship carer is paid a weekly allowance from the first week of the placement.",
        "Age of child | Weekly allowance", "0-4 | £150",
        "Reviews take place every six months.\n",
    ]


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip", b"Plain text named .docx\n"])
def test_a_word_file_that_cannot_be_read_is_refused_with_its_name(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=r"^notes\.docx: "):
        read_source_file(path)
