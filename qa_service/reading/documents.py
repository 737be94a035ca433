"""Reading and writing the document collection (`docs/`).

A document file is UTF-8 text: a small YAML header between `---` lines (title, source,
date, author, url) and then the body exactly as captured. Cleaning is not done here but in
`cleaning`, so every document, old or newly ingested, is cleaned by the same rules.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from ..errors import DocumentError
from ..models import DocumentMetadata
from .pdf import read_pdf
from .word import read_docx

HEADER_FIELDS = tuple(f.name for f in fields(DocumentMetadata) if f.name != "doc_id")  # title, source, date, author, url
SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
_HEADER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class RawDocument(DocumentMetadata):
    """A document as stored: metadata plus the body before cleaning."""

    body: str

    @property
    def content_hash(self) -> str:
        """Hash of metadata and body: a changed file gets re-embedded, an unchanged one not."""
        payload = "\x1f".join([*(getattr(self, f) for f in HEADER_FIELDS), self.body])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def body_fingerprint(self) -> str:
        """Hash of the body with whitespace and case folded, to spot the same text added twice."""
        folded = " ".join(unicodedata.normalize("NFKC", self.body).lower().split())
        return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def parse_document(doc_id: str, text: str) -> RawDocument:
    """Split a stored document into header fields and body."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = _HEADER.match(text)
    if not match:
        raise DocumentError(f"{doc_id}: missing the '---' metadata header (title, source, date, author, url)")
    try:
        header = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(f"{doc_id}: the metadata header is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(header, dict):
        raise DocumentError(f"{doc_id}: the metadata header must be 'key: value' lines")
    fields = {name: "" if header.get(name) is None else str(header.get(name)).strip() for name in HEADER_FIELDS}
    body = text[match.end():]
    if not body.strip():
        raise DocumentError(f"{doc_id}: the document has a header but no text")
    return RawDocument(doc_id=doc_id, body=body, **fields)


def render_document(doc: RawDocument) -> str:
    """The file form of a document, the inverse of `parse_document`."""
    header = yaml.safe_dump({name: getattr(doc, name) for name in HEADER_FIELDS}, allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n{doc.body}"


def stored_documents(docs_dir: Path) -> list[RawDocument]:
    """The collection's documents in file-name order; none in a folder that does not exist
    yet: a collection is started by adding its first document (`ingest`)."""
    if not docs_dir.is_dir():
        return []
    return [parse_document(path.stem, decode_text(path.read_bytes(), path)) for path in sorted(docs_dir.glob("*.txt"))]


def load_collection(docs_dir: Path) -> list[RawDocument]:
    """All documents of the collection, in file-name order; DocumentError when there are none to index."""
    docs = stored_documents(docs_dir)
    if not docs:
        where = f"document folder {docs_dir} does not exist" if not docs_dir.is_dir() else f"no documents (*.txt) in {docs_dir}"
        raise DocumentError(f"{where}; add one with `python -m qa_service ingest FILE`")
    return docs


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text of a file, or a DocumentError that says why it is not usable text."""
    _check_not_empty(data, path)
    if b"\x00" in data:
        raise DocumentError(f"{path.name}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path.name}: not UTF-8 text (byte {exc.start}); re-save it as UTF-8") from exc


def _check_not_empty(data: bytes, path: Path) -> None:
    if not data.strip():
        raise DocumentError(f"{path.name}: the file is empty")


def slug(name: str) -> str:
    """A document id from a file name: lower case letters, digits, '-' and '_'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9_]+", "-", folded).strip("-") or "document"


def source_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, a folder standing for the files of supported types anywhere inside it
    (in name order; others, such as images, are left out), or DocumentError for a folder holding none."""
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        if not found:
            raise DocumentError(f"{path.name}: the folder holds no {', '.join(SUPPORTED_SUFFIXES)} files")
        files += found
    return files


def read_source_file(path: Path) -> RawDocument:
    """Turn a user's .txt, .md, .html, .pdf or .docx file into a document, raising DocumentError if unusable."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{path.name}: unsupported file type {suffix or '(none)'}; use .txt, .md, .html, .pdf or .docx")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    doc_id = slug(path.stem)
    if suffix in (".pdf", ".docx"):
        _check_not_empty(data, path)
        body, fields = read_pdf(path) if suffix == ".pdf" else read_docx(path)
        title = fields["title"] or next(line.strip() for line in body.splitlines() if line.strip())
        return RawDocument(doc_id=doc_id, title=title[:200], source="", date=fields["date"], author=fields["author"],
                           url="", body=body)
    text = decode_text(data, path)
    if suffix in (".html", ".htm"):
        return _from_html(doc_id, text, path)
    if _HEADER.match(text.replace("\r\n", "\n")):
        return parse_document(doc_id, text)
    body = _markdown_to_text(text) if suffix in (".md", ".markdown") else text.replace("\r\n", "\n")
    if not body.strip():
        raise DocumentError(f"{path.name}: the file holds no text")
    title = next((line.strip() for line in body.splitlines() if line.strip()), "")
    return RawDocument(doc_id=doc_id, title=title[:200], source="", date="", author="", url="", body=body)


def _from_html(doc_id: str, html: str, path: Path) -> RawDocument:
    """Main text and metadata of a web page through trafilatura's boilerplate remover."""
    import trafilatura

    body = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not body or not body.strip():
        raise DocumentError(f"{path.name}: no article text found in the HTML")
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else "") or body.strip().splitlines()[0]
    return RawDocument(
        doc_id=doc_id,
        title=title.strip(),
        source=(meta.sitename or "") if meta else "",
        date=(meta.date or "") if meta else "",
        author=(meta.author or "") if meta else "",
        url=(meta.url or "") if meta else "",
        body=f"{title.strip()}\n\n{body.strip()}\n",
    )


_MD_RULES = (
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # heading marks
    (re.compile(r"^\s*[-*+]\s+", re.M), "  • "),  # list items read as bullets
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),  # inline code
)


def _markdown_to_text(text: str) -> str:
    """Markdown markup removed so that quotes read as plain sentences."""
    text = text.replace("\r\n", "\n")
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text
