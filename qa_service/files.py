"""Writing files so that a reader never sees half of one.

A process killed mid-write, or a full disk, leaves either the old file or the new one,
never a torn one: the content goes to a temporary file beside the target (same folder,
so the same file system) and is renamed over it in one step. The temporary name starts
with a dot and ends in .tmp, so no folder listing of documents or models picks it up.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


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
