"""A real gunicorn, started the way the Procfile starts it, on a free loopback port.

The command is the Procfile's `web` line with the bind address moved to 127.0.0.1, and the
worker and thread counts given the way a platform gives them (WEB_CONCURRENCY,
GUNICORN_THREADS). Starting it is also the cold-start measurement: from the moment the
process is spawned to the first 200 from /readyz. The tests' live servers start here too,
so what is benchmarked and what is tested is the same process.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from evaluate.errors import EvaluationError
from qa_service.config import PROJECT_ROOT, RATE_LIMIT_OFF, Settings

GUNICORN_CONF = PROJECT_ROOT / "gunicorn.conf.py"
READY_TIMEOUT = 120.0  # model and index load in the master (--preload), ~10 s on 2 busy cores


class ServerError(EvaluationError):
    """The service did not start or answer; the message carries the end of its log."""


@dataclass(frozen=True)
class ServerConfig:
    """Gunicorn's process model: worker processes x threads per worker."""

    workers: int
    threads: int

    @property
    def label(self) -> str:
        return f"{self.workers}x{self.threads}"


def service_env(settings: Settings) -> dict[str, str]:
    """The environment variables that make a launched service run with `settings`' data, model and stores."""
    return {
        "QA_DOCS_DIR": str(settings.docs_dir),
        "QA_INDEX_DIR": str(settings.index_dir),
        "QA_FEEDBACK_DB": str(settings.feedback_db),
        "QA_MODEL_CACHE_DIR": str(settings.model_cache_dir),
        "QA_EMBEDDING_BACKEND": settings.embedding_backend,
        "QA_EMBEDDING_CACHE": str(settings.embedding_cache_size),
        "QA_RATE_LIMIT": settings.rate_limit or RATE_LIMIT_OFF,
    }


def procfile_config() -> ServerConfig:
    """The worker and thread counts gunicorn.conf.py gives when the platform sets nothing."""
    saved = dict(os.environ)
    try:
        for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
            os.environ.pop(name, None)
        conf = runpy.run_path(str(GUNICORN_CONF))
    finally:  # the file sets OMP_NUM_THREADS for the server; this process keeps its own
        os.environ.clear()
        os.environ.update(saved)
    return ServerConfig(int(conf["workers"]), int(conf["threads"]))


@dataclass(frozen=True)
class ProcessMemory:
    """A process's memory in MiB: RSS counts shared pages in full, PSS splits them between sharers."""

    pid: int
    role: str  # 'master' or 'worker'
    rss_mib: float
    pss_mib: float


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen
    ready_seconds: float
    log: Path  # gunicorn's stdout and stderr: its access and error lines

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def memory(self) -> list[ProcessMemory]:
        """The master's and every worker's memory, read from /proc (Linux)."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [_memory(master, "master")] + [_memory(int(pid), "worker") for pid in children]


def _memory(pid: int, role: str) -> ProcessMemory:
    def kib(path: str, field: str) -> float:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
        raise ServerError(f"{path} has no {field} line")

    return ProcessMemory(pid, role, round(kib(f"/proc/{pid}/status", "VmRSS") / 1024, 1),
                         round(kib(f"/proc/{pid}/smaps_rollup", "Pss") / 1024, 1))


def free_port() -> int:
    """A port nothing listens on now, on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path, started: float) -> float:
    while time.perf_counter() - started < READY_TIMEOUT:
        if process.poll() is not None:
            raise ServerError(f"gunicorn exited with {process.returncode}; its log ends:\n{_tail(log)}")
        try:
            if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except requests.ConnectionError:
            pass
        time.sleep(0.02)
    raise ServerError(f"gunicorn was not ready within {READY_TIMEOUT:.0f} s; its log ends:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn stops its workers), then SIGKILL to whatever of its process group is left."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the usual case: everything already exited
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def gunicorn(config: ServerConfig, env: Mapping[str, str], log: Path) -> Iterator[Server]:
    """The app under gunicorn with `env` (QA_* settings) added; stopped when the block ends, whatever happens."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "--preload",
               "--bind", f"127.0.0.1:{port}", "qa_service.app:create_app()"]
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **env,
                "WEB_CONCURRENCY": str(config.workers), "GUNICORN_THREADS": str(config.threads)}
    url = f"http://127.0.0.1:{port}"
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        ready = _wait_until_ready(url, process, log, started)
        yield Server(url, process, round(ready, 3), log)
    finally:
        _stop(process)
