"""A Word (.docx) file as a document: its paragraphs and tables in the order written.

python-docx reads the body; each paragraph becomes one line, a heading too (cleaning
finds the headings and stories as it does in web pages), and each table row a line of
its cells joined by " | ", so a row's facts stay together in one quotable sentence.
Title, author and date come from the file's core properties.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DocumentError


def read_docx(path: Path) -> tuple[str, dict[str, str]]:
    """The body and metadata (title, author, date) of a .docx file, or DocumentError naming the file and why."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += [" | ".join(cell.text.strip() for cell in row.cells if cell.text.strip()) for row in block.rows]
            else:
                lines.append(block.text.strip())
        properties = document.core_properties
    except Exception as exc:  # a damaged or non-Word file: PackageNotFoundError, KeyError, XMLSyntaxError...
        raise DocumentError(f"{path.name}: not a readable Word (.docx) file ({exc.__class__.__name__})") from exc
    body = "\n\n".join(line for line in lines if line)
    if not body:
        raise DocumentError(f"{path.name}: the Word file holds no text")
    fields = {
        "title": (properties.title or "").strip(),
        "author": (properties.author or "").strip(),
        "date": properties.created.date().isoformat() if properties.created else "",
    }
    return body + "\n", fields
