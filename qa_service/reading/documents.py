"""Reading and writing the document collection (`docs/`).

A document file is UTF-8 text: a small YAML header between `---` lines (title, source,
date, author, url) and then the body exactly as captured. Cleaning is not done here but in
`cleaning`, so every document, old or newly ingested, is cleaned by the same rules.

A user's text file may come in another encoding: UTF-8 with or without a byte order mark,
UTF-16 or UTF-32 with one, or a legacy one such as Windows-1252 or Latin-1, which
charset-normalizer tells from the bytes. It is stored as UTF-8 whatever it came in.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import charset_normalizer
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
    # The encoding of the text file it was read from (utf-8, windows-1252, utf-16-le...); None for
    # a PDF or Word file. Not stored: docs/ holds UTF-8 only.
    encoding: str | None = field(default=None, compare=False)

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
    return [parse_document(path.stem, decode_text(path.read_bytes(), path).text)
            for path in sorted(docs_dir.glob("*.txt"))]


def load_collection(docs_dir: Path) -> list[RawDocument]:
    """All documents of the collection, in file-name order; DocumentError when there are none to index."""
    docs = stored_documents(docs_dir)
    if not docs:
        where = f"document folder {docs_dir} does not exist" if not docs_dir.is_dir() else f"no documents (*.txt) in {docs_dir}"
        raise DocumentError(f"{where}; add one with `python -m qa_service ingest FILE`")
    return docs


@dataclass(frozen=True)
class DecodedText:
    """A file's text and the encoding it was read in."""

    text: str
    encoding: str


# Byte order marks, UTF-32's first: its little-endian one starts with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Control characters no text uses (tab, line breaks and the form feed between pages are fine).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.01
# The legacy encoding most text is written in (Windows' and the WHATWG's default for Western
# text; Latin-1 text reads the same in it), taken unless another reads the bytes with clearly
# less mess: on short or mostly English text charset-normalizer's own first choice is often a
# DOS or Baltic code page that turns "café" into "cafķ".
_PREFERRED_LEGACY = "cp1252"
PREFERRED_LEGACY_MESS = 0.1


def decode_text(data: bytes, path: Path) -> DecodedText:
    """The text of a file and its encoding, or a DocumentError that says why it is not usable text.

    Valid UTF-8 is taken as UTF-8 without guessing; only other bytes go to charset-normalizer,
    which finds an encoding for almost anything, so binary data is turned away first: NUL
    bytes (without a UTF-16 or UTF-32 byte order mark), or more than 1% control characters.
    """
    _check_not_empty(data, path)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decoded(data, encoding, path, start=len(bom))
    if b"\x00" in data:
        raise _binary(path)
    return _decoded(data, "utf-8" if _is_utf8(data) else _legacy_encoding(data, path), path)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _legacy_encoding(data: bytes, path: Path) -> str:
    """The encoding charset-normalizer reads the bytes best in, or DocumentError for binary data."""
    if _looks_binary(data.decode("latin-1")):  # one character a byte, so control bytes count as they are
        raise _binary(path)
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise _binary(path)
    preferred = any(_PREFERRED_LEGACY in m.could_be_from_charset and m.chaos <= best.chaos + PREFERRED_LEGACY_MESS
                    for m in matches)
    return _PREFERRED_LEGACY if preferred else best.encoding


def _decoded(data: bytes, encoding: str, path: Path, start: int = 0) -> DecodedText:
    """The bytes from `start` (after a byte order mark) decoded strictly, or DocumentError for
    bytes that are not that encoding or not text."""
    name = _encoding_label(encoding)
    try:
        text = data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path.name}: not {name} text (byte {start + exc.start}); re-save it as UTF-8") from exc
    if _looks_binary(text):
        raise _binary(path)
    return DecodedText(text, name)


def _looks_binary(text: str) -> bool:
    """More than MAX_CONTROL_SHARE of the characters are controls: data, not a text."""
    controls = sum(1 for _ in _CONTROL.finditer(text))
    return controls > MAX_CONTROL_SHARE * len(text)


def _binary(path: Path) -> DocumentError:
    return DocumentError(f"{path.name}: looks like a binary file, not text")


def _encoding_label(encoding: str) -> str:
    """The name people know an encoding by: windows-1252 for Python's cp1252, iso-8859-1 for latin_1."""
    name = codecs.lookup(encoding).name
    return re.sub(r"^cp(125\d)$", r"windows-\1", name).replace("iso8859-", "iso-8859-")


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


def read_source_file(path: Path, max_bytes: int | None = None) -> RawDocument:
    """Turn a user's .txt, .md, .html, .pdf or .docx file into a document, raising DocumentError if
    unusable or larger than `max_bytes` (QA_MAX_DOCUMENT_BYTES; None: no limit)."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{path.name}: unsupported file type {suffix or '(none)'}; use .txt, .md, .html, .pdf or .docx")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DocumentError(f"{path.name}: {size:,} bytes, over the limit of {max_bytes:,} bytes a document may "
                                f"have (QA_MAX_DOCUMENT_BYTES); split the file or raise the limit")
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
    decoded = decode_text(data, path)
    return replace(_from_text(doc_id, decoded.text, suffix, path), encoding=decoded.encoding)


def _from_text(doc_id: str, text: str, suffix: str, path: Path) -> RawDocument:
    """The document of a text file (.txt, .md or .html): its own header, or a title from the first line."""
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
