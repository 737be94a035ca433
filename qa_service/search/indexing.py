"""docs/ to index/ and back: build (incremental, atomic) and load (verified).

A build writes a new folder of index/builds/ and only then repoints `current`
(stored_builds.py has the layout), so a crash, a full disk or a bad document mid-build
leaves the previous index serving. Documents whose embedded texts are unchanged reuse their
vectors from a kept build instead of being embedded again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..errors import IndexUnavailable
from ..files import check_space, writing
from ..models import Document, Passage, Section, Sentence
from ..question.referents import embedding_text
from ..reading.cleaning import clean
from ..reading.documents import RawDocument, load_collection
from ..reading.segmenting import ChunkSettings, group_passages, split_sentences
from ..text import tokenize
from .embedding import Embedder
from .index_data import IndexData
from .lexical import LexicalIndex
from .stored_builds import (
    FORMAT_VERSION,
    MANIFEST,
    REBUILD_HINT,
    build_problem,
    builds_folder,
    checksums,
    current_link,
    damaged_file,
    kept_builds,
    point_current,
    prune_builds,
    read_manifest,
    staging_folder,
)
from .vectors import build_vector_index, choose_vector_index, load_vector_index

EMBED_BATCH = 256  # texts embedded between two progress reports
Progress = Callable[[int, int], None]  # (texts embedded so far, texts to embed)
DEFAULT_CHUNKING = ChunkSettings()


@dataclass(frozen=True)
class PreparedDocument:
    """One document cut into sentences and passages, ids local to the document."""

    document: Document
    sentences: list[Sentence]
    passages: list[Passage]

    @property
    def embedding_texts(self) -> tuple[list[str], list[str]]:
        """Exactly what gets embedded: sentence texts (with who an opening "He"/"She" is,
        referents.py), and passage texts led by their title."""
        sentences = [embedding_text(self.sentences, i) for i in range(len(self.sentences))]
        return sentences, [passage_embedding_text(self.document, p) for p in self.passages]

    @property
    def embedding_key(self) -> str:
        """Hash of what gets embedded: equal keys can share vectors, whatever changed in the code."""
        sentence_texts, passage_texts = self.embedding_texts
        payload = "\x1e".join(["\x1f".join(sentence_texts), "\x1f".join(passage_texts)])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def build_key(self) -> str:
        """Hash of everything a build stores for this document: any change makes the index stale,
        a change only to what gets embedded (how a passage is led, say) included."""
        payload = json.dumps([asdict(self.document), [asdict(s) for s in self.sentences],
                              [asdict(p) for p in self.passages], self.embedding_key], ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the CLI to print."""

    path: Path
    documents: int
    embedded: list[str]
    reused: list[str]
    sentences: int
    passages: int
    seconds: float
    up_to_date: bool = False
    repaired: str | None = None  # why the current build, which matched the documents, was not whole


def prepare_document(raw: RawDocument, chunking: ChunkSettings) -> PreparedDocument:
    """Clean, find sections, split and chunk one document (pure: no I/O, no model)."""
    cleaned = clean(raw.body, raw.title)
    sections = tuple(
        Section(title=" ".join(s.title.split()), date=s.date, start=s.start, end=s.end) for s in cleaned.sections
    )
    document = Document(**raw.metadata(), text=cleaned.text, sections=sections, content_hash=raw.content_hash,
                        page_starts=cleaned.page_starts)
    sentences = split_sentences(raw.doc_id, cleaned)
    passages = group_passages(cleaned.text, sentences, [(s.start, s.end) for s in sections], chunking)
    return PreparedDocument(document, sentences, passages)


def passage_embedding_text(document: Document, passage: Passage) -> str:
    """A passage as embedded: led by its story's title, which the passage itself may not repeat."""
    section = document.section_at(passage.start)
    title = section.title if section else document.title
    return passage.text if passage.text.startswith(title) else f"{title}\n{passage.text}"


