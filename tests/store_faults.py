"""The ways the service's SQLite file (QA_FEEDBACK_DB) breaks, made for real on a file the tests give.

Shared by the tests of the store itself, of /api/feedback, of the Slack bot and of the served
app, so each faces the same faults: a file that is not a database, one locked by another
process's transaction, one the service may not write, and a folder that cannot be made.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

FAULTS = ("damaged", "locked", "unwritable", "no_folder")
# Words of each fault's cause as StoreUnavailable gives it (see qa_service.sqlite_store).
CAUSES = {
    "damaged": "not a SQLite database",
    "locked": "held a lock on it",
    "unwritable": "may not write to it",
    "no_folder": "cannot be made",
}


@contextmanager
def _unwritable(path: Path) -> Iterator[None]:
    """`path` read-only even for root: the immutable attribute as root (chattr), read-only mode otherwise."""
    as_root = os.geteuid() == 0
    if as_root:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot make a file unwritable for root here: {done.stderr.strip()}")
    else:
        path.chmod(0o444)
    try:
        yield
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o644)


@contextmanager
def broken(path: Path, fault: str) -> Iterator[None]:
    """The SQLite file at `path` (in a folder of its own) unusable in the way `fault` names while the block runs.

    When it ends, the file is usable again as a person would repair it: the damaged file
    moved aside, the lock released, write access given back, the folder's place cleared.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if fault == "damaged":
        path.write_bytes(b"these are not the rows you are looking for\n" * 200)
        try:
            yield
        finally:
            path.replace(path.with_suffix(".damaged"))
    elif fault == "locked":
        with closing(sqlite3.connect(path, isolation_level=None)) as holder:
            holder.execute("CREATE TABLE IF NOT EXISTS held (x)")
            holder.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                holder.execute("ROLLBACK")
    elif fault == "unwritable":
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS held (x)")
        with _unwritable(path):
            yield
    elif fault == "no_folder":
        path.parent.rmdir()
        path.parent.write_text("a file where the database's folder should be\n", encoding="utf-8")
        try:
            yield
        finally:
            path.parent.unlink()
    else:
        raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
