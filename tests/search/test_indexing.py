"""Index build and load: round trip, incremental and atomic builds, verified loading, status."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa_service import files
from qa_service.config import Settings
from qa_service.errors import CannotWrite, DocumentError, IndexUnavailable
from qa_service.reading.cleaning import clean
from qa_service.reading.documents import parse_document
from qa_service.search import indexing
from qa_service.search.embedding import Embedder
from qa_service.search.indexing import build_index, index_status, load_index
from qa_service.search.lexical import LexicalIndex


class FailingEmbedder:
    """The real embedder, except that a build's encoding raises from the `fail_on`-th call on."""

    def __init__(self, real: Embedder, fail_on: int) -> None:
        self.real, self.fail_on, self.calls = real, fail_on, 0
        self.name, self.dimension = real.name, real.dimension

    def encode_documents(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.calls += 1
        if self.calls >= self.fail_on:
            raise RuntimeError("embedding failed")
        return self.real.encode_documents(texts, batch_size)


def _load(settings: Settings, embedder: Embedder):
    return load_index(settings.index_dir, embedder.name, embedder.dimension)


def _edit(settings: Settings, doc_id: str) -> None:
    path = settings.docs_dir / f"{doc_id}.txt"
    path.write_text(path.read_text("utf-8") + "\nA new closing paragraph was added to this story by an editor.\n", "utf-8")


def test_build_and_load_round_trip(collection: Settings, embedder: Embedder) -> None:
    data = _load(collection, embedder)
    files = sorted(collection.docs_dir.glob("*.txt"))
    assert sorted(data.documents) == [p.stem for p in files]
    assert data.manifest["counts"] == {"documents": len(files), "sentences": len(data.sentences),
                                       "passages": len(data.passages)}
    assert len(data.passage_vectors) == len(data.passages) and len(data.sentence_vectors) == len(data.sentences)
    raw = parse_document(files[0].stem, files[0].read_text("utf-8"))
    assert data.documents[raw.doc_id].text == clean(raw.body, raw.title).text
    for sentence in data.sentences:
        assert sentence.text == data.documents[sentence.doc_id].text[sentence.start:sentence.end]


def test_passages_with_finds_every_passage_holding_a_sentence(collection: Settings, embedder: Embedder) -> None:
    data = _load(collection, embedder)
    for sentence in data.sentences[::7]:
        holding = [p for p in data.passages if sentence.sentence_id in p.sentence_ids]
        assert data.passages_with([sentence.sentence_id]) == holding
    assert data.passages_with([]) == []


def test_status_is_current_for_a_fresh_build(collection: Settings, embedder: Embedder) -> None:
    assert index_status(collection.docs_dir, collection.index_dir, embedder.name).state == "current"


def test_a_change_only_to_what_is_embedded_makes_the_index_stale(
    collection: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Passages embedded with another lead than the build's must be embedded again."""
    led = indexing.passage_embedding_text
    monkeypatch.setattr(indexing, "passage_embedding_text", lambda document, passage: "Lead\n" + led(document, passage))
    assert index_status(collection.docs_dir, collection.index_dir, embedder.name).state == "stale"


def test_incremental_rebuild_embeds_only_the_changed_document(indexed: Settings, embedder: Embedder) -> None:
    scratch = indexed
    again = build_index(scratch.docs_dir, scratch.index_dir, embedder)
    assert again.up_to_date and again.embedded == [] and len(again.reused) == 5
    assert again.path == (scratch.index_dir / "current").resolve()

    _edit(scratch, "002_c7eb3acecc5827c3")
    assert index_status(scratch.docs_dir, scratch.index_dir, embedder.name).state == "stale"
    second = build_index(scratch.docs_dir, scratch.index_dir, embedder)
    assert not second.up_to_date
    assert second.embedded == ["002_c7eb3acecc5827c3"] and len(second.reused) == 4
    assert index_status(scratch.docs_dir, scratch.index_dir, embedder.name).state == "current"
    assert "added to this story by an editor" in _load(scratch, embedder).documents["002_c7eb3acecc5827c3"].text

    current = scratch.index_dir / "current"
    assert current.is_symlink() and current.resolve() == second.path.resolve()
    _edit(scratch, "003_7bfe52c2e0f08c40")
    third = build_index(scratch.docs_dir, scratch.index_dir, embedder)
    builds = sorted(p.name for p in (scratch.index_dir / "builds").iterdir())
    assert builds == sorted([second.path.name, third.path.name]), "only the newest two builds are kept"
    assert again.path.name not in builds


@pytest.mark.parametrize("name", ["passages.faiss", "table.json"])
def test_corrupt_index_file_is_refused_with_the_fix(indexed: Settings, embedder: Embedder, name: str) -> None:
    _load(indexed, embedder)  # loads before the damage
    target = indexed.index_dir / "current" / name
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(IndexUnavailable, match="build-index") as caught:
        _load(indexed, embedder)
    assert name in str(caught.value)


def test_missing_index_is_unavailable(scratch: Settings, embedder: Embedder) -> None:
    with pytest.raises(IndexUnavailable, match="build-index"):
        _load(scratch, embedder)


def _assert_still_serves(settings: Settings, embedder: Embedder, old: Path) -> None:
    current = settings.index_dir / "current"
    assert current.resolve() == old.resolve()
    assert len(_load(settings, embedder).documents) == 5
    assert not [p for p in (settings.index_dir / "builds").iterdir() if p.name.startswith(".staging")]


def test_embedding_failure_midway_leaves_the_old_index(indexed: Settings, embedder: Embedder,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = indexed
    monkeypatch.setattr(indexing, "EMBED_BATCH", 16)  # the two documents' texts take several batches
    old = (scratch.index_dir / "current").resolve()
    _edit(scratch, "000_6e7c75f473633143")
    _edit(scratch, "001_36d7f88cb89e6445")
    failing = FailingEmbedder(embedder, fail_on=2)
    with pytest.raises(RuntimeError, match="embedding failed"):
        build_index(scratch.docs_dir, scratch.index_dir, failing)
    assert failing.calls == 2
    _assert_still_serves(scratch, embedder, old)


def test_unusable_document_leaves_the_old_index(indexed: Settings, embedder: Embedder) -> None:
    scratch = indexed
    old = (scratch.index_dir / "current").resolve()
    (scratch.docs_dir / "zzz_no_header.txt").write_text("A document someone saved without its header.\n", "utf-8")
    with pytest.raises(DocumentError, match="zzz_no_header"):
        build_index(scratch.docs_dir, scratch.index_dir, embedder)
    _assert_still_serves(scratch, embedder, old)


def test_manifest_checksums_cover_every_file(collection: Settings) -> None:
    folder = collection.index_dir / "current"
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    stored = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert set(manifest["files"]) == stored
    assert {"table.json", "passages.faiss", "sentence_vectors.npy", "passage_vectors.npy"} <= stored


def test_status_is_missing_without_an_index(tmp_path: Path, collection: Settings, embedder: Embedder) -> None:
    shutil.copytree(collection.docs_dir, tmp_path / "docs")
    assert index_status(tmp_path / "docs", tmp_path / "index", embedder.name).state == "missing"


# --- an index that heals ------------------------------------------------------------------


def _damage(path: Path) -> None:
    """Cut the file to half its length, as a copy or a disk that stopped half way does."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _two_builds(settings: Settings, embedder: Embedder, edited: str) -> tuple[Path, Path]:
    """The copied build and a second one with `edited` changed: two kept builds, newest current."""
    first = (settings.index_dir / "current").resolve()
    _edit(settings, edited)
    second = build_index(settings.docs_dir, settings.index_dir, embedder)
    return first, second.path


def test_a_damaged_build_is_rebuilt_reusing_only_vectors_that_verify(indexed: Settings, embedder: Embedder) -> None:
    edited = "002_c7eb3acecc5827c3"
    first, second = _two_builds(indexed, embedder, edited)
    whole = np.load(second / "sentence_vectors.npy")
    _damage(second / "sentence_vectors.npy")
    status = index_status(indexed.docs_dir, indexed.index_dir, embedder.name)
    assert status.state == "damaged" and "sentence_vectors.npy is corrupt" in status.detail

    repaired = build_index(indexed.docs_dir, indexed.index_dir, embedder)
    assert not repaired.up_to_date and "sentence_vectors.npy is corrupt" in (repaired.repaired or "")
    # the other four documents' vectors come from the first build, whose files verify; the
    # edited one is in no build that verifies, so it is embedded again
    assert repaired.embedded == [edited] and len(repaired.reused) == 4
    assert np.allclose(_load(indexed, embedder).sentence_vectors, whole, atol=1e-3)
    assert index_status(indexed.docs_dir, indexed.index_dir, embedder.name).state == "current"
    assert build_index(indexed.docs_dir, indexed.index_dir, embedder).up_to_date
    kept = sorted(p.name for p in (indexed.index_dir / "builds").iterdir())
    assert kept == sorted([first.name, repaired.path.name]), "the damaged build goes, the whole older one stays"


def test_a_deleted_index_file_is_named_and_rebuilt_from_the_vectors_that_remain(
    indexed: Settings, embedder: Embedder
) -> None:
    (indexed.index_dir / "current" / "passages.faiss").unlink()
    status = index_status(indexed.docs_dir, indexed.index_dir, embedder.name)
    assert (status.state, status.detail) == ("damaged", "The index file passages.faiss is missing")
    with pytest.raises(IndexUnavailable, match="passages.faiss is missing"):
        _load(indexed, embedder)
    repaired = build_index(indexed.docs_dir, indexed.index_dir, embedder)
    assert repaired.repaired == "The index file passages.faiss is missing"
    assert repaired.embedded == [] and len(repaired.reused) == 5  # the vector files verify
    assert len(_load(indexed, embedder).passages) == repaired.passages


def test_an_unreadable_manifest_is_damaged_not_missing(indexed: Settings, embedder: Embedder) -> None:
    (indexed.index_dir / "current" / "manifest.json").write_text('{"format": 3, "mod', "utf-8")
    assert index_status(indexed.docs_dir, indexed.index_dir, embedder.name).state == "damaged"
    build_index(indexed.docs_dir, indexed.index_dir, embedder)
    assert index_status(indexed.docs_dir, indexed.index_dir, embedder.name).state == "current"


def test_what_a_killed_build_left_is_removed_by_the_next(indexed: Settings, embedder: Embedder) -> None:
    builds = indexed.index_dir / "builds"
    left = builds / f".staging-20260101T000000000000Z-{999_999_999}"  # above any process id Linux gives
    left.mkdir()
    (left / "table.json").write_text("{", "utf-8")
    running = builds / f".staging-20260101T000000000001Z-{os.getpid()}"  # a build still being written
    running.mkdir()
    _edit(indexed, "001_36d7f88cb89e6445")
    build_index(indexed.docs_dir, indexed.index_dir, embedder)
    assert not left.exists() and running.is_dir()


# --- a full disk and a folder that cannot be written ------------------------------------------


def test_a_disk_that_fills_during_the_write_is_one_line_and_leaves_the_old_build(
    indexed: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC injected where the BM25 index is written, half way through the build's files."""
    old = (indexed.index_dir / "current").resolve()

    def full(self: object, folder: Path) -> None:
        (folder / "half.npy").parent.mkdir(parents=True, exist_ok=True)
        (folder / "half.npy").write_bytes(b"\0" * 1000)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(LexicalIndex, "save", full)
    _edit(indexed, "000_6e7c75f473633143")
    with pytest.raises(CannotWrite) as caught:
        build_index(indexed.docs_dir, indexed.index_dir, embedder)
    message = str(caught.value)
    assert message.startswith(f"{indexed.index_dir / 'builds'} is full: the build would take about ")
    assert " MB there and " in message and "\n" not in message and "Nothing was changed" in message
    _assert_still_serves(indexed, embedder, old)


def test_a_build_that_cannot_fit_is_refused_before_anything_is_embedded(
    indexed: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "free_space", lambda folder: 100_000)
    _edit(indexed, "000_6e7c75f473633143")
    never = FailingEmbedder(embedder, fail_on=1)
    with pytest.raises(CannotWrite, match=r"would take about 0\.\d MB there and 0\.1 MB is free"):
        build_index(indexed.docs_dir, indexed.index_dir, never)
    assert never.calls == 0


def test_the_space_a_build_needs_is_estimated_from_above(collection: Settings) -> None:
    """The estimate the refusal names is at least what a build takes (and not wildly more)."""
    folder = (collection.index_dir / "current").resolve()
    taken = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    prepared = [indexing.prepare_document(raw, indexing.DEFAULT_CHUNKING)
                for raw in indexing.load_collection(collection.docs_dir)]
    estimate = indexing.space_needed(prepared, 384)
    assert taken <= estimate <= 2 * taken