def _matches(manifest: dict | None, prepared: list[PreparedDocument], model_name: str, chunking: ChunkSettings) -> bool:
    """True when a build from `prepared` would produce what `manifest` describes."""
    return (
        manifest is not None
        and manifest.get("format") == FORMAT_VERSION
        and manifest.get("model") == model_name
        and manifest.get("chunker") == asdict(chunking)
        and manifest.get("build_keys") == {p.document.doc_id: p.build_key for p in prepared}
    )


@dataclass(frozen=True)
class IndexStatus:
    """'missing', 'damaged' (the build is not whole: `detail` says why), 'stale' (documents,
    code or settings changed since the build) or 'current'."""

    state: str
    detail: str = ""


def index_status(docs_dir: Path, index_dir: Path, model_name: str,
                 chunking: ChunkSettings = DEFAULT_CHUNKING) -> IndexStatus:
    """What `build-index` would do now: nothing ('current') or build ('missing', 'damaged', 'stale')."""
    folder = current_link(index_dir)
    if not (folder / MANIFEST).is_file():
        return IndexStatus("missing")
    manifest = read_manifest(folder)
    if manifest is None:
        return IndexStatus("damaged", f"The index manifest at {folder} is unreadable")
    prepared = [prepare_document(raw, chunking) for raw in load_collection(docs_dir)]
    if not _matches(manifest, prepared, model_name, chunking):
        return IndexStatus("stale")
    problem = damaged_file(folder, manifest)
    return IndexStatus("damaged", problem) if problem else IndexStatus("current")


VECTOR_FILES = ("table.json", "sentence_vectors.npy", "passage_vectors.npy")  # what reuse reads


