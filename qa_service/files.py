"""Writing files so that a reader never sees half of one.

A process killed mid-write, or a full disk, leaves either the old file or the new one,
never a torn one: the content goes to a temporary file beside the target (same folder,
so the same file system) and is renamed over it in one step. The temporary name starts
with a dot and ends in .tmp, so no folder listing of documents or models picks it up.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import CannotWrite


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Have `write` fill a temporary path, then rename it to `target`; on failure nothing is left."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(target: Path, text: str) -> None:
    """`text` as UTF-8 at `target`, written atomically."""
    write_atomically(target, lambda path: path.write_text(text, encoding="utf-8"))


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size < 1e9 else f"{size / 1e9:.2f} GB"


def free_space(folder: Path) -> int:
    """Bytes free to this user in `folder`'s file system."""
    return shutil.disk_usage(folder).free


def check_space(folder: Path, what: str, needed: int, setting: str) -> None:
    """CannotWrite, before any of it is written, when `what` (about `needed` bytes) cannot fit in `folder`."""
    free = free_space(folder)
    if free < needed:
        raise CannotWrite(_full(folder, what, needed, free, setting))


def _full(folder: Path, what: str, needed: int, free: int, setting: str) -> str:
    return (f"{folder} is full: {what} would take about {_megabytes(needed)} there and {_megabytes(free)} is free; "
            f"free some space or set {setting} to a folder on a larger disk. Nothing was changed.")


@contextmanager
def writing(folder: Path, what: str, needed: int, setting: str) -> Iterator[None]:
    """Turn an OSError raised while writing `what` in `folder` into one line saying which folder and why.

    A full disk (or quota) names the space needed; no permission or a read-only file system
    says so. The caller removes what was half written; the message says nothing was changed.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise CannotWrite(_full(folder, what, needed, free_space(folder) if folder.is_dir() else 0,
                                    setting)) from exc
        reason = exc.strerror or exc.__class__.__name__
        fix = ("give this user write access there" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
               else "check the disk")
        raise CannotWrite(f"{folder} cannot be written ({reason}) while writing {what}: {fix}, or set {setting} "
                          f"to another folder. Nothing was changed.") from exc
