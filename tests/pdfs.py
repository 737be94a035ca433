"""PDFs made by a real PDF writer (reportlab) for the tests of reading and ingesting them."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HEAD = "Harbour Board - Annual Report 2025"
PAGES = 4
WORDS = ["", "one", "two", "three", "four"]  # each page says something of its own


def harbour_report(path: Path) -> Path:
    """A printed report: a running head and a page footer on every page, paragraphs of
    several lines, one word hyphenated at a line end and a ligature glyph. Every body line
    differs from page to page, as a report's do: a line on most pages is furniture."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # shipped with reportlab; it has the "ﬁ" glyph
    pdf.setTitle("Harbour dues and dredging")
    pdf.setAuthor("The Harbour Board")
    for page in range(1, PAGES + 1):
        pdf.setFont("Helvetica", 9)
        pdf.drawString(72, 800, HEAD)
        pdf.drawString(270, 40, f"Page {page} of {PAGES}")
        pdf.setFont("Vera", 10)
        lines = [f"In part {WORDS[page]} the board explains why the dues for moorings rise by {page} per cent from",
                 f"April: the {WORDS[page]} channel must be dredged, and the cost of dredging has doubled",
                 f"since the {WORDS[page]} contract was let.",
                 f"The board's ﬁnancial plan keeps {WORDS[page]} reserves at one year of spending for the protec-",
                 f"tion of the {WORDS[page]} harbour against storms and a fall in trade over the",
                 f"coming {WORDS[page]} years.",
                 f"{WORDS[page].capitalize()} boats pay no dues."]
        y = 740
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return path


def two_column_page(path: Path) -> Path:
    """One page set in two columns, each column's lines written top to bottom, then a table and a sentence."""
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Vera", 9)
    for x, side in ((60, "left"), (310, "right")):
        y = 780
        for n in range(1, 4):
            for line in (f"The {side} column's point {n} is that the", f"ferry runs {n} times a day in winter."):
                pdf.drawString(x, y, line)
                y -= 12
            y -= 12
    y = 600
    for row in (("Route", "Crossings"), ("North pier", "12"), ("South pier", "8")):
        pdf.drawString(60, y, row[0])
        pdf.drawString(310, y, row[1])
        y -= 12
    pdf.drawString(60, y - 12, "Crossings are fewer when a gale blows.")  # a page's last line, not a table cell
    pdf.showPage()
    pdf.save()
    return path
