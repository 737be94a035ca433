"""The index folder on disk: its builds, the `current` link, and whether a build is whole.

    index/current -> builds/<id>/    a symlink, swapped atomically when a build completes
    index/builds/<id>/manifest.json  model, dimension, chunker settings, document hashes,
                                     build time and a SHA-256 of every other file
                      table.json     documents (cleaned text, sections), sentences, passages
                      sentence_vectors.npy, passage_vectors.npy, passages.faiss, bm25/

A build is whole when its manifest reads, is of this format and this model, and every file
it lists has the SHA-256 it lists. The manifest is written last, so a build killed mid-way
has none; a file damaged later (a disk fault, a cut copy, an edit by hand) no longer matches
its sum. Only whole builds are served, `build-index` rebuilds a current build that is not
whole, and vectors are reused only from files whose sums hold. The newest KEEP_BUILDS builds
are kept, so that while the current one is damaged the service can serve the one before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..processes import alive

FORMAT_VERSION = 3  # 2: words are lemmatized before stemming; 3: accents folded (the lexical index changed)
KEEP_BUILDS = 2
MANIFEST = "manifest.json"
REBUILD_HINT = "run `python -m qa_service build-index` (or `make index`) to build it"


def current_link(index_dir: Path) -> Path:
    return index_dir / "current"


def builds_folder(index_dir: Path) -> Path:
    return index_dir / "builds"


def read_manifest(folder: Path) -> dict | None:
    """The manifest of the build in `folder`, or None when there is no readable one."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file of a build but its manifest, by path inside the build."""
    return {str(path.relative_to(folder)): sha256(path)
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MANIFEST}


def damaged_file(folder: Path, manifest: dict, names: Iterable[str] | None = None) -> str | None:
    """Why the first of `names` (all the manifest lists by default) fails its sum, or None when they hold."""
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return f"The index manifest at {folder} lists no files"
    for name in files if names is None else names:
        path = folder / name
        if name not in files or not path.is_file():
            return f"The index file {name} is missing"
        if sha256(path) != files[name]:
            return f"The index file {name} is corrupt (checksum mismatch)"
    return None


def build_problem(folder: Path, model_name: str, dimension: int) -> str | None:
    """Why the build in `folder` cannot be served with this model (no fix named), or None when it is whole."""
    if not (folder / MANIFEST).is_file():
        return f"No index at {folder.parent if folder.name == 'current' else folder}"
    manifest = read_manifest(folder)
    if manifest is None:
        return f"The index manifest at {folder} is unreadable"
    if manifest.get("format") != FORMAT_VERSION:
        return f"The index at {folder} has format {manifest.get('format')}, this version reads {FORMAT_VERSION}"
    if manifest.get("model") != model_name or manifest.get("dimension") != dimension:
        return (f"The index was built with {manifest.get('model')} ({manifest.get('dimension')}-d), "
                f"the service uses {model_name} ({dimension}-d)")
    return damaged_file(folder, manifest)


def kept_builds(index_dir: Path) -> list[Path]:
    """The finished builds in the index folder, newest first (staging folders are not builds)."""
    builds = builds_folder(index_dir)
    if not builds.is_dir():
        return []
    return sorted((p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name, reverse=True)


def point_current(index_dir: Path, target: Path) -> None:
    """Repoint index/current at `target` in one atomic rename."""
    link = current_link(index_dir)
    temporary = index_dir / f".current-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(target.relative_to(index_dir))
    os.replace(temporary, link)


STAGING = ".staging-"  # + the build's name, which ends in the building process's id


def staging_folder(target: Path) -> Path:
    """Where the build `target` is written before it is renamed into place."""
    return target.with_name(f"{STAGING}{target.name}")


def prune_builds(index_dir: Path, keep: Path) -> None:
    """Drop all but the newest KEEP_BUILDS builds (`keep`, what `current` points at, always
    stays), and what builds killed mid-write left: staging folders whose process is gone."""
    for old in kept_builds(index_dir)[KEEP_BUILDS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for staging in builds_folder(index_dir).glob(f"{STAGING}*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and alive(int(pid))):
            shutil.rmtree(staging, ignore_errors=True)
