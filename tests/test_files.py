"""Files written atomically: a write that fails, a process killed mid-write, or a full disk leaves
the old file whole, never half of the new one; and what a user is told when a folder is full."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from disks import small_disk

from qa_service.config import PROJECT_ROOT
from qa_service.errors import CannotWrite
from qa_service.files import check_space, write_atomically, write_text_atomically, writing

OLD = "the old text, whole\n"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    target.write_text(OLD, "utf-8")

    def half(path: Path) -> None:
        path.write_text("the new text, cut", "utf-8")
        raise OSError(errno.EIO, "input/output error")

    with pytest.raises(OSError, match="input/output"):
        write_atomically(target, half)
    assert target.read_text("utf-8") == OLD and _leftovers(tmp_path) == []
    write_text_atomically(target, "the new text\n")
    assert target.read_text("utf-8") == "the new text\n" and _leftovers(tmp_path) == []


WRITER = """
import sys, time
from pathlib import Path
from qa_service.files import write_atomically

def slowly(path):
    with path.open("w") as out:
        out.write("the new text, begun")
        out.flush()
        print("writing", flush=True)
        time.sleep(60)

write_atomically(Path(sys.argv[1]), slowly)
"""


def test_a_process_killed_mid_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "doc.txt"
    target.write_text(OLD, "utf-8")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        os.kill(writer.pid, signal.SIGKILL)
        assert writer.wait(30) == -signal.SIGKILL
    finally:
        writer.kill()
    assert target.read_text("utf-8") == OLD
    [temporary] = _leftovers(tmp_path)  # a dot-file ending in .tmp, which no listing of documents picks up
    assert temporary.startswith(".doc.txt.")


def test_a_full_disk_leaves_the_old_file_whole(tmp_path: Path) -> None:
    with small_disk(tmp_path / "full", "64k") as disk:
        target = disk / "doc.txt"
        target.write_text(OLD, "utf-8")
        with pytest.raises(OSError) as caught:
            write_text_atomically(target, "x" * 200_000)
        assert caught.value.errno == errno.ENOSPC
        assert target.read_text("utf-8") == OLD and _leftovers(disk) == []


def test_a_folder_too_small_is_named_with_the_space_needed_and_free(tmp_path: Path) -> None:
    with small_disk(tmp_path / "small", "1m") as disk, pytest.raises(CannotWrite) as caught:
        check_space(disk, "the build", 5_000_000, "QA_INDEX_DIR")
    message = str(caught.value)
    assert message.startswith(f"{disk} is full: the build would take about 5.0 MB there and 1.0 MB is free")
    assert "set QA_INDEX_DIR" in message and "Nothing was changed." in message


@pytest.mark.parametrize(("code", "says"), [(errno.ENOSPC, "is full"), (errno.EACCES, "give this user write access"),
                                           (errno.EROFS, "give this user write access"), (errno.EIO, "check the disk")])
def test_what_a_failed_write_says(tmp_path: Path, code: int, says: str) -> None:
    with pytest.raises(CannotWrite) as caught, writing(tmp_path, "the documents", 1000, "QA_DOCS_DIR"):
        raise OSError(code, os.strerror(code))
    message = str(caught.value)
    assert message.startswith(str(tmp_path)) and says in message and "\n" not in message
    assert isinstance(caught.value.__cause__, OSError)


def test_other_errors_pass_through_unchanged(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a write"), writing(tmp_path, "the build", 0, "QA_INDEX_DIR"):
        raise ValueError("not a write")