def _previous_vectors(index_dir: Path, model_name: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Vectors of the kept builds made with this model, by embedding key, the newest build's first.

    Only files whose checksums hold are read, so a damaged build lends nothing it cannot
    vouch for; anything unreadable just means less is reused and more embedded.
    """
    reused: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for folder in kept_builds(index_dir):
        manifest = read_manifest(folder)
        if not manifest or manifest.get("model") != model_name or damaged_file(folder, manifest, VECTOR_FILES):
            continue
        try:
            table = json.loads((folder / "table.json").read_text(encoding="utf-8"))
            sentence_vectors = np.load(folder / "sentence_vectors.npy")
            passage_vectors = np.load(folder / "passage_vectors.npy")
        except (OSError, ValueError):
            continue
        for doc in table["documents"]:
            s0, s1 = doc["sentence_rows"]
            p0, p1 = doc["passage_rows"]
            reused.setdefault(doc["embedding_key"], (sentence_vectors[s0:s1], passage_vectors[p0:p1]))
    return reused


def build_index(
    docs_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    chunking: ChunkSettings = DEFAULT_CHUNKING,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildReport:
    """Build the index for every document in `docs_dir`; the old index serves until this returns.

    A current build that matches the documents is left as it is only when it is whole
    (stored_builds): one damaged since it was written is built again, and the report says
    why. `progress(done, total)` hears how many of the texts to embed are done, after each
    batch (the CLI draws a bar, an upload's build status shows it). Raises DocumentError
    for an unusable document, and CannotWrite for a folder that is full or not writable,
    before anything is written (or, should the disk fill during the write, with the
    partial build removed).
    """
    started = time.perf_counter()
    prepared = [prepare_document(raw, chunking) for raw in load_collection(docs_dir)]
    current = current_link(index_dir)
    manifest = read_manifest(current)
    damage = None
    if not force and _matches(manifest, prepared, embedder.name, chunking):
        damage = damaged_file(current, manifest)  # format and model match, so only the files can fail
        if damage is None:
            return BuildReport(
                path=current.resolve(),
                documents=len(prepared),
                embedded=[],
                reused=[p.document.doc_id for p in prepared],
                sentences=manifest["counts"]["sentences"],
                passages=manifest["counts"]["passages"],
                seconds=time.perf_counter() - started,
                up_to_date=True,
            )
    builds = builds_folder(index_dir)
    needed = space_needed(prepared, embedder.dimension)
    with writing(builds, "the build", needed, "QA_INDEX_DIR"):
        builds.mkdir(parents=True, exist_ok=True)
        check_space(builds, "the build", needed, "QA_INDEX_DIR")
    previous = {} if force else _previous_vectors(index_dir, embedder.name)
    to_embed = [p for p in prepared if p.embedding_key not in previous]
    vectors = {**previous, **_embed(to_embed, embedder, progress)}
    target = builds / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}"
    staging = staging_folder(target)
    replaced = current.resolve()
    try:
        with writing(builds, "the build", needed, "QA_INDEX_DIR"):
            counts = _write_build(staging, prepared, vectors, embedder, chunking)
            staging.rename(target)
            point_current(index_dir, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if damage:  # not kept: an older build that is whole is the better one to fall back on
        shutil.rmtree(replaced, ignore_errors=True)
    prune_builds(index_dir, keep=target)
    return BuildReport(
        path=target,
        documents=len(prepared),
        embedded=[p.document.doc_id for p in to_embed],
        reused=[p.document.doc_id for p in prepared if p not in to_embed],
        sentences=counts["sentences"],
        passages=counts["passages"],
        seconds=time.perf_counter() - started,
        repaired=damage,
    )


def space_needed(prepared: list[PreparedDocument], dimension: int) -> int:
    """About the bytes a build of `prepared` takes: its float32 vectors (passages twice, as
    .npy and in FAISS), its table and BM25 index (a few times the text), and some slack."""
    sentences = sum(len(p.sentences) for p in prepared)
    passages = sum(len(p.passages) for p in prepared)
    text = sum(len(p.document.text.encode("utf-8")) for p in prepared)
    return 4 * dimension * (sentences + 2 * passages) + 4 * text + (64 << 10)


def _embed(items: list[PreparedDocument], embedder: Embedder,
           progress: Progress | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Sentence and passage vectors of each document by embedding key, the texts of all of
    them embedded in batches of EMBED_BATCH, so that one long report shows progress too."""
    texts: list[str] = []
    layout: list[tuple[str, int, int, int]] = []  # key, first row, sentences, passages
    for item in items:
        sentence_texts, passage_texts = item.embedding_texts
        layout.append((item.embedding_key, len(texts), len(sentence_texts), len(passage_texts)))
        texts += sentence_texts + passage_texts
    if progress is not None and texts:
        progress(0, len(texts))
    blocks = []
    for start in range(0, len(texts), EMBED_BATCH):
        blocks.append(embedder.encode_documents(texts[start:start + EMBED_BATCH]))
        if progress is not None:
            progress(min(start + EMBED_BATCH, len(texts)), len(texts))
    if not blocks:
        return {}
    matrix = np.vstack(blocks)
    return {key: (matrix[at:at + s], matrix[at + s:at + s + p]) for key, at, s, p in layout}


def _write_build(
    folder: Path,
    prepared: list[PreparedDocument],
    vectors: dict[str, tuple[np.ndarray, np.ndarray]],
    embedder: Embedder,
    chunking: ChunkSettings,
) -> dict[str, int]:
    folder.mkdir(parents=True)
    docs_table, sentence_rows, passage_rows = [], [], []
    sentence_blocks, passage_blocks, passage_texts = [], [], []
    for index, item in enumerate(prepared):
        doc = item.document
        s_vectors, p_vectors = vectors[item.embedding_key]
        s0, p0 = len(sentence_rows), len(passage_rows)
        docs_table.append({
            **{k: v for k, v in asdict(doc).items() if k != "sections"},
            "sections": [asdict(s) for s in doc.sections],
            "embedding_key": item.embedding_key,
            "sentence_rows": [s0, s0 + len(item.sentences)],
            "passage_rows": [p0, p0 + len(item.passages)],
        })
        sentence_rows += [[index, s.start, s.end, s.paragraph, int(s.heading)] for s in item.sentences]
        passage_rows += [[index, p.start, p.end, s0 + p.sentence_ids[0], s0 + p.sentence_ids[-1]] for p in item.passages]
        passage_texts += item.embedding_texts[1]
        sentence_blocks.append(s_vectors)
        passage_blocks.append(p_vectors)
    sentence_matrix = np.vstack(sentence_blocks).astype(np.float32)
    passage_matrix = np.vstack(passage_blocks).astype(np.float32)
    document_frequency = Counter(t for s in _sentence_texts(prepared) for t in set(tokenize(s)))
    table = {"documents": docs_table, "sentences": sentence_rows, "passages": passage_rows,
             "sentence_df": dict(document_frequency), "sentence_count": len(sentence_rows)}
    (folder / "table.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    np.save(folder / "sentence_vectors.npy", sentence_matrix)
    np.save(folder / "passage_vectors.npy", passage_matrix)
    kind = choose_vector_index(len(passage_matrix))
    build_vector_index(kind, passage_matrix).save(folder / "passages.faiss")
    LexicalIndex.build(passage_texts).save(folder / "bm25")
    counts = {"documents": len(prepared), "sentences": len(sentence_rows), "passages": len(passage_rows)}
    manifest = {
        "format": FORMAT_VERSION,
        "model": embedder.name,
        "dimension": embedder.dimension,
        "chunker": asdict(chunking),
        "vector_index": kind,
        "documents": {p.document.doc_id: p.document.content_hash for p in prepared},
        "build_keys": {p.document.doc_id: p.build_key for p in prepared},
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "files": checksums(folder),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return counts


def _sentence_texts(prepared: list[PreparedDocument]) -> Iterable[str]:
    for item in prepared:
        for sentence in item.sentences:
            yield sentence.text


def load_index(index_dir: Path, model_name: str, dimension: int, folder: Path | None = None) -> IndexData:
    """Load and verify the current build (or the kept build in `folder`), or raise IndexUnavailable naming the fix."""
    folder = folder or current_link(index_dir)
    problem = build_problem(folder, model_name, dimension)
    if problem:
        raise IndexUnavailable(f"{problem}: {REBUILD_HINT}.")
    try:
        return _read_build(folder, read_manifest(folder) or {})
    except (OSError, ValueError, KeyError, IndexError, RuntimeError) as exc:
        raise IndexUnavailable(f"The index at {folder} cannot be read ({exc.__class__.__name__}): {REBUILD_HINT}.") from exc


def _read_build(folder: Path, manifest: dict) -> IndexData:
    table = json.loads((folder / "table.json").read_text(encoding="utf-8"))
    documents: list[Document] = []
    for row in table["documents"]:
        sections = tuple(Section(**s) for s in row["sections"])
        fields = {k: row[k] for k in ("doc_id", "title", "source", "date", "author", "url", "text", "content_hash")}
        documents.append(Document(sections=sections, page_starts=tuple(row.get("page_starts", ())), **fields))
    sentences = [
        Sentence(sentence_id=i, doc_id=documents[d].doc_id, start=s, end=e, text=documents[d].text[s:e],
                 paragraph=para, heading=bool(h))
        for i, (d, s, e, para, h) in enumerate(table["sentences"])
    ]
    passages = [
        Passage(passage_id=i, doc_id=documents[d].doc_id, start=s, end=e, text=documents[d].text[s:e],
                sentence_ids=tuple(range(first, last + 1)))
        for i, (d, s, e, first, last) in enumerate(table["passages"])
    ]
    sentence_vectors = np.load(folder / "sentence_vectors.npy")
    vector_index = load_vector_index(manifest["vector_index"], folder / "passages.faiss")
    if len(vector_index) != len(passages) or len(sentence_vectors) != len(sentences):
        raise ValueError("vector counts do not match the table")
    count = max(1, table["sentence_count"])
    idf = {t: math.log(1 + count / df) for t, df in table["sentence_df"].items()}
    return IndexData(
        manifest=manifest,
        documents={d.doc_id: d for d in documents},
        sentences=sentences,
        passages=passages,
        sentence_vectors=sentence_vectors,
        passage_vectors=vector_index,
        lexical=LexicalIndex.load(folder / "bm25", len(passages)),
        idf=idf,
        missing_idf=math.log(1 + count),
    )
