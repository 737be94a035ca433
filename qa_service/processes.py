"""Whether a process recorded by id (in a build's status, in a staging folder's name) still runs.

A build's process can die without a word (SIGKILL, an OOM kill, a worker recycled): what it
left is judged by whether its process is still there, on this machine.
"""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """True while the process `pid` runs (another user's included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it runs
        return True
    except OverflowError:  # no process has such an id
        return False
    return True
